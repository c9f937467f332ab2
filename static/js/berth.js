// Berth works without JavaScript; this file only adds conveniences:
// copy buttons and the auto-hide of revealed secret values.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-copy]");
    if (!btn) return;
    ev.preventDefault();
    var text = btn.getAttribute("data-copy");
    var target = btn.getAttribute("data-copy-target");
    if (target) {
      var el = document.getElementById(target);
      if (el) text = el.textContent;
    }
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(text).then(function () {
      var old = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = old; }, 1500);
    });
  });
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
  });
  // Copy buttons are useless without the clipboard API; show them only where it works.
  if (navigator.clipboard) {
    document.documentElement.classList.add("can-copy");
  }
})();
