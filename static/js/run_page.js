// One run: charts from the series API, the epoch slider over sample grids, live updates.
(function () {
  "use strict";
  var H = window.HGCharts;
  var TERMINAL = ["succeeded", "failed", "cancelled", "pruned"];
  var POLL_MS = 5000;

  var specs = H.readJSON("chart-specs");
  var grids = H.readJSON("grid-list") || [];
  var page = H.readJSON("page-data");
  var data = { epoch: null, step: null }; // series payloads, grown by live updates
  var lastEpoch = 0;

  function seriesUrl(scale, after) {
    return page.api.series + "?scale=" + scale + "&after_epoch=" + (after || 0);
  }

  // Append a later payload (after_epoch=...) to what the page has.
  function merge(old, add) {
    if (!old) return add;
    var n = old.x.length, m = add.x.length;
    var keys = Object.keys(old.series).concat(Object.keys(add.series));
    var series = {};
    keys.forEach(function (key) {
      if (series[key]) return;
      var a = old.series[key] || new Array(n).fill(null);
      var b = add.series[key] || new Array(m).fill(null);
      series[key] = a.concat(b);
    });
    var merged = Object.assign({}, add, { x: old.x.concat(add.x), series: series });
    ["step", "epoch"].forEach(function (key) {
      if (old[key] && add[key]) merged[key] = old[key].concat(add[key]);
    });
    return merged;
  }

  function chartSpec(spec, payload, xLabel) {
    return {
      id: spec.id, title: spec.title, help: spec.help, range: spec.range, reference: spec.reference,
      xLabel: xLabel, x: payload.x,
      lines: spec.series.map(function (s) { return { label: s.label, values: payload.series[s.key] }; }),
      emptyText: spec.emptyText,
    };
  }

  function currentScale() {
    var checked = document.querySelector("input[name=dyn-scale]:checked");
    return checked ? checked.value : "epoch";
  }

  function drawDynamics() {
    var scale = currentScale();
    var payload = data[scale];
    var container = document.getElementById("dynamics-charts");
    if (!payload) return;
    if (!payload.x.length) {
      container.innerHTML = "";
      container.appendChild(H.el("p", "empty", scale === "step" ? "No training step logged yet." : "No epoch finished yet."));
      return;
    }
    var list = specs.dynamics.slice();
    if (scale === "epoch") list = list.concat(specs.epoch_only);
    var xLabel = scale === "epoch" ? "epoch" : "step";
    var chartSpecs = list.map(function (spec) {
      var s = chartSpec(spec, payload, xLabel);
      if (scale === "step" && payload.bucket > 1) s.help = (s.help ? s.help + " " : "") + "Each point averages " + payload.bucket + " logged steps.";
      s.emptyText = scale === "step" ? "No per-step values logged." : "No epoch finished yet.";
      return s;
    });
    H.drawAll(container, chartSpecs);
  }

  function drawQuality() {
    var payload = data.epoch;
    var container = document.getElementById("quality-charts");
    if (!payload) return;
    var measured = specs.quality.filter(function (spec) { return H.hasValues(payload.series[spec.series[0].key]); });
    var note = document.getElementById("reference-note");
    if (note) note.hidden = !measured.length;
    if (!measured.length) {
      container.innerHTML = "";
      container.appendChild(H.el("p", "empty", payload.x.length
        ? "No quality metrics recorded: this run was trained without an evaluator."
        : "No epoch finished yet."));
      return;
    }
    H.drawAll(container, specs.quality.map(function (spec) {
      var s = chartSpec(spec, payload, "epoch");
      s.emptyText = "Not measured in this run.";
      return s;
    }));
  }

  function loadScale(scale) {
    if (data[scale]) return Promise.resolve();
    return H.fetchJSON(seriesUrl(scale, 0)).then(function (payload) { data[scale] = payload; });
  }

  function showError(error) {
    ["dynamics-charts", "quality-charts"].forEach(function (id) {
      var box = document.getElementById(id);
      box.innerHTML = "";
      box.appendChild(H.el("p", "error", "Could not load the metrics: " + error.message));
    });
  }

  // --- sample grids -------------------------------------------------------------
  var slider = document.getElementById("grid-slider");
  var image = document.getElementById("grid-image");
  var label = document.getElementById("grid-epoch");
  var playTimer = null;
  var epochsTotal = parseInt(document.getElementById("run-progress").getAttribute("max"), 10);

  function showGrid(index) {
    if (!grids.length) return;
    index = Math.max(0, Math.min(grids.length - 1, index));
    slider.value = String(index);
    var grid = grids[index];
    image.src = grid.url;
    image.alt = "Sample grid at epoch " + grid.epoch;
    label.textContent = "Epoch " + grid.epoch + " of " + epochsTotal;
  }

  function stopPlay() {
    if (playTimer) clearInterval(playTimer);
    playTimer = null;
    document.getElementById("grid-play").textContent = "Play";
  }

  function setupSlider() {
    if (!slider) return;
    slider.addEventListener("input", function () { stopPlay(); showGrid(parseInt(slider.value, 10)); });
    document.getElementById("grid-prev").addEventListener("click", function () { stopPlay(); showGrid(parseInt(slider.value, 10) - 1); });
    document.getElementById("grid-next").addEventListener("click", function () { stopPlay(); showGrid(parseInt(slider.value, 10) + 1); });
    document.getElementById("grid-play").addEventListener("click", function () {
      if (playTimer) return stopPlay();
      if (parseInt(slider.value, 10) >= grids.length - 1) showGrid(0);
      this.textContent = "Pause";
      playTimer = setInterval(function () {
        var next = parseInt(slider.value, 10) + 1;
        if (next >= grids.length) return stopPlay();
        showGrid(next);
      }, 350);
    });
  }

  function addGrids(items) {
    if (!items.length) return;
    var atEnd = !grids.length || parseInt(slider.value, 10) >= grids.length - 1;
    items.forEach(function (item) { grids.push({ epoch: item.epoch, url: item.image_url }); });
    slider.max = String(grids.length - 1);
    document.getElementById("grid-viewer").hidden = false;
    var none = document.getElementById("no-grids");
    if (none) none.hidden = true;
    if (atEnd) showGrid(grids.length - 1);
  }

  // --- live updates ---------------------------------------------------------------
  function updateProgress(run) {
    var bar = document.getElementById("run-progress");
    bar.max = run.epochs_total;
    bar.value = run.epochs_done;
    var text = "Epoch " + run.epochs_done + " of " + run.epochs_total;
    if (run.steps_total) text += " · step " + run.steps_done + " of " + run.steps_total;
    document.getElementById("run-progress-text").textContent = text;
    var badge = document.getElementById("run-status");
    badge.textContent = run.status.charAt(0).toUpperCase() + run.status.slice(1);
    badge.className = "badge status-" + run.status;
    if (run.duration_seconds !== null) {
      var s = Math.round(run.duration_seconds), m = Math.floor(s / 60), h = Math.floor(m / 60);
      document.getElementById("run-duration").textContent =
        s < 60 ? s + ".0s" : h ? h + "h " + String(m % 60).padStart(2, "0") + "m" : m + "m " + String(s % 60).padStart(2, "0") + "s";
    }
  }

  function poll() {
    H.fetchJSON(page.api.run).then(function (run) {
      updateProgress(run);
      var finished = TERMINAL.indexOf(run.status) >= 0;
      var work = [];
      if (run.epochs_done > lastEpoch || finished) {
        var after = lastEpoch;
        work.push(H.fetchJSON(seriesUrl("epoch", after)).then(function (p) { data.epoch = merge(data.epoch, p); }));
        if (data.step) work.push(H.fetchJSON(seriesUrl("step", after)).then(function (p) { data.step = merge(data.step, p); }));
        var lastGrid = grids.length ? grids[grids.length - 1].epoch : -1;
        work.push(H.fetchJSON(page.api.samples + (lastGrid >= 0 ? "?after_epoch=" + lastGrid : "")).then(addGrids));
      }
      return Promise.all(work).then(function () {
        if (work.length) {
          lastEpoch = data.epoch.x.length ? data.epoch.x[data.epoch.x.length - 1] : 0;
          drawDynamics();
          drawQuality();
        }
        if (finished) {
          // The final evaluation and the GIF are rendered by the server: show them.
          window.location.reload();
        } else {
          setTimeout(poll, POLL_MS);
        }
      });
    }).catch(function () { setTimeout(poll, POLL_MS * 2); });
  }

  function start() {
    setupSlider();
    document.querySelectorAll("input[name=dyn-scale]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        loadScale(currentScale()).then(drawDynamics).catch(showError);
      });
    });
    loadScale("epoch").then(function () {
      lastEpoch = data.epoch.x.length ? data.epoch.x[data.epoch.x.length - 1] : 0;
      drawDynamics();
      drawQuality();
      if (page.live) setTimeout(poll, POLL_MS);
    }).catch(showError);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
