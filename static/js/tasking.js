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

  // A form is sent once: a double click or a second Enter while the page waits for the answer would
  // log the same request or outcome twice. A form that got no answer (a download, a lost network)
  // can be sent again after a few seconds; a page shown again from the back button starts afresh.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "");
    window.setTimeout(function () { form.removeAttribute("data-sending"); }, 8000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) { form.removeAttribute("data-sending"); });
  });

  // After a failed submit, bring the error summary into view for screen-reader and keyboard users.
  var summary = document.querySelector(".error-summary");
  if (summary && !document.querySelector("[autofocus]")) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
})();
