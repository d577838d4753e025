/* Site search (theme/templates/search.html). Vanilla JS, no build step, no inline script.
 * Runs on the search page only. Pagefind's bundle (pagefind.js, its WebAssembly and the index
 * fragments, built by plugins/search into <site>/pagefind/) is imported only once the reader
 * searches: a ?q= in the address, a submit, or focus on the field (to warm it up). Results show
 * title (link), section, date and an excerpt; every piece of text is set as text, never as HTML
 * (the excerpt's <mark> highlights are rebuilt as elements), so a hostile query or page shows as
 * typed. Without JavaScript the page's <noscript> offers the archives and sections; when the
 * index cannot be loaded, #search-fallback says so and offers the same.
 */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form[data-bundle]");
  if (!form) return;
  var input = form.elements.q;
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var fallback = document.getElementById("search-fallback");
  var MAX_RESULTS = 20;
  var baseTitle = document.title;
  var engine = null;  // the promise of Pagefind's module, once asked for
  var latest = 0;  // the number of the newest search: older answers arriving late are dropped

  function load() {
    if (!engine) {
      engine = import(form.dataset.bundle).then(function (pagefind) {
        // Result URLs are site paths; the site may live below a path of its host.
        var base = new URL(form.dataset.site, window.location.href).pathname;
        return Promise.resolve(pagefind.options({ baseUrl: base })).then(function () { return pagefind; });
      }).catch(function (error) {
        engine = null;  // the next search tries again
        throw error;
      });
    }
    return engine;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Pagefind's excerpt is the page text with < and > escaped and the matches in <mark>: split on
   * the marks, unescape, and append every part as a text node. */
  function appendExcerpt(parent, excerpt) {
    var marked = false;
    String(excerpt || "").split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      if (!part) return;
      var text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      parent.appendChild(marked ? element("mark", "", text) : document.createTextNode(text));
    });
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var item = element("li", "search-result");
    var heading = element("h2", "search-result-title");
    var link = element("a", "", meta.title || data.url);
    link.href = data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    if (meta.section || meta.date) {
      var line = element("p", "search-result-meta");
      if (meta.section) line.appendChild(element("span", "search-result-section", meta.section));
      if (meta.section && meta.date) line.appendChild(document.createTextNode(" · "));
      if (meta.date) {
        var time = element("time", "", meta.date);
        if (meta.published) time.dateTime = meta.published;
        line.appendChild(time);
      }
      item.appendChild(line);
    }
    var excerpt = element("p", "search-result-excerpt");
    appendExcerpt(excerpt, data.excerpt);
    item.appendChild(excerpt);
    return item;
  }

  function say(text) { status.textContent = text; }

  function unavailable() {
    say("Search is unavailable: the search index could not be loaded.");
    fallback.hidden = false;
  }

  function search(query) {
    var number = ++latest;
    list.replaceChildren();
    fallback.hidden = true;
    document.title = query ? "Search: " + query + " — " + baseTitle : baseTitle;
    if (!query) { say(""); return; }
    say("Searching…");
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (found) {
      var shown = found.results.slice(0, MAX_RESULTS);
      return Promise.all(shown.map(function (result) { return result.data(); })).then(function (pages) {
        if (number !== latest) return;
        pages.forEach(function (data) { list.appendChild(resultItem(data)); });
        var total = found.results.length;
        if (!total) say("No results for “" + query + "”.");
        else if (total > shown.length) say("The first " + shown.length + " of " + total + " results for “" + query + "”.");
        else say(total + (total === 1 ? " result" : " results") + " for “" + query + "”.");
      });
    }).catch(function () {
      if (number === latest) unavailable();
    });
  }

  function queryInAddress() {
    return (new URLSearchParams(window.location.search).get("q") || "").trim();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = input.value.trim();
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    if (url.href !== window.location.href) window.history.pushState(null, "", url.href);
    search(query);
  });
  window.addEventListener("popstate", function () {
    input.value = queryInAddress();
    search(input.value);
  });
  input.addEventListener("focus", function () {
    load().catch(function () { /* said when the reader searches */ });
  }, { once: true });

  input.value = queryInAddress();
  if (input.value) search(input.value);
})();
