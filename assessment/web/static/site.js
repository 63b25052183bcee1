// Enhancements only: every form works without this script (the server checks everything again).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // An exclusive option ("无 / None") unticks the options it excludes, and they untick it.
  function exclusiveOptions(root) {
    root.querySelectorAll("input[type=checkbox][data-exclusive]").forEach(function (none) {
      var excluded = none.getAttribute("data-exclusive").split(" ").filter(Boolean);
      var group = root.querySelectorAll("input[type=checkbox][name='" + CSS.escape(none.name) + "']");
      none.addEventListener("change", function () {
        if (!none.checked) { return; }
        group.forEach(function (box) { if (excluded.indexOf(box.value) >= 0) { box.checked = false; } });
      });
      group.forEach(function (box) {
        if (excluded.indexOf(box.value) < 0) { return; }
        box.addEventListener("change", function () { if (box.checked) { none.checked = false; } });
      });
    });
  }

  // Exact-enough arithmetic for live hints; the server's exact result is what is saved.
  function quantity(spec, figures) {
    var num = figures[spec[0]];
    if (num === undefined) { return null; }
    var factor = Number(spec[2]);
    if (spec[1] === null) { return num * factor; }
    var den = figures[spec[1]];
    if (den === undefined || den === 0) { return null; }
    return num / den * factor;
  }

  function band(spec, figures) {
    var value = quantity(spec.quantity, figures);
    if (value === null) { return null; }
    for (var i = 0; i < spec.bands.length; i++) {
      var b = spec.bands[i];
      var lower = b[1] === null ? null : Number(b[1]);
      var upper = b[3] === null ? null : Number(b[3]);
      if (lower !== null && (value < lower || (value === lower && !b[2]))) { continue; }
      if (upper !== null && (value > upper || (value === upper && !b[4]))) { continue; }
      return { option: b[0], shown: round(value) + spec.unit };
    }
    return null;
  }

  function change(spec, figures) {
    var current = quantity(spec.current, figures);
    var previous = quantity(spec.previous, figures);
    if (current === null || previous === null) { return null; }
    var diff = current - previous;
    var relative = previous !== 0 ? diff / Math.abs(previous) : (diff === 0 ? 0 : (diff > 0 ? 1 : -1));
    var option = Math.abs(diff) <= Number(spec.tolerance) * Math.abs(previous)
      ? spec.options[1] : (diff > 0 ? spec.options[0] : spec.options[2]);
    return { option: option, shown: round(relative * 100) + "%" };
  }

  function round(value) { return String(Math.round(value * 100) / 100); }

  // A part larger than its whole (150 digitized of 100 devices) computes nothing: the refusal names both figures.
  function refusal(limits, figures) {
    for (var i = 0; i < limits.length; i++) {
      var part = figures[limits[i][0]], whole = figures[limits[i][1]];
      if (part !== undefined && whole !== undefined && part > whole) {
        return limits[i][2].replace("{value}", String(part)).replace("{limit}", String(whole));
      }
    }
    return null;
  }

  function computedAnswers(root) {
    root.querySelectorAll("fieldset[data-derive]").forEach(function (item) {
      var spec = JSON.parse(item.getAttribute("data-derive"));
      var output = item.querySelector(".computed");
      var inputs = item.querySelectorAll("input[data-field]");
      var template = output ? output.getAttribute("data-template") : "";
      var ticked = null;
      function update() {
        var figures = {};
        inputs.forEach(function (input) {
          if (input.value.trim() !== "" && !isNaN(Number(input.value))) { figures[input.getAttribute("data-field")] = Number(input.value); }
        });
        var refused = refusal(spec.limits || [], figures);
        if (output) { output.classList.toggle("refused", refused !== null); }
        if (refused !== null) {
          if (ticked) { ticked.checked = false; ticked = null; }
          if (output) { output.textContent = refused; }
          return;
        }
        var result = spec.kind === "band" ? band(spec, figures) : change(spec, figures);
        if (!result) { return; }
        var radio = item.querySelector("input[type=radio][value='" + CSS.escape(result.option) + "']");
        if (radio) { radio.checked = true; ticked = radio; }
        var label = radio ? item.querySelector("label[for='" + CSS.escape(radio.id) + "']") : null;
        var text = label ? label.textContent.replace(/^\s*\S+\s+/, "").trim() : result.option;
        if (output) { output.textContent = template.replace("{figure}", result.shown).replace("{option}", text); }
      }
      inputs.forEach(function (input) { input.addEventListener("input", update); });
    });
  }

  // Region and industry lists follow the choice above them without a round trip.
  function cascade(parent, child, resets) {
    if (!parent || !child || !parent.getAttribute("data-children")) { return; }
    var url = parent.getAttribute("data-children");
    var latest = 0;  // arrowing through a list fires one change per option: only the last answer may fill the child
    parent.addEventListener("change", function () {
      var asked = ++latest;
      resets.concat([child]).forEach(function (select) {
        while (select.options.length > 1) { select.remove(1); }
      });
      if (!parent.value) { return; }
      fetch(url.replace("CODE", encodeURIComponent(parent.value)), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (rows) {
          if (asked !== latest) { return; }
          rows.forEach(function (row) { child.add(new Option(row.name, row.code)); });
        });
    });
  }

  function errorSummary() {
    var summary = document.getElementById("error-summary") || document.getElementById("conflict");
    if (summary) { summary.focus(); }
  }

  ready(function () {
    exclusiveOptions(document);
    computedAnswers(document);
    var byId = function (id) { return document.getElementById(id); };
    cascade(byId("province"), byId("city"), [byId("county")]);
    cascade(byId("city"), byId("county"), []);
    cascade(byId("section"), byId("division"), []);
    errorSummary();
  });
})();
