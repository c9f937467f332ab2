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

// ---- Task definitions builder ----
// Fargate memory choices follow the chosen CPU; launch type and volume
// type changes re-render the form (the same refresh a no-JS person presses).
(function () {
  "use strict";
  function refresh(form) {
    var a = document.createElement("input");
    a.type = "hidden";
    a.name = "action";
    a.value = "refresh";
    form.appendChild(a);
    form.submit();
  }
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches) return;
    if (el.matches("select[data-fargate-memory]")) {
      var sizes = JSON.parse(el.getAttribute("data-fargate-memory"));
      var mem = document.getElementById(el.getAttribute("data-memory-select"));
      if (!mem) return;
      var keep = mem.value;
      while (mem.options.length > 1) mem.remove(1);
      (sizes[el.value] || []).forEach(function (pair) {
        var o = new Option(pair[1], pair[0]);
        o.selected = pair[0] === keep;
        mem.add(o);
      });
      return;
    }
    if (el.matches("form.builder input[data-td-refresh]") ||
        el.matches("form.builder fieldset.volume select[name$='.type']")) {
      refresh(el.form);
    }
  });
})();

// ---- Task definitions builder: autosave ----
// The server saves a draft on every builder submit; with script it also
// saves a couple of seconds after the person stops typing, in the
// background, so a closed tab loses nothing.
(function () {
  "use strict";
  var form = document.querySelector("form.builder");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) return;
  var timer = null, busy = false;
  function save() {
    if (busy) { timer = setTimeout(save, 1000); return; }
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "save");
    // form.action would be the button named "action": read the attribute.
    fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var id = doc.querySelector("form.builder input[name=draft]");
        var mine = form.querySelector("input[name=draft]");
        if (id && mine && !mine.value) mine.value = id.value;
        var status = document.getElementById("draft-status");
        if (status) status.textContent = "Draft saved " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 2000);
  });
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
