// New training run form: show the chosen architecture's description, its defaults as
// placeholders, and only the options that architecture accepts.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("new-run-data").textContent);
  var form = document.getElementById("new-training-run");
  var select = form.querySelector("select[name=architecture]");
  var allSpecific = {};
  Object.keys(data.specific).forEach(function (arch) {
    data.specific[arch].forEach(function (name) { allSpecific[name] = true; });
  });
  var optimizerFields = { optimizer_name: "name", learning_rate: "learning_rate", beta_1: "beta_1" };

  function defaultFor(defaults, name) {
    var match = /^([gd])_(optimizer_name|learning_rate|beta_1)$/.exec(name);
    if (match) {
      var opt = defaults[match[1] + "_optimizer"] || {};
      return opt[optimizerFields[match[2]]];
    }
    return defaults[name];
  }

  function show(value) {
    if (value === null) { return "none"; }
    if (value === true) { return "yes"; }
    if (value === false) { return "no"; }
    return String(value);
  }

  function update() {
    var arch = select.value;
    var defaults = data.defaults[arch] || {};
    document.getElementById("architecture-description").textContent = data.descriptions[arch] || "";
    var specific = {};
    (data.specific[arch] || []).forEach(function (name) { specific[name] = true; });
    form.querySelectorAll("[data-option]").forEach(function (row) {
      var name = row.getAttribute("data-option");
      var input = row.querySelector("input, select, textarea");
      var hasError = row.classList.contains("errors");
      row.hidden = Boolean(allSpecific[name] && !specific[name] && !(input && input.value) && !hasError);
      var value = defaultFor(defaults, name);
      if (input && value !== undefined) {
        if (input.tagName === "SELECT") {
          var blank = input.querySelector("option[value='']");
          if (blank) { blank.textContent = "default (" + show(value) + ")"; }
        } else if (input.type !== "checkbox") {
          input.placeholder = value === null ? (name === "steps_per_epoch" ? "one pass" : "off") : show(value);
        }
      }
    });
  }
  select.addEventListener("change", update);
  update();
})();
