/* Mission Support screens: keyboard shortcuts, print and confirm buttons. No libraries. */
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    // Ctrl/Cmd+Enter submits the form the focus is in, from any field.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
      event.preventDefault();
      if (event.target.form.requestSubmit) { event.target.form.requestSubmit(); } else { event.target.form.submit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "/") {
      var area = document.querySelector("[data-shortcut-focus]") || document.querySelector("main form");
      var first = area && area.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { event.preventDefault(); first.focus(); }
      return;
    }
    var link = document.querySelector('[data-shortcut="' + event.key + '"]');
    if (link) { event.preventDefault(); link.click(); }
  });

  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-print]");
    if (print) { window.print(); return; }
    var risky = event.target.closest("[data-confirm]");
    if (risky && !window.confirm(risky.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  // After a failed submit, bring the error summary into view for screen-reader and keyboard users.
  var summary = document.querySelector(".error-summary");
  if (summary && !document.querySelector("[autofocus]")) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
