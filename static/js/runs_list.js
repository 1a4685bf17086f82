// Runs list: filters apply on change; "Compare" is enabled for 2 to 4 ticked runs.
(function () {
  "use strict";
  var filters = document.getElementById("run-filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { filters.submit(); });
    });
  }
  var form = document.getElementById("compare-form");
  if (!form) return;
  var button = document.getElementById("compare-button");
  var hint = document.getElementById("compare-hint");
  function update() {
    var n = form.querySelectorAll("input[name=runs]:checked").length;
    button.disabled = n < 2 || n > 4;
    hint.textContent = n === 0 ? "Tick 2 to 4 runs to overlay their curves and grids."
      : n === 1 ? "1 run ticked: tick at least one more."
      : n > 4 ? n + " runs ticked: compare at most 4."
      : n + " runs ticked.";
  }
  form.addEventListener("change", update);
  update();
})();
