/* wiredesk live pages: follow /events while the page is open (no framework, no inline
   script; the site works the same without it). An article page listens for its own story:
   a takedown replaces the article with the notice the server now answers for it (410), an
   update offers the new version. The front page announces new urgent stories. Messages go
   to the page's aria-live region, so screen readers hear them too. */
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch) { return; }
  var region = document.getElementById("live-status");
  if (!region) { return; }
  var storyId = region.getAttribute("data-story-id");
  var maxUrgency = parseInt(region.getAttribute("data-urgent") || "2", 10);
  /* The words are the page's (data-msg-*, in the site's language); English if absent. */
  function words(name, fallback) { return region.getAttribute("data-msg-" + name) || fallback; }
  var url = storyId ? "/events?story=" + encodeURIComponent(storyId) : "/events?events=new";
  var source = new EventSource(url);
  source.addEventListener("open", function () {
    document.documentElement.setAttribute("data-live", "open");  /* for tests and styling */
  });

  function parse(event) {
    try { return JSON.parse(event.data); } catch (e) { return null; }
  }

  function say(parts) {
    /* parts: text, or {href, text} for a link; built with DOM calls, never innerHTML. */
    var box = document.createElement("p");
    box.className = "live-message";
    parts.forEach(function (part) {
      if (typeof part === "string") { box.appendChild(document.createTextNode(part)); return; }
      var link = document.createElement("a");
      link.href = part.href;
      link.textContent = part.text;
      box.appendChild(link);
    });
    region.replaceChildren(box);
  }

  function fallbackNotice() {
    var template = document.getElementById("live-takedown");
    return template ? template.content.cloneNode(true) : null;
  }

  function takeDown() {
    source.close();
    var article = document.querySelector("article.story");
    fetch(window.location.pathname, {cache: "no-store", credentials: "same-origin"})
      .then(function (answer) { return answer.text().then(function (html) { return [answer.status, html]; }); })
      .then(function (got) {
        var notice = null;
        if (got[0] === 410 || got[0] === 404) {
          var page = new DOMParser().parseFromString(got[1], "text/html");
          var fresh = page.getElementById("main");
          if (fresh) {
            notice = document.createDocumentFragment();
            Array.prototype.forEach.call(fresh.childNodes, function (node) {
              notice.appendChild(document.importNode(node, true));
            });
          }
          if (page.title) { document.title = page.title; }
        }
        return notice || fallbackNotice();
      }, fallbackNotice)
      .then(function (notice) {
        if (article && notice) { article.replaceWith(notice); }
        var bar = document.querySelector(".now-reading");
        if (bar) { bar.remove(); }
        /* The story's words leave the head too: title, description, cards, JSON-LD. */
        document.querySelectorAll('meta[name="description"], meta[property^="og:"], ' +
          'meta[property^="article:"], script[type="application/ld+json"]')
          .forEach(function (node) { node.remove(); });
        var goneTitle = words("gone-title", "Story no longer available");
        if (document.title.indexOf(goneTitle) < 0) { document.title = goneTitle; }
        document.documentElement.setAttribute("data-taken-down", "true");
        say([words("withdrawn", "This story has been withdrawn and is no longer available.")]);
      });
  }

  source.addEventListener("takedown", function (event) {
    var data = parse(event);
    if (storyId && data && String(data.id) === storyId) { takeDown(); }
  });
  source.addEventListener("update", function (event) {
    var data = parse(event);
    if (!storyId || !data || String(data.id) !== storyId) { return; }
    say([words("updated", "This story has been updated \u2014") + " ", {
      href: data.path || window.location.pathname,
      text: words("show-new", "show the new version")}]);
  });
  source.addEventListener("new", function (event) {
    var data = parse(event);
    if (storyId || !data || !data.headline || !data.urgency || data.urgency > maxUrgency) { return; }
    say([words("urgent", "Urgent:") + " ", {href: data.path, text: data.headline}]);
  });
})();
