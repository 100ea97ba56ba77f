// Text size on the reader's side, so every reader gets the same bytes and caches share them.
// Runs in <head> (before the page is drawn): sets html.ts-N from localStorage. Once the page
// is read, the A- / A+ buttons change the size here instead of asking the server. Without
// JavaScript the buttons still work: they ask /textsize, which sets the textsize cookie and
// the server renders that size (on pages it then marks private).
(function () {
  "use strict";
  var KEY = "textsize", DEFAULT = 1, LABELS = ["Small", "Normal", "Large", "Larger", "Largest"];
  var root = document.documentElement;

  function store(level) {
    try { localStorage.setItem(KEY, String(level)); return true; } catch (e) { return false; }
  }

  function clamp(value) {
    var level = parseInt(value, 10);
    if (isNaN(level)) { return DEFAULT; }
    return Math.min(Math.max(level, 0), LABELS.length - 1);
  }

  function read() {
    // A size chosen earlier without JavaScript: keep it here and drop the cookie, so later
    // pages are the shared cached copies rather than private ones.
    var cookie = document.cookie.match(/(?:^|;\s*)textsize=(\d)/);
    if (cookie && store(clamp(cookie[1]))) {
      document.cookie = "textsize=; Max-Age=0; Path=/; SameSite=Lax";
    }
    var saved = null;
    try { saved = localStorage.getItem(KEY); } catch (e) { saved = null; }
    if (saved !== null) { return clamp(saved); }
    var shown = /(?:^|\s)ts-(\d)(?:\s|$)/.exec(root.className);
    return shown ? clamp(shown[1]) : DEFAULT;
  }

  var level = read();

  function apply() {
    root.className = root.className.replace(/(?:^|\s)ts-\d(?=\s|$)/g, "") + " ts-" + level;
    root.className = root.className.replace(/^\s+/, "");
    var forms = document.querySelectorAll("form.textsize");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      var smaller = form.querySelector("button[value=smaller]");
      var larger = form.querySelector("button[value=larger]");
      var current = form.querySelector(".textsize-current");
      if (smaller) { smaller.disabled = level === 0; }
      if (larger) { larger.disabled = level === LABELS.length - 1; }
      /* The labels in the site's language, from the form (data-labels="Small|Normal|..."). */
      var labels = (form.getAttribute("data-labels") || "").split("|");
      if (current) { current.textContent = labels.length === LABELS.length ? labels[level] : LABELS[level]; }
    }
  }

  apply();
  document.addEventListener("DOMContentLoaded", function () {
    apply();
    var buttons = document.querySelectorAll("form.textsize button[name=size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        var step = { larger: 1, smaller: -1 }[this.value] || 0;
        if (!store(clamp(level + step))) { return; }  // no storage: let the form ask the server
        event.preventDefault();
        level = clamp(level + step);
        apply();
      });
    }
  });
}());
