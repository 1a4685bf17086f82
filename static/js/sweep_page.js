// The sweep page: the objective of every trial per epoch (uPlot, through run_charts.js),
// a leaderboard sortable by any column, and a reload every 10 s while the sweep runs.
(function () {
  "use strict";
  var data = window.HGCharts.readJSON("sweep-data");

  function drawObjective() {
    var series = data.series;
    var lines = Object.keys(series.series).map(function (label) {
      return { label: label, values: series.series[label] };
    });
    window.HGCharts.drawAll(document.getElementById("objective-chart"), [{
      id: "objective", title: series.label + " per epoch", help: "one line per trial; a pruned trial's line stops where it was pruned",
      xLabel: "epoch", x: series.x, lines: lines, emptyText: "No epoch recorded yet.",
    }]);
  }

  function sortable(table) {
    var headers = table.querySelectorAll("th[data-sort]");
    headers.forEach(function (th, column) {
      var ascending = true;
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > column; });
        var numeric = th.dataset.sort === "num";
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
          if (x === "" && y !== "") return 1;  // empty values last, either way
          if (y === "" && x !== "") return -1;
          var order = numeric && !isNaN(parseFloat(x)) && !isNaN(parseFloat(y)) ? parseFloat(x) - parseFloat(y) : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        ascending = !ascending;
      });
    });
  }

  function start() {
    drawObjective();
    sortable(document.getElementById("leaderboard"));
    if (data.live) setTimeout(function () { window.location.reload(); }, 10000);
  }
  if (window.uPlot) start(); else window.addEventListener("load", start);
})();
