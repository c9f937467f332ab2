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

// ---- ECR repositories ----
// Parts of the repository forms that only matter for some choices (exclusion
// filters, the KMS key) carry data-ecr-show="<radio name>:<value>,<value>";
// they are hidden (and not sent) while another value is chosen. Without JS
// they all show, and the server explains what does not fit the choice.
(function () {
  "use strict";
  function update(form) {
    form.querySelectorAll("[data-ecr-show]").forEach(function (el) {
      var spec = el.getAttribute("data-ecr-show").split(":");
      var picked = form.querySelector('input[name="' + spec[0] + '"]:checked');
      var show = picked && spec[1].split(",").indexOf(picked.value) >= 0;
      el.classList.toggle("ecr-hidden", !show);
      // A hidden part is not sent either, so it cannot trip the form's checks.
      el.querySelectorAll("input, select, textarea, button").forEach(function (c) { c.disabled = !show; });
    });
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.form && ev.target.type === "radio") update(ev.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (f) {
      if (f.querySelector("[data-ecr-show]")) update(f);
    });
  });
})();
