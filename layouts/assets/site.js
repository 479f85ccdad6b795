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

  // -- search: a worker running Pagefind, started at most once per page -------------
  // The search page starts it as it loads, the header box when it gets focus, so
  // Pagefind's library, its WebAssembly and every shard's metadata arrive before the
  // first query. assets/search-worker.js does the searching; this is its messenger:
  // call(op, args, onItem) resolves with the worker's answer, and passes each item the
  // worker streams before it (results, as their text arrives) to onItem.
  var started = null;
  function startSearch(base, index) {
    if (started) { return started; }
    started = new Promise(function (resolve, reject) {
      // the shard list comes while the worker's script loads, not after
      var listing = fetch(index + "shards.json").then(function (response) {
        if (!response.ok) { throw new Error("no search index (" + response.status + ")"); }
        return response.json();
      });
      listing.catch(function () {}); // reported through `started`
      var worker;
      try {
        worker = new Worker(base + "assets/search-worker.js", { type: "module" });
      } catch (err) {
        reject(err);
        return;
      }
      var pending = {};
      var seq = 0;
      var call = function (op, args, onItem) {
        return new Promise(function (res, rej) {
          var id = ++seq;
          pending[id] = { res: res, rej: rej, onItem: onItem };
          worker.postMessage({ id: id, op: op, args: args || [] });
        });
      };
      worker.addEventListener("message", function (e) {
        var m = e.data;
        var p = pending[m.id];
        if (!p) { return; }
        if (m.item) {
          if (p.onItem) { p.onItem(m.item); }
          return;
        }
        delete pending[m.id];
        if (m.error) { p.rej(new Error(m.error)); } else { p.res(m.result); }
      });
      worker.addEventListener("error", function (e) {
        e.preventDefault();
        Object.keys(pending).forEach(function (id) { pending[id].rej(new Error("the search worker failed")); });
        pending = {};
        reject(new Error("the search worker failed"));
      });
      listing.then(function (manifest) { return call("start", [base, manifest]); })
        .then(function () { resolve({ call: call }); }, reject);
    });
    return started;
  }
  window.digestSearch = startSearch;

  // The header box on other pages: start search on focus, fetch the index chunks of
  // what is typed at each keystroke, and at each pause search it and fetch the text of
  // its first page of results, so the search page it submits to finds them all in the
  // browser's cache.
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
      var typed = box.value.trim();
      if (typed.length >= 3) {
        startSearch(base, index).then(function (search) { return search.call("preload", [typed]); }).catch(ignore);
      }
      timer = window.setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 3) { return; }
        startSearch(base, index).then(function (search) { return search.call("prefetch", [q, FIRST_PAGE]); }).catch(ignore);
      }, PRELOAD_MS);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupCopy(); setupSlash(); setupHeaderSearch(); });
  } else { setupCopy(); setupSlash(); setupHeaderSearch(); }
})();
