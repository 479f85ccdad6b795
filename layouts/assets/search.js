// Search page: Pagefind's JavaScript API with our own accessible results and filters.
// The page works without this file: the form is a plain GET form to search/?q=...
// State lives in the URL (?q=...&action=Implement&tag=...&sort=newest), so searches
// can be shared, survive reload, and Back/Forward restore them.
//
// What loads when (an intranet is not loopback):
// - as the page loads: the search worker, Pagefind, its WebAssembly and every
//   shard's metadata (window.digestSearch in site.js, assets/search-worker.js), once;
// - as the reader types: the index chunks of the words typed so far;
// - for a query: its first page of results, each shown as soon as its text arrives;
//   filter counts come afterwards and never hold the list back;
// - arriving from the header box on another page: the first results that box already
//   found (site.js), shown at once, then checked against this page's own search once
//   Pagefind has loaded here (a result both have stays on screen as it is);
// - a filter group's data only once the reader opens that group (or the URL selects
//   values in it), never for every query.
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) { return; }

  var GROUPS = [
    { key: "action", label: "Action label" },
    { key: "year", label: "Year" },
    { key: "section", label: "Section" },
    { key: "jurisdiction", label: "Jurisdiction" },
    { key: "source", label: "Source" },
    { key: "tag", label: "Tag" }
  ];
  var PAGE_SIZE = 20;
  var TYPING_MS = 150;     // search this long after the last keystroke
  var PRELOAD_CHARS = 3;   // fetch a word's index chunks while typing, from this many letters
  var NEW_ENTRY_MS = 1500; // typing after a pause this long starts a new history entry
  var HANDOFF_KEY = "digest-search-first-page"; // written by site.js's header box
  var HANDOFF_MAX_AGE_MS = 60000;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  var base = root.getAttribute("data-base") || "/";
  var index = root.getAttribute("data-index") || base + "pagefind/";
  // A word on every indexed page (generator/templates.py): the query for "filters only".
  var everyWord = root.getAttribute("data-every") || null;
  var actionOrder = (root.getAttribute("data-actions") || "").split("|").filter(Boolean);
  var sectionOrder = (root.getAttribute("data-sections") || "").split("|").filter(Boolean);

  var form = document.getElementById("search-form");
  var input = document.getElementById("q");
  var controls = document.getElementById("search-controls");
  var sortSelect = document.getElementById("search-sort");
  var filtersBox = document.getElementById("search-filters");
  var clearButton = document.getElementById("search-clear");
  var statusBox = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var moreButton = document.getElementById("search-more");
  var headerForm = document.querySelector(".header-search");
  var headerInput = document.getElementById("header-q");

  var engine = window.digestSearch ? window.digestSearch(base, index) : Promise.reject(new Error("site.js not loaded"));
  engine.catch(function () {}); // reported by start()
  var groupParts = {};    // filter -> {details, fieldset, note}
  var countSpans = {};    // filter -> value -> <span> showing its count
  var boxes = {};         // filter -> value -> checkbox
  var current = null;     // the shown search: {handle, total} (the worker keeps its results)
  var shownCount = 0;
  var searchSeq = 0;
  var countSeq = 0;
  var typingTimer = null;
  var lastEntryAt = 0;
  var lastEntryKind = "";

  // -- state <-> URL ---------------------------------------------------------
  function emptyState() {
    var s = { q: "", sort: "", filters: {} };
    GROUPS.forEach(function (g) { s.filters[g.key] = []; });
    return s;
  }

  function stateFromUrl() {
    var params = new URLSearchParams(window.location.search);
    var s = emptyState();
    s.q = (params.get("q") || "").trim();
    s.sort = params.get("sort") === "newest" ? "newest" : "";
    GROUPS.forEach(function (g) {
      params.getAll(g.key).forEach(function (v) {
        if (v && s.filters[g.key].indexOf(v) < 0) { s.filters[g.key].push(v); }
      });
    });
    return s;
  }

  function stateFromForm() {
    var s = emptyState();
    s.q = input.value.trim();
    s.sort = sortSelect.value === "newest" ? "newest" : "";
    GROUPS.forEach(function (g) {
      var values = boxes[g.key] || {};
      Object.keys(values).forEach(function (v) { if (values[v].checked) { s.filters[g.key].push(v); } });
    });
    return s;
  }

  function urlFor(s) {
    var params = new URLSearchParams();
    if (s.q) { params.append("q", s.q); }
    GROUPS.forEach(function (g) { s.filters[g.key].forEach(function (v) { params.append(g.key, v); }); });
    if (s.sort) { params.append("sort", s.sort); }
    var qs = params.toString();
    return window.location.pathname + (qs ? "?" + qs : "");
  }

  // kind: "typing" merges quick successive keystrokes into one history entry.
  function remember(s, kind) {
    var url = urlFor(s);
    if (url === window.location.pathname + window.location.search) { return; }
    var now = Date.now();
    if (kind === "typing" && lastEntryKind === "typing" && now - lastEntryAt < NEW_ENTRY_MS) {
      window.history.replaceState(null, "", url);
    } else {
      window.history.pushState(null, "", url);
    }
    lastEntryAt = now;
    lastEntryKind = kind;
  }

  function applyToForm(s) {
    input.value = s.q;
    if (headerInput) { headerInput.value = s.q; }
    sortSelect.value = s.sort;
    GROUPS.forEach(function (g) {
      s.filters[g.key].forEach(function (v) { ensureOption(g, v); });
      var values = boxes[g.key] || {};
      Object.keys(values).forEach(function (v) { values[v].checked = s.filters[g.key].indexOf(v) >= 0; });
    });
    updateGroupSummaries(s);
  }

  // -- filter panel ----------------------------------------------------------
  // Every group starts closed and empty: its values and counts are fetched when it opens.
  function compareValues(key) {
    var order = key === "action" ? actionOrder : key === "section" ? sectionOrder : null;
    return function (a, b) {
      if (order) {
        var ia = order.indexOf(a), ib = order.indexOf(b);
        if (ia !== ib) { return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib); }
      }
      if (key === "year") { return a < b ? 1 : a > b ? -1 : 0; }
      return a.localeCompare(b, undefined, { sensitivity: "base" });
    };
  }

  var optionSeq = 0;
  function ensureOption(g, value) {
    if (boxes[g.key][value]) { return boxes[g.key][value]; }
    var id = "filter-" + g.key + "-" + (++optionSeq);
    var row = document.createElement("div");
    row.className = "search-option";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = id;
    box.name = g.key;
    box.value = value;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.appendChild(document.createTextNode(value + " "));
    var count = document.createElement("span");
    count.className = "search-count";
    label.appendChild(count);
    row.appendChild(box);
    row.appendChild(label);
    // keep the rows in order: insert before the first row that sorts after this value
    var compare = compareValues(g.key);
    var fieldset = groupParts[g.key].fieldset;
    var after = Object.keys(boxes[g.key]).filter(function (v) { return compare(v, value) > 0; })
      .sort(compare)[0];
    fieldset.insertBefore(row, after ? boxes[g.key][after].parentNode : groupParts[g.key].note);
    boxes[g.key][value] = box;
    countSpans[g.key][value] = count;
    return box;
  }

  function buildFilters() {
    GROUPS.forEach(function (g) {
      boxes[g.key] = {};
      countSpans[g.key] = {};
      var details = document.createElement("details");
      details.className = "search-group";
      details.setAttribute("data-filter", g.key);
      var summary = document.createElement("summary");
      summary.id = "filter-summary-" + g.key;
      summary.textContent = g.label;
      details.appendChild(summary);
      var fieldset = document.createElement("fieldset");
      fieldset.id = "filter-group-" + g.key;
      var legend = document.createElement("legend");
      legend.className = "visually-hidden";
      legend.textContent = g.label;
      fieldset.appendChild(legend);
      var note = document.createElement("p");
      note.className = "search-none";
      note.textContent = "Counting\u2026";
      fieldset.appendChild(note);
      details.appendChild(fieldset);
      filtersBox.appendChild(details);
      groupParts[g.key] = { details: details, fieldset: fieldset, note: note };
      details.addEventListener("toggle", function () {
        // while a search runs, it counts the open groups itself once its results are shown
        var state = root.getAttribute("data-state");
        if (details.open && (state === "done" || state === "idle")) { countGroups(stateFromForm(), [g]); }
      });
    });
  }

  function openGroups() {
    return GROUPS.filter(function (g) { return groupParts[g.key].details.open; });
  }

  function updateGroupSummaries(s) {
    var any = false;
    GROUPS.forEach(function (g) {
      var summary = document.getElementById("filter-summary-" + g.key);
      var n = s.filters[g.key].length;
      if (n) { any = true; summary.parentNode.open = true; }
      if (summary) { summary.textContent = g.label + (n ? " (" + n + " selected)" : ""); }
    });
    clearButton.hidden = !any;
  }

  function showCounts(g, counts) {
    var parts = groupParts[g.key];
    Object.keys(counts || {}).forEach(function (v) { ensureOption(g, v); });
    var spans = countSpans[g.key];
    Object.keys(spans).forEach(function (v) {
      var n = (counts && counts[v]) || 0;
      spans[v].textContent = "(" + n + ")";
      spans[v].parentNode.parentNode.classList.toggle("is-empty", n === 0);
    });
    parts.note.hidden = Object.keys(spans).length > 0;
    parts.note.textContent = "None in this site.";
  }

  // -- searching -------------------------------------------------------------
  function pagefindFilters(s, except) {
    var f = {};
    GROUPS.forEach(function (g) {
      if (g.key !== except && s.filters[g.key].length) { f[g.key] = { any: s.filters[g.key].slice() }; }
    });
    return f;
  }

  function hasFilters(s, except) {
    return GROUPS.some(function (g) { return g.key !== except && s.filters[g.key].length > 0; });
  }

  function termOf(s) {
    return s.q || everyWord;
  }

  function byDate(s) {
    return s.sort === "newest" || !s.q;
  }

  // Counts for the open groups (or just `groups`), after the results are on screen.
  // A group without selections counts within the current results; a group with
  // selections counts as if it had none (values in one group are alternatives:
  // Implement OR Decide). A group's filter data loads with its first count.
  async function countGroups(s, groups) {
    var seq = countSeq; // a new search (run) makes these counts stale
    groups = (groups || openGroups()).filter(function (g) { return groupParts[g.key].details.open; });
    if (!groups.length) {
      root.setAttribute("data-counts", "done");
      return;
    }
    var request = { term: termOf(s), filters: pagefindFilters(s), plain: [], selected: {} };
    groups.forEach(function (g) {
      if (s.filters[g.key].length) { request.selected[g.key] = pagefindFilters(s, g.key); } else { request.plain.push(g.key); }
    });
    var counts;
    try {
      counts = await (await engine).call("counts", [request]);
    } catch (err) {
      return;
    }
    if (seq !== countSeq) { return; }
    groups.forEach(function (g) { showCounts(g, counts[g.key]); });
    root.setAttribute("data-counts", "done");
  }

  async function run(s) {
    var seq = ++searchSeq;
    ++countSeq;
    root.setAttribute("data-counts", "pending");
    updateGroupSummaries(s);
    if (!s.q && !hasFilters(s)) {
      current = null;
      list.replaceChildren();
      list.removeAttribute("data-count");
      list.removeAttribute("aria-busy");
      moreButton.hidden = true;
      setStatus("Type a word to search all briefs and weekly digests, or choose a filter.");
      root.setAttribute("data-state", "idle");
      countGroups(s);
      return;
    }
    root.setAttribute("data-state", "searching");
    list.setAttribute("aria-busy", "true");
    // The results on screen stay until the first one that differs arrives; those before
    // it (the same page with the same excerpt) are kept as they are, focus included.
    var at = 0;
    var show = function (item) {
      if (seq !== searchSeq) { return; }
      var old = list.children[at];
      if (old && old.digestKey === keyOf(item)) { at++; return; }
      while (list.children.length > at) { list.removeChild(list.lastChild); }
      list.appendChild(renderResult(item));
      at++;
    };
    var done;
    try {
      var request = { term: termOf(s), filters: pagefindFilters(s), byDate: byDate(s), size: PAGE_SIZE };
      done = await (await engine).call("search", [request], show);
    } catch (err) {
      if (seq === searchSeq) { unavailable(); }
      return;
    }
    if (seq !== searchSeq) { return; } // a newer search has started
    while (list.children.length > at) { list.removeChild(list.lastChild); }
    current = { handle: done.handle, total: done.total };
    shownCount = done.shown;
    updateMore(done.total);
    list.setAttribute("data-count", String(done.total));
    list.removeAttribute("aria-busy");
    setStatus(describe(s, done.total));
    root.setAttribute("data-state", "done");
    countGroups(s);
  }

  // The next page of results, each shown as soon as it and those above it have arrived.
  async function showMore() {
    if (moreButton.disabled) { return; }
    moreButton.disabled = true;
    try {
      await nextPage();
    } finally {
      moreButton.disabled = false;
    }
  }

  async function nextPage() {
    var seq = searchSeq;
    var first = true;
    var done = await (await engine).call("more", [current.handle, shownCount, PAGE_SIZE], function (item) {
      if (seq !== searchSeq) { return; }
      var el = renderResult(item);
      list.appendChild(el);
      if (first) { el.querySelector("a").focus(); first = false; }
    });
    if (seq !== searchSeq) { return; }
    shownCount = done.shown;
    updateMore(done.total);
  }

  function updateMore(total) {
    var left = total - shownCount;
    moreButton.hidden = left <= 0;
    moreButton.textContent = "Show " + Math.min(left, PAGE_SIZE) + " more result" + (Math.min(left, PAGE_SIZE) === 1 ? "" : "s");
  }

  function describe(s, n) {
    var text = n === 0 ? "No results" : n === 1 ? "1 result" : n + " results";
    if (s.q) { text += " for \u201c" + s.q + "\u201d"; }
    var parts = [];
    GROUPS.forEach(function (g) {
      if (s.filters[g.key].length) { parts.push(g.label + ": " + s.filters[g.key].join(" or ")); }
    });
    if (parts.length) { text += ", filtered by " + parts.join("; "); }
    if (s.q && s.sort === "newest") { text += ", newest first"; }
    text += ".";
    if (n === 0) { text += " Try other words" + (parts.length ? " or clear the filters" : "") + "."; }
    return text;
  }

  function setStatus(text) {
    if (statusBox.textContent !== text) { statusBox.textContent = text; }
  }

  function unavailable() {
    root.setAttribute("data-state", "unavailable");
    controls.hidden = true;
    list.removeAttribute("aria-busy");
    setStatus("Search is not available on this copy of the site. Browse all briefs, tags or weekly digests instead.");
  }

  // -- one result --------------------------------------------------------------
  function longDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1] : "";
  }

  function slug(text) {
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  // Pagefind excerpts are text with <mark> around matched words. Parse them in an
  // inert document and copy back only text and <mark>: nothing else can get through.
  function excerptNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    (function walk(node) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === 3) {
          out.appendChild(document.createTextNode(child.nodeValue));
        } else if (child.nodeType === 1 && child.tagName === "MARK") {
          var mark = document.createElement("mark");
          mark.textContent = child.textContent;
          out.appendChild(mark);
        } else if (child.nodeType === 1) {
          walk(child);
        }
      });
    })(doc.body);
    return out;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  // The same separator as the site's meta lines: a dot drawn by CSS, a comma for text.
  function separator(parent) {
    var sep = element("span", "sep");
    sep.appendChild(element("span", "sr-text", ", "));
    parent.appendChild(sep);
  }

  function keyOf(d) {
    return d.url + "\n" + (d.excerpt || "");
  }

  function renderResult(d) {
    var meta = d.meta || {};
    var item = element("li", "search-result" + (meta.kind === "issue" ? " search-result-issue" : ""));
    item.digestKey = keyOf(d);
    var heading = element("h2", "search-result-title");
    var link = element("a", "", meta.title || d.url);
    link.href = d.url;
    heading.appendChild(link);
    item.appendChild(heading);

    var line = element("p", "meta");
    if (meta.date) {
      var time = element("time", "", longDate(meta.date));
      time.setAttribute("datetime", meta.date);
      line.appendChild(time);
    }
    var facts = meta.kind === "issue" ? ["Weekly digest"] : [meta.source, meta.section];
    facts.forEach(function (fact) {
      if (!fact) { return; }
      if (line.childNodes.length) { separator(line); }
      line.appendChild(document.createTextNode(fact));
    });
    item.appendChild(line);

    var actions = (meta.actions || "").split("|").filter(Boolean);
    if (actions.length) {
      var labels = element("p", "search-result-labels");
      labels.appendChild(element("span", "visually-hidden", "Action labels: "));
      actions.forEach(function (a, i) {
        if (i) { labels.appendChild(element("span", "visually-hidden", ", ")); labels.appendChild(document.createTextNode(" ")); }
        labels.appendChild(element("span", "label label-" + slug(a), a));
      });
      item.appendChild(labels);
    }

    var excerpt = element("p", "search-result-excerpt");
    if (d.excerpt && /<mark>/.test(d.excerpt)) {
      excerpt.appendChild(excerptNodes(d.excerpt));
    } else {
      excerpt.textContent = meta.standfirst || "";
      if (!meta.standfirst && d.excerpt) { excerpt.appendChild(excerptNodes(d.excerpt)); }
    }
    item.appendChild(excerpt);
    return item;
  }

  // -- wiring ----------------------------------------------------------------
  // Each keystroke fetches the index chunks for the words so far; the search itself
  // waits for a pause in typing.
  function onTyping() {
    window.clearTimeout(typingTimer);
    root.setAttribute("data-state", "typing");
    var q = input.value.trim();
    if (q.length >= PRELOAD_CHARS) {
      engine.then(function (search) { return search.call("preload", [q]); }).catch(function () {});
    }
    typingTimer = window.setTimeout(function () {
      var s = stateFromForm();
      remember(s, "typing");
      run(s);
    }, TYPING_MS);
  }

  function onChange() {
    var s = stateFromForm();
    remember(s, "choice");
    run(s);
  }

  function resultLinks() {
    return Array.prototype.slice.call(list.querySelectorAll(".search-result-title a"));
  }

  function onArrowKeys(e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
    var links = resultLinks();
    if (!links.length) { return; }
    var at = links.indexOf(document.activeElement);
    if (e.target === input) {
      if (e.key !== "ArrowDown") { return; }
      e.preventDefault();
      links[0].focus();
      return;
    }
    if (at < 0) { return; }
    e.preventDefault();
    if (e.key === "ArrowDown" && at < links.length - 1) { links[at + 1].focus(); }
    if (e.key === "ArrowUp") { (at > 0 ? links[at - 1] : input).focus(); }
  }

  function wire() {
    input.addEventListener("input", onTyping);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      window.clearTimeout(typingTimer);
      onChange();
    });
    form.addEventListener("change", function (e) {
      if (e.target !== input) { onChange(); }
    });
    clearButton.addEventListener("click", function () {
      var s = stateFromForm();
      GROUPS.forEach(function (g) { s.filters[g.key] = []; });
      applyToForm(s);
      remember(s, "choice");
      run(s);
      input.focus();
    });
    moreButton.addEventListener("click", function () { showMore().catch(function () {}); });
    input.addEventListener("keydown", onArrowKeys);
    list.addEventListener("keydown", onArrowKeys);
    if (headerForm && headerInput) {
      headerForm.addEventListener("submit", function (e) {
        e.preventDefault();
        input.value = headerInput.value;
        onChange();
        input.focus();
      });
    }
    window.addEventListener("popstate", function () {
      var s = stateFromUrl();
      lastEntryKind = "";
      applyToForm(s);
      run(s);
    });
  }

  // -- arriving from the header box ---------------------------------------------
  // The first results (or none) the header box on the previous page found for this very
  // query, in this tab, within the last minute; read once. Anything else is ignored.
  function handedOver(s) {
    var record;
    try {
      record = JSON.parse(window.sessionStorage.getItem(HANDOFF_KEY) || "null");
      window.sessionStorage.removeItem(HANDOFF_KEY);
    } catch (err) {
      return null;
    }
    if (!record || typeof record !== "object" || !s.q || record.q !== s.q || s.sort || hasFilters(s)) { return null; }
    var age = Date.now() - record.at;
    if (record.base !== base || !(age >= 0 && age < HANDOFF_MAX_AGE_MS)) { return null; }
    if (typeof record.total !== "number" || !Array.isArray(record.items)) { return null; }
    if (!record.items.length && record.total !== 0) { return null; }
    return record.items.every(sound) ? record : null;
  }

  // A result as the search worker sends it: a link into this site, text fields only.
  function sound(d) {
    if (!d || typeof d.url !== "string" || d.url.indexOf(base) !== 0) { return false; }
    var url;
    try { url = new URL(d.url, window.location.href); } catch (err) { return false; }
    if (url.origin !== window.location.origin || url.pathname.indexOf(base) !== 0) { return false; }
    if (d.excerpt !== undefined && typeof d.excerpt !== "string") { return false; }
    var meta = d.meta;
    return !!meta && typeof meta === "object" &&
      Object.keys(meta).every(function (k) { return typeof meta[k] === "string"; });
  }

  function showHandedOver(s, record) {
    record.items.forEach(function (item) { list.appendChild(renderResult(item)); });
    list.setAttribute("data-count", String(record.total));
    setStatus(describe(s, record.total));
  }

  async function start() {
    var s = stateFromUrl();
    input.value = s.q;
    if (headerInput) { headerInput.value = s.q; }
    buildFilters();
    applyToForm(s);
    wire();
    var given = handedOver(s);
    if (given) { showHandedOver(s, given); }
    run(s); // waits for Pagefind; typing meanwhile starts a newer search that wins
    try {
      await engine;
    } catch (err) {
      unavailable();
      return;
    }
    controls.hidden = false;
  }

  start();
})();
