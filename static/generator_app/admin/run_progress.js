// Run page: poll the progress JSON every few seconds while the run is queued or running,
// update the panel, and reload the page when the status changes (to show the whole record).
(function () {
  "use strict";
  var panel = document.getElementById("run-progress");
  if (!panel) { return; }
  var POLL_MS = 3000;
  var initialStatus = panel.getAttribute("data-status");

  function field(name) { return panel.querySelector("[data-field=" + name + "]"); }
  function set(name, text) { var el = field(name); if (el) { el.textContent = text; } }

  function duration(seconds) {
    if (seconds === null || seconds === undefined || seconds === "") { return "—"; }
    seconds = Math.round(Number(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + " h " : "") + (h || m ? m + " min " : "") + s + " s";
  }

  function render(p) {
    set("status_label", p.status_label);
    field("status_label").className = "status-" + p.status;
    field("bar").style.width = p.percent + "%";
    field("bar").parentNode.setAttribute("aria-valuenow", p.percent);
    set("epochs_done", p.epochs_done);
    set("percent", p.percent);
    set("steps_done", p.steps_done);
    set("steps_total", p.steps_total || "?");
    set("images_per_second", p.images_per_second === null ? "—" : p.images_per_second.toFixed(1));
    set("eta", duration(p.eta_seconds));
    var losses = Object.keys(p.losses).map(function (k) {
      return k + " " + (p.losses[k] === null ? "n/a" : p.losses[k].toFixed(4));
    });
    set("losses", losses.length ? losses.join(", ") : "—");
    set("worker_host", p.worker_host || "—");
    set("attempts", p.attempts);
    set("heartbeat", p.heartbeat_age_seconds === null ? "—" : p.heartbeat_age_seconds + " s ago");
    if (p.grid_url) {
      var img = field("grid");
      if (img.getAttribute("src") !== p.grid_url) { img.src = p.grid_url; }
      img.hidden = false;
      set("grid_epoch", p.grid_epoch);
    }
  }

  function poll() {
    fetch(panel.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (p) {
        render(p);
        // A new status (queued -> running -> finished) changes the record below the panel too.
        if (p.status !== initialStatus) { window.location.reload(); } else { setTimeout(poll, POLL_MS); }
      })
      .catch(function () { setTimeout(poll, POLL_MS * 3); });
  }

  set("eta", duration(field("eta_seconds_raw").textContent.trim()));
  if (panel.getAttribute("data-active") === "1") { setTimeout(poll, POLL_MS); }
})();
