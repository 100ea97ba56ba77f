// Times on the reader's clock. The server renders every <time datetime> in UTC, and list
// times as "12 min ago" (class "rel") as of when the page was rendered; cached pages age, so
// here the relative labels are worked out again (and once a minute) and every time shows the
// reader's local time: in the text for full times, in the tooltip for relative ones.
(function () {
  "use strict";
  var MINUTE = 60000;

  // The site's language (<html lang>): English as the server writes it, others by the
  // browser's own relative-time words, as the server's Babel does.
  var LANG = document.documentElement.lang || "en";
  var RELATIVE = null;
  if (LANG.slice(0, 2) !== "en" && window.Intl && Intl.RelativeTimeFormat) {
    RELATIVE = new Intl.RelativeTimeFormat(LANG, { style: "short" });
  }

  function ago(then, now) {
    var minutes = Math.floor((now - then) / MINUTE);
    if (RELATIVE) {
      if (minutes < 60) { return RELATIVE.format(-Math.max(minutes, 0), "minute"); }
      if (minutes < 1440) { return RELATIVE.format(-Math.floor(minutes / 60), "hour"); }
      return RELATIVE.format(-Math.floor(minutes / 1440), "day");
    }
    if (minutes < 1) { return "just now"; }
    if (minutes < 60) { return minutes + " min ago"; }
    var hours = Math.floor(minutes / 60);
    if (hours < 24) { return hours + " h ago"; }
    var days = Math.floor(hours / 24);
    return days === 1 ? "1 day ago" : days + " days ago";
  }

  function local(then) {
    try {
      return then.toLocaleString(undefined, {
        day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
        timeZoneName: "short"
      });
    } catch (e) {
      return then.toString();
    }
  }

  function render() {
    var now = Date.now();
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i], then = new Date(el.getAttribute("datetime"));
      if (isNaN(then.getTime())) { continue; }
      if (el.classList.contains("rel")) {
        el.textContent = ago(then, now);
        el.title = local(then);
      } else if (!el.hasAttribute("data-local")) {
        el.textContent = local(then);
      }
      el.setAttribute("data-local", "");
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
  window.setInterval(render, MINUTE);
}());
