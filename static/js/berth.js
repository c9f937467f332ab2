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

// ---- Secrets (web/view/secrets*.templ) ----
// The reveal page arrives with its values in plain text, so it works without
// JavaScript. Here every value is masked at once, shown one at a time on
// request, and hidden again after 60 seconds. The values are kept in this
// closure only while the page is open.
(function () {
  "use strict";
  var HIDE_AFTER_MS = 60000;
  var MASK = "\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022";
  var values = {};
  var timers = {};
  document.documentElement.classList.add("secrets-js");

  function mask(id) {
    var el = document.getElementById(id);
    if (!el) return;
    el.textContent = MASK;
    el.classList.add("is-masked");
    var btn = document.querySelector('button[data-secret-toggle="' + id + '"]');
    if (btn) { btn.textContent = "Show"; btn.setAttribute("aria-pressed", "false"); }
    if (timers[id]) { clearTimeout(timers[id]); delete timers[id]; }
  }

  function show(id) {
    var el = document.getElementById(id);
    if (!el) return;
    el.textContent = values[id];
    el.classList.remove("is-masked");
    var btn = document.querySelector('button[data-secret-toggle="' + id + '"]');
    if (btn) { btn.textContent = "Hide"; btn.setAttribute("aria-pressed", "true"); }
    timers[id] = setTimeout(function () { mask(id); }, HIDE_AFTER_MS);
  }

  function init() {
    document.querySelectorAll("[data-secret]").forEach(function (el) {
      values[el.id] = el.textContent;
      mask(el.id);
      document.querySelectorAll('button[data-secret-toggle="' + el.id + '"], button[data-secret-copy="' + el.id + '"]').forEach(function (b) {
        if (b.hasAttribute("data-secret-copy") && !navigator.clipboard) return;
        b.hidden = false;
      });
    });
    // Choosing a secret type applies its preset at once; without
    // JavaScript the "Use this secret type" button does it.
    document.querySelectorAll('input[name="preset"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        var btn = document.getElementById("apply-preset");
        if (btn && radio.form) radio.form.requestSubmit(btn);
      });
    });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest("button[data-secret-toggle]");
    if (t) {
      var id = t.getAttribute("data-secret-toggle");
      if (timers[id]) mask(id); else show(id);
      return;
    }
    var c = ev.target.closest("button[data-secret-copy]");
    if (c && navigator.clipboard) {
      var cid = c.getAttribute("data-secret-copy");
      navigator.clipboard.writeText(values[cid] || "").then(function () {
        var old = c.textContent;
        c.textContent = "Copied";
        setTimeout(function () { c.textContent = old; }, 1500);
      });
    }
  });
  // Leaving the page (or it going to the back-forward cache) masks everything.
  window.addEventListener("pagehide", function () {
    Object.keys(values).forEach(mask);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
