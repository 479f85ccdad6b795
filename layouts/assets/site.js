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
      if (!target || !navigator.clipboard || button.digestReady) { return; }
      button.digestReady = true;
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
  // call(op, args, onItem, onTotal) resolves with the worker's answer, and passes each
  // item the worker streams before it (results, as their text arrives) to onItem, and
  // a search's total, as soon as it is known, to onTotal.
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
      var call = function (op, args, onItem, onTotal) {
        return new Promise(function (res, rej) {
          var id = ++seq;
          pending[id] = { res: res, rej: rej, onItem: onItem, onTotal: onTotal };
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
        if (m.total !== undefined && !("result" in m)) {
          if (p.onTotal) { p.onTotal(m.total); }
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

  // The header box on other pages. Focus starts search (above); each keystroke fetches
  // the index chunks of what is typed; a pause in typing searches it. Enter waits for
  // that search's first results (HANDOFF_ITEMS of them, or all there are) and hands
  // them to the search page it submits to (sessionStorage, this tab only), which shows
  // them at once and checks them against its own search, which adds the rest of its
  // first page, when its Pagefind has loaded (search.js). Waiting here is quicker than
  // going at once: this page's Pagefind is already running, the search page's would
  // have to start first. Without JavaScript, when search is unavailable or fails, or
  // after HANDOFF_MS, the form submits as it is.
  var PAUSE_MS = 300;     // a pause this long searches what is typed (each search costs the worker time)
  var FIRST_PAGE = 20;    // results on the search page's first page (search.js PAGE_SIZE)
  var HANDOFF_ITEMS = 5;  // about a screenful
  var HANDOFF_MS = 3000;  // the longest Enter waits before going to the search page anyway
  var HANDOFF_KEY = "digest-search-first-page";
  function setupHeaderSearch() {
    var form = document.querySelector(".header-search");
    var box = document.getElementById("header-q");
    if (!form || !box || form.digestReady || document.getElementById("search")) { return; }
    form.digestReady = true;
    var base = form.getAttribute("data-base"), index = form.getAttribute("data-index");
    if (!base || !index) { return; }
    var timer = null;
    var latest = null;    // the last search started here: {q, result}
    var leaving = false;  // Enter was pressed: the page is on its way to the search page
    var ignore = function () {};

    // The first results for q and their total: {items, total}, resolved once there are
    // enough to hand over (more may follow into items until the page goes).
    function firstResults(q) {
      if (latest && latest.q === q) { return latest.result; }
      var found = { items: [], total: null };
      var result = new Promise(function (resolve, reject) {
        var enough = function () {
          if (found.total !== null && found.items.length >= Math.min(HANDOFF_ITEMS, found.total)) { resolve(found); }
        };
        startSearch(base, index).then(function (search) {
          var request = { term: q, filters: {}, byDate: false, size: FIRST_PAGE };
          return search.call("search", [request], function (item) { found.items.push(item); enough(); },
            function (total) { found.total = total; enough(); });
        }).then(function (done) { found.total = done.total; resolve(found); }, reject);
      });
      result.catch(ignore);
      latest = { q: q, result: result };
      return result;
    }

    function handOver(q, found) {
      var record = { q: q, base: base, at: Date.now(), total: found.total, items: found.items };
      try { window.sessionStorage.setItem(HANDOFF_KEY, JSON.stringify(record)); } catch (err) { /* storage off: no handoff */ }
    }

    box.addEventListener("focus", function () { startSearch(base, index).catch(ignore); });
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var typed = box.value.trim();
      if (typed.length >= 3) {
        startSearch(base, index).then(function (search) { return search.call("preload", [typed]); }).catch(ignore);
      }
      timer = window.setTimeout(function () {
        var q = box.value.trim();
        if (q.length >= 3) { firstResults(q); }
      }, PAUSE_MS);
    });
    form.addEventListener("submit", function (e) {
      var q = box.value.trim();
      if (!q || !started || leaving) { return; } // a plain submit
      e.preventDefault();
      leaving = true;
      form.setAttribute("aria-busy", "true");
      window.clearTimeout(timer);
      var go = function () { form.submit(); };
      var deadline = new Promise(function (resolve) { window.setTimeout(resolve, HANDOFF_MS); });
      Promise.race([firstResults(q), deadline]).then(function (found) {
        if (found) { handOver(q, found); }
      }).then(go, go);
    });
    window.addEventListener("pageshow", function () { // back from the search page
      leaving = false;
      form.removeAttribute("aria-busy");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupCopy(); setupSlash(); setupHeaderSearch(); });
  } else { setupCopy(); setupSlash(); setupHeaderSearch(); }

  // The preview (digest serve) patches a saved page in place rather than reloading it,
  // once every script on the page has said here that it enhances the new elements too.
  if (document.currentScript) {
    (window.digestPatchAware = window.digestPatchAware || []).push(document.currentScript.src);
  }
  document.addEventListener("digest:patched", function () { setupCopy(); setupHeaderSearch(); });
})();
