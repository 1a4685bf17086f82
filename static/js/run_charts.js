// Chart cards drawn with uPlot (static/vendor/uplot-*), shared by the run and compare pages.
// The server says which charts exist (json_script "chart-specs"); this file only draws.
(function () {
  "use strict";

  var PALETTE = ["#2f5bd3", "#d1495b", "#2a9d8f", "#e9a23b", "#7b5ea7", "#6c757d"];
  var REFERENCE_COLOR = "#8a8f98";
  var HEIGHT = 210;

  function format(value) {
    if (value === null || value === undefined || !isFinite(value)) return "—";
    var abs = Math.abs(value);
    if (abs === 0) return "0";
    if (abs >= 1000) return Math.round(value).toLocaleString("en");
    if (abs >= 100) return value.toFixed(1);
    if (abs >= 1) return value.toFixed(3).replace(/\.?0+$/, "");
    if (abs >= 0.001) return value.toPrecision(3).replace(/\.?0+$/, "");
    return value.toExponential(2);
  }

  function hasValues(values) {
    if (!values) return false;
    for (var i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined) return true;
    return false;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // spec: {id, title, help, xLabel, x: [...], lines: [{label, values, color?}], range?, reference?}
  // Returns the card element; an empty card says so instead of drawing an empty frame.
  function chartCard(spec) {
    var card = el("figure", "chart-card");
    card.dataset.chart = spec.id;
    var caption = el("figcaption");
    caption.appendChild(el("strong", "", spec.title));
    if (spec.help) caption.appendChild(el("span", "help", spec.help));
    card.appendChild(caption);
    var lines = (spec.lines || []).filter(function (line) { return hasValues(line.values); });
    if (!lines.length || !spec.x.length) {
      card.classList.add("is-empty");
      card.appendChild(el("p", "chart-empty", spec.emptyText || "Not recorded yet."));
      return card;
    }
    var plotBox = el("div", "plot");
    card.appendChild(plotBox);
    var showPoints = spec.x.length <= 60;
    var series = [{ label: spec.xLabel, value: function (u, v) { return v === null ? "—" : String(v); } }];
    var data = [spec.x];
    lines.forEach(function (line, i) {
      series.push({
        label: line.label,
        stroke: line.color || PALETTE[i % PALETTE.length],
        width: 1.6,
        spanGaps: true,
        points: { show: showPoints, size: 4 },
        value: function (u, v) { return format(v); },
      });
      data.push(line.values);
    });
    if (spec.reference !== null && spec.reference !== undefined) {
      series.push({
        label: "real data", stroke: REFERENCE_COLOR, width: 1.2, dash: [6, 4], points: { show: false },
        value: function () { return format(spec.reference); },
      });
      data.push(spec.x.map(function () { return spec.reference; }));
    }
    var yScale = { auto: true };
    if (spec.range) yScale = { auto: false, range: spec.range };
    var options = {
      width: 400,
      height: HEIGHT,
      series: series,
      scales: { x: { time: false }, y: yScale },
      axes: [
        { label: spec.xLabel, stroke: "#5b6478", grid: { stroke: "#eceae4" }, ticks: { stroke: "#eceae4" }, labelSize: 18 },
        { stroke: "#5b6478", grid: { stroke: "#eceae4" }, ticks: { stroke: "#eceae4" }, size: 56,
          values: function (u, values) { return values.map(format); } },
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
    };
    // Drawn once the card is in the page and has a width.
    card._draw = function () {
      var plot = new window.uPlot(options, data, plotBox);
      card._plot = plot;
      var fit = function () {
        var width = Math.max(240, Math.floor(plotBox.clientWidth));
        if (width !== plot.width) plot.setSize({ width: width, height: HEIGHT });
      };
      fit();
      if (window.ResizeObserver) new ResizeObserver(fit).observe(plotBox);
    };
    return card;
  }

  // Replace the contents of `container` with one card per spec.
  function drawAll(container, specs) {
    container.querySelectorAll(".chart-card").forEach(function (card) {
      if (card._plot) card._plot.destroy();
    });
    container.innerHTML = "";
    var cards = specs.map(chartCard);
    cards.forEach(function (card) { container.appendChild(card); });
    cards.forEach(function (card) { if (card._draw) card._draw(); });
    return cards;
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + " answered " + r.status);
      return r.json();
    });
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  window.HGCharts = {
    PALETTE: PALETTE, format: format, hasValues: hasValues, chartCard: chartCard, drawAll: drawAll,
    fetchJSON: fetchJSON, readJSON: readJSON, el: el,
  };
})();
