// Copy buttons for link fields (an enhancement: without this script the link stays visible and selectable).
(function () {
  "use strict";

  function fallbackCopy(field) {
    field.focus();
    field.select();
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  function say(button, status, message, ok) {
    status.textContent = message;
    button.classList.toggle("copied", ok);
  }

  function enable(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.id + "-status");
    if (!field || !status || button.dataset.ready) { return; }
    button.dataset.ready = "1";
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { say(button, status, button.getAttribute("data-copied"), true); };
      var failed = function () {
        if (fallbackCopy(field)) { done(); } else { say(button, status, button.getAttribute("data-failed"), false); }
      };
      status.textContent = "";
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, failed);
      } else {
        failed();
      }
    });
  }

  function ready() { document.querySelectorAll("button[data-copy]").forEach(enable); }
  if (document.readyState !== "loading") { ready(); } else { document.addEventListener("DOMContentLoaded", ready); }
})();
