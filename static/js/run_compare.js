// Compare 2-4 runs: overlaid curves from one compare request, grids side by side at one epoch.
(function () {
  "use strict";
  var H = window.HGCharts;

  function runLabel(run) {
    return "#" + run.id + " " + (run.name || run.architecture);
  }

  // The grid a run shows at `epoch`: its own, else its nearest earlier one (its last if it
  // stopped before), else its first. Mirrors selectors.runs.grid_at_epoch on the server.
  function gridAt(grids, epoch) {
    var best = null;
    for (var i = 0; i < grids.length; i++) {
      if (grids[i].epoch > epoch) break;
      best = grids[i];
    }
    if (!best && grids.length) return { grid: grids[0], clamped: true };
    return { grid: best, clamped: !!best && best.epoch !== epoch };
  }

  function note(entry, epoch, pick) {
    if (!pick.grid) return "No sample grid saved yet.";
    if (!pick.clamped) return "";
    var done = entry.run.epochs_done;
    if (epoch > pick.grid.epoch && done && done < epoch) return "Stopped at epoch " + done + ": showing epoch " + pick.grid.epoch + ".";
    return "No grid at epoch " + epoch + ": showing epoch " + pick.grid.epoch + ".";
  }

  function drawGrids(payload, epoch) {
    var box = document.getElementById("compare-grid-columns");
    box.innerHTML = "";
    payload.runs.forEach(function (entry, i) {
      var pick = gridAt(entry.grids, epoch);
      var column = H.el("figure", "grid-column");
      column.dataset.run = entry.run.id;
      var head = H.el("figcaption");
      head.appendChild(H.el("span", "swatch swatch-" + i));
      head.appendChild(H.el("strong", "", runLabel(entry.run)));
      head.appendChild(H.el("span", "muted small", pick.grid ? " epoch " + pick.grid.epoch : ""));
      column.appendChild(head);
      if (pick.grid) {
        var img = H.el("img", "grid-image");
        img.src = pick.grid.image_url;
        img.alt = "Samples of run " + entry.run.id + " at epoch " + pick.grid.epoch;
        column.appendChild(img);
      }
      var text = note(entry, epoch, pick);
      if (text) column.appendChild(H.el("p", "clamp-note", text));
      box.appendChild(column);
    });
    document.getElementById("compare-epoch").textContent = "Epoch " + epoch;
  }

  function drawCharts(payload, specs) {
    var missing = [];
    var chartSpecs = [];
    specs.forEach(function (spec) {
      var lines = payload.runs.map(function (entry, i) {
        return { label: runLabel(entry.run), values: entry.series[spec.key], color: H.PALETTE[i] };
      });
      if (!lines.some(function (line) { return H.hasValues(line.values); })) {
        missing.push(spec.title);
        return;
      }
      chartSpecs.push({
        id: spec.key, title: spec.title, help: spec.help, range: spec.range, reference: spec.reference,
        xLabel: "epoch", x: payload.x, lines: lines,
      });
    });
    var container = document.getElementById("compare-charts");
    if (!chartSpecs.length) {
      container.innerHTML = "";
      container.appendChild(H.el("p", "empty", "None of these runs has finished an epoch yet."));
    } else {
      H.drawAll(container, chartSpecs);
    }
    document.getElementById("compare-missing").textContent = missing.length
      ? "Not recorded by any of these runs: " + missing.join(", ") + "." : "";
  }

  function start() {
    var page = H.readJSON("page-data");
    var specs = H.readJSON("chart-specs");
    if (!page) return;
    H.fetchJSON(page.api).then(function (payload) {
      var slider = document.getElementById("compare-slider");
      var first = Math.min.apply(null, payload.runs.map(function (e) { return e.grids.length ? e.grids[0].epoch : 0; }));
      slider.min = String(first);
      slider.max = String(Math.max(first, payload.max_epoch));
      slider.value = String(payload.epoch);
      slider.addEventListener("input", function () { drawGrids(payload, parseInt(slider.value, 10)); });
      drawGrids(payload, payload.epoch);
      drawCharts(payload, specs);
    }).catch(function (error) {
      document.getElementById("compare-charts").innerHTML = "";
      document.getElementById("compare-charts").appendChild(H.el("p", "error", "Could not load the runs: " + error.message));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
