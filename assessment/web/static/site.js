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

  // Exact arithmetic on the typed decimals (BigInt fractions), so the live hint picks the option the server picks:
  // in floating point 0.7 / 7 is below 0.1 / 1 (a tie read as a fall) and 3 / 10 × 100 above 30 (the next band).
  function fraction(text) {
    var parts = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(String(text).trim());
    if (!parts || (parts[2] + (parts[3] || "")) === "") {
      var ratio = /^(-?\d+)\/(\d+)$/.exec(String(text).trim());  // Python's str(Fraction) of a spec value
      return ratio && ratio[2] !== "0" ? { n: BigInt(ratio[1]), d: BigInt(ratio[2]) } : null;
    }
    var decimals = parts[3] || "", exponent = Number(parts[4] || 0) - decimals.length;
    var n = BigInt((parts[1] === "-" ? "-" : "") + (parts[2] + decimals || "0")), d = 1n;
    if (exponent >= 0) { n *= 10n ** BigInt(exponent); } else { d = 10n ** BigInt(-exponent); }
    return { n: n, d: d };
  }

  function times(a, b) { return { n: a.n * b.n, d: a.d * b.d }; }
  function over(a, b) { return b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n }; }
  function minus(a, b) { return { n: a.n * b.d - b.n * a.d, d: a.d * b.d }; }
  function magnitude(a) { return { n: a.n < 0n ? -a.n : a.n, d: a.d }; }
  function order(a, b) { var l = a.n * b.d, r = b.n * a.d; return l > r ? 1 : (l < r ? -1 : 0); }
  function number(a) { return Number(a.n) / Number(a.d); }

  function quantity(spec, figures) {
    var num = figures[spec[0]];
    if (num === undefined) { return null; }
    var factor = fraction(spec[2]);
    if (spec[1] === null) { return times(num, factor); }
    var den = figures[spec[1]];
    if (den === undefined || den.n === 0n) { return null; }
    return times(over(num, den), factor);
  }

  function band(spec, figures) {
    var value = quantity(spec.quantity, figures);
    if (value === null) { return null; }
    for (var i = 0; i < spec.bands.length; i++) {
      var b = spec.bands[i];
      var below = b[1] === null ? 1 : order(value, fraction(b[1]));
      var above = b[3] === null ? -1 : order(value, fraction(b[3]));
      if (below < 0 || (below === 0 && !b[2]) || above > 0 || (above === 0 && !b[4])) { continue; }
      return { option: b[0], shown: round(number(value)) + spec.unit };
    }
    return null;
  }

  function change(spec, figures) {
    var current = quantity(spec.current, figures);
    var previous = quantity(spec.previous, figures);
    if (current === null || previous === null) { return null; }
    var diff = minus(current, previous);
    var relative = previous.n !== 0n ? number(diff) / Math.abs(number(previous)) : Math.sign(number(diff));
    var option = order(magnitude(diff), times(fraction(spec.tolerance), magnitude(previous))) <= 0
      ? spec.options[1] : (diff.n > 0n ? spec.options[0] : spec.options[2]);
    return { option: option, shown: round(relative * 100) + "%" };
  }

  function round(value) { return String(Math.round(value * 100) / 100); }

  // A part larger than its whole (150 digitized of 100 devices) computes nothing: the refusal names both figures.
  function refusal(limits, figures) {
    for (var i = 0; i < limits.length; i++) {
      var part = figures[limits[i][0]], whole = figures[limits[i][1]];
      if (part !== undefined && whole !== undefined && order(part, whole) > 0) {
        return limits[i][2].replace("{value}", String(number(part))).replace("{limit}", String(number(whole)));
      }
    }
    return null;
  }

  // The figures a computation reads; field ids are unique in a questionnaire, and an item may read figures typed
  // at another item of the step (Q14 and Q15 read the revenue typed at Q12).
  function fieldsRead(spec) {
    var specs = spec.kind === "band" ? [spec.quantity] : [spec.current, spec.previous];
    var fields = [];
    specs.forEach(function (q) { fields.push(q[0]); if (q[1] !== null) { fields.push(q[1]); } });
    (spec.limits || []).forEach(function (limit) { fields.push(limit[0], limit[1]); });
    return fields;
  }

  function computedAnswers(root) {
    var typed = {};
    root.querySelectorAll("input[data-field]").forEach(function (input) { typed[input.getAttribute("data-field")] = input; });
    root.querySelectorAll("fieldset[data-derive]").forEach(function (item) {
      var spec = JSON.parse(item.getAttribute("data-derive"));
      var output = item.querySelector(".computed");
      var inputs = fieldsRead(spec).map(function (field) { return typed[field]; }).filter(Boolean);
      var template = output ? output.getAttribute("data-template") : "";
      var ticked = null;
      function update() {
        var figures = {};
        inputs.forEach(function (input) {
          var value = input.value.trim() === "" ? null : fraction(input.value);
          if (value !== null) { figures[input.getAttribute("data-field")] = value; }
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
    ["org", "official"].forEach(function (form) {  // the site admin's region pickers (admin/_region_picker.html)
      cascade(byId(form + "-province"), byId(form + "-city"), [byId(form + "-county")]);
      cascade(byId(form + "-city"), byId(form + "-county"), []);
    });
    errorSummary();
  });
})();
