// Search page: Pagefind's JavaScript API with our own accessible results and filters.
// The page works without this file: the form is a plain GET form to search/?q=...
// State lives in the URL (?q=...&action=Implement&tag=...&sort=newest), so searches
// can be shared, survive reload, and Back/Forward restore them.
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root) { return; }

  var GROUPS = [
    { key: "action", label: "Action label", open: true },
    { key: "year", label: "Year", open: true },
    { key: "section", label: "Section", open: false },
    { key: "jurisdiction", label: "Jurisdiction", open: false },
    { key: "source", label: "Source", open: false },
    { key: "tag", label: "Tag", open: false }
  ];
  var PAGE_SIZE = 20;
  var TYPING_MS = 180;     // wait this long after a keystroke before searching
  var NEW_ENTRY_MS = 1500; // typing after a pause this long starts a new history entry
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  var base = root.getAttribute("data-base") || "/";
  var bundleUrl = root.getAttribute("data-pagefind") || base + "pagefind/pagefind.js";
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

  var pagefind = null;
  var totals = {};        // filter -> value -> count over the whole index
  var countSpans = {};    // filter -> value -> <span> showing its count
  var boxes = {};         // filter -> value -> checkbox
  var results = [];       // the current search's results (not yet loaded)
  var shownCount = 0;
  var searchSeq = 0;
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
  function orderedValues(key, values) {
    var order = key === "action" ? actionOrder : key === "section" ? sectionOrder : null;
    return values.slice().sort(function (a, b) {
      if (order) {
        var ia = order.indexOf(a), ib = order.indexOf(b);
        if (ia !== ib) { return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib); }
      }
      if (key === "year") { return a < b ? 1 : a > b ? -1 : 0; }
      return a.localeCompare(b, undefined, { sensitivity: "base" });
    });
  }

  var optionSeq = 0;
  function makeOption(g, value, fieldset) {
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
    fieldset.appendChild(row);
    boxes[g.key][value] = box;
    countSpans[g.key][value] = count;
    return box;
  }

  function ensureOption(g, value) {
    if (boxes[g.key] && !boxes[g.key][value]) {
      makeOption(g, value, document.getElementById("filter-group-" + g.key));
    }
  }

  function buildFilters() {
    GROUPS.forEach(function (g) {
      boxes[g.key] = {};
      countSpans[g.key] = {};
      var values = orderedValues(g.key, Object.keys(totals[g.key] || {}));
      var details = document.createElement("details");
      details.className = "search-group";
      details.open = g.open;
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
      values.forEach(function (v) { makeOption(g, v, fieldset); });
      if (!values.length) {
        var none = document.createElement("p");
        none.className = "search-none";
        none.textContent = "None in this site.";
        fieldset.appendChild(none);
      }
      details.appendChild(fieldset);
      filtersBox.appendChild(details);
    });
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

  function showCounts(counts) {
    GROUPS.forEach(function (g) {
      var spans = countSpans[g.key] || {};
      var c = counts[g.key] || {};
      Object.keys(spans).forEach(function (v) {
        var n = c[v] || 0;
        spans[v].textContent = "(" + n + ")";
        spans[v].parentNode.parentNode.classList.toggle("is-empty", n === 0);
      });
    });
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

  function options(s, except) {
    var o = { filters: pagefindFilters(s, except) };
    if (s.sort === "newest" || !s.q) { o.sort = { date: "desc" }; }
    return o;
  }

  // Counts per value: for a group with selections, count as if that group were
  // unselected (values in one group are alternatives: Implement OR Decide).
  async function countsFor(s, main) {
    var counts = {};
    var jobs = GROUPS.map(async function (g) {
      if (!s.filters[g.key].length) {
        counts[g.key] = main ? main.filters[g.key] : totals[g.key];
        return;
      }
      if (!s.q && !hasFilters(s, g.key)) { counts[g.key] = totals[g.key]; return; }
      var other = await pagefind.search(s.q || null, options(s, g.key));
      counts[g.key] = other.filters[g.key];
    });
    await Promise.all(jobs);
    return counts;
  }

  async function run(s) {
    var seq = ++searchSeq;
    updateGroupSummaries(s);
    if (!s.q && !hasFilters(s)) {
      results = [];
      list.replaceChildren();
      list.removeAttribute("data-count");
      moreButton.hidden = true;
      showCounts(totals);
      setStatus("Type a word to search all briefs and weekly digests, or choose a filter.");
      root.setAttribute("data-state", "idle");
      return;
    }
    root.setAttribute("data-state", "searching");
    list.setAttribute("aria-busy", "true");
    var main = await pagefind.search(s.q || null, options(s));
    var counts = await countsFor(s, main);
    if (seq !== searchSeq) { return; } // a newer search has started
    results = main.results;
    shownCount = 0;
    list.replaceChildren();
    showCounts(counts);
    await showMore(seq, false);
    if (seq !== searchSeq) { return; }
    list.setAttribute("data-count", String(results.length));
    list.removeAttribute("aria-busy");
    setStatus(describe(s, results.length));
    root.setAttribute("data-state", "done");
  }

  async function showMore(seq, moveFocus) {
    var batch = results.slice(shownCount, shownCount + PAGE_SIZE);
    var data = await Promise.all(batch.map(function (r) { return r.data(); }));
    if (seq !== searchSeq) { return; }
    var first = null;
    data.forEach(function (d) {
      var item = renderResult(d);
      if (!first) { first = item; }
      list.appendChild(item);
    });
    shownCount += batch.length;
    var left = results.length - shownCount;
    moreButton.hidden = left <= 0;
    moreButton.textContent = "Show " + Math.min(left, PAGE_SIZE) + " more result" + (Math.min(left, PAGE_SIZE) === 1 ? "" : "s");
    if (moveFocus && first) { first.querySelector("a").focus(); }
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

  function renderResult(d) {
    var meta = d.meta || {};
    var item = element("li", "search-result" + (meta.kind === "issue" ? " search-result-issue" : ""));
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
  function onTyping() {
    window.clearTimeout(typingTimer);
    root.setAttribute("data-state", "typing");
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
    moreButton.addEventListener("click", function () { showMore(searchSeq, true); });
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

  async function start() {
    var s = stateFromUrl();
    input.value = s.q;
    if (headerInput) { headerInput.value = s.q; }
    try {
      pagefind = await import(bundleUrl);
      await pagefind.options({ baseUrl: base, excerptLength: 30 });
      // A large site's index comes in shards (old briefs stay put, new ones re-index one shard);
      // the list sits beside the main index and each shard is merged in at query time.
      var shards = [];
      try {
        var listing = await fetch(bundleUrl.replace(/pagefind\.js$/, "shards.json"));
        if (listing.ok) { shards = await listing.json(); }
      } catch (ignored) { shards = []; }
      for (var i = 0; i < shards.length; i++) {
        await pagefind.mergeIndex(base + shards[i], { baseUrl: base });
      }
      await pagefind.init();
      totals = await pagefind.filters();
    } catch (err) {
      root.setAttribute("data-state", "unavailable");
      setStatus("Search is not available on this copy of the site. Browse all briefs, tags or weekly digests instead.");
      return;
    }
    buildFilters();
    controls.hidden = false;
    // Anything typed while the index was loading wins over the URL.
    if (input.value.trim() !== s.q) { s.q = input.value.trim(); }
    applyToForm(s);
    wire();
    run(s);
  }

  start();
})();
