// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function longDate(d) { return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear(); }

  // "Copy citation": the retrieval date becomes the reader's date at copy time.
  function setupCopy() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!target || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent;
        var stamp = target.getAttribute("data-retrieved");
        var today = longDate(new Date());
        if (stamp) { text = text.replace(new RegExp(stamp.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.\\s*$"), today + "."); }
        navigator.clipboard.writeText(text).then(function () {
          if (status) { status.textContent = "Citation copied (retrieved " + today + ")."; }
        }, function () {
          if (status) { status.textContent = "Could not copy; select the text and copy it instead."; }
        });
      });
    });
  }

  // "/" focuses the search box, as on most search-heavy sites.
  function setupSlash() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
      var box = document.getElementById("q") || document.getElementById("header-q");
      if (box) { e.preventDefault(); box.focus(); }
    });
  }

  // -- search: Pagefind over the index shards, started at most once per page ------
  // The search page starts it as it loads, the header box when it gets focus, so
  // Pagefind's library, its WebAssembly and every shard's metadata arrive before the
  // first query. pagefind/shards.json lists the shards (generator/search.py,
  // write_browser_manifest): the first one's Pagefind runs, the others are merged
  // into it, each tagged with a "shard" filter so results can be told apart by shard.
  var started = null;
  function startSearch(base, index) {
    if (started) { return started; }
    started = (async function () {
      var listing = await fetch(index + "shards.json");
      if (!listing.ok) { throw new Error("no search index (" + listing.status + ")"); }
      var shards = (await listing.json()).shards || [];
      if (!shards.length) { throw new Error("the search index lists no shards"); }
      var pagefind = await import(base + shards[0].path + "pagefind.js");
      var tagged = function (i) {
        var o = { baseUrl: base, excerptLength: 30 };
        if (shards.length > 1) { o.mergeFilter = { shard: String(i) }; }
        return o;
      };
      await pagefind.options(tagged(0));
      await Promise.all(shards.slice(1).map(function (shard, i) {
        return pagefind.mergeIndex(base + shard.path, tagged(i + 1));
      }));
      await pagefind.search(""); // resolves once every shard's metadata is in
      return { pagefind: pagefind, shards: shards };
    })();
    return started;
  }
  window.digestSearch = startSearch;

  // The header box on other pages: start search on focus, and at each pause in typing
  // search what is typed and fetch the text of its first page of results, so the
  // search page it submits to finds the index chunks and results in the browser's cache.
  var PRELOAD_MS = 150;
  var FIRST_PAGE = 20; // results on the search page's first page (search.js PAGE_SIZE)
  function setupHeaderSearch() {
    var form = document.querySelector(".header-search");
    var box = document.getElementById("header-q");
    if (!form || !box || document.getElementById("search")) { return; }
    var base = form.getAttribute("data-base"), index = form.getAttribute("data-index");
    if (!base || !index) { return; }
    var timer = null;
    var ignore = function () {};
    box.addEventListener("focus", function () { startSearch(base, index).catch(ignore); });
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 3) { return; }
        startSearch(base, index).then(function (s) { return s.pagefind.search(q); }).then(function (found) {
          if (box.value.trim() !== q) { return null; }
          return Promise.all(found.results.slice(0, FIRST_PAGE).map(function (r) { return r.data(); }));
        }).catch(ignore);
      }, PRELOAD_MS);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupCopy(); setupSlash(); setupHeaderSearch(); });
  } else { setupCopy(); setupSlash(); setupHeaderSearch(); }
})();
