// Search engine: Pagefind's JavaScript API, run in this worker for the search page and
// the header box (site.js starts it). Pagefind runs here in-thread, so a query's
// results stay in the worker: the page receives a query's total as soon as it is known,
// only the first page of results, each as soon as its text has arrived, and (when
// asked) filter counts.
//
// pagefind/shards.json (generator/search.py, write_browser_manifest) lists the index
// shards: the first one's Pagefind is loaded and the others are merged into it, each
// tagged with a "shard" filter so that a query can be asked of one shard at a time.
//
// Filter counts come from a second Pagefind instance. Pagefind counts every filter it
// has loaded on every search, and that costs more the more results there are; kept
// apart, the filters a reader opens never slow down the results.

const KEEP = 4;             // searches kept for "show more"
let engine = null;          // Promise of {pagefind, shards, options}
let counter = null;         // Promise of the instance that counts
const searches = new Map(); // handle -> {order, total}
let nextHandle = 0;

async function start(base, manifest) {
  if (!engine) { engine = load(base, manifest); }
  const { shards } = await engine;
  return { shards: shards.length };
}

function ready() {
  if (!engine) { throw new Error("search has not been started"); }
  return engine;
}

// `manifest` is pagefind/shards.json, fetched by the page while this script loaded.
function load(base, manifest) {
  return (async () => {
    const shards = (manifest && manifest.shards) || [];
    if (!shards.length) { throw new Error("the search index lists no shards"); }
    const pagefind = await import(new URL(base + shards[0].path + "pagefind.js", self.location.href).href);
    // metaCacheTag: pagefind-entry.json?ts=<id> rather than ?ts=<now>, one URL per content
    const options = (i, tag) => {
      const o = { baseUrl: base, excerptLength: 30, metaCacheTag: shards[i].id || String(Date.now()) };
      if (tag && shards.length > 1) { o.mergeFilter = { shard: String(i) }; }
      return o;
    };
    await pagefind.options(options(0, true));
    await Promise.all(shards.slice(1).map((shard, i) => pagefind.mergeIndex(base + shard.path, options(i + 1, true))));
    await pagefind.search(""); // resolves once every shard's metadata is in
    return { pagefind, shards, base, options };
  })();
}

function counting() {
  if (!counter) {
    counter = (async () => {
      const { pagefind, shards, base, options } = await ready();
      const instance = pagefind.createInstance({ basePath: base + shards[0].path, ...options(0, false) });
      await Promise.all(shards.slice(1).map((shard, i) => instance.mergeIndex(base + shard.path, options(i + 1, false))));
      await instance.search("");
      return instance;
    })();
  }
  return counter;
}

function dataOf(r) {
  if (!r.loaded) { r.loaded = r.data(); }
  return r.loaded;
}

// What the page shows of a result.
function slim(d) {
  return { url: d.url, excerpt: d.excerpt, meta: d.meta || {} };
}

// Results in the order Pagefind gives them (by relevance, or by date within one shard).
function fixedOrder(results) {
  return { out: results, fill: async () => {} };
}

// Newest first across shards. Pagefind sorts by date only within a shard, so each shard
// is searched on its own ("shard" filter) and the lists are merged here. A shard's dates
// (from shards.json) bound its results: while the newest remaining list's oldest date is
// no older than any other list's newest, its results come next without reading a single
// date, so the first page waits only for the shards that can hold it. Where two shards'
// dates overlap, the results' own dates decide.
function dateOrder(lists) {
  const out = [];
  const bound = (l) => (l.results && l.results[l.at].date) || l.hi;
  async function fill(n) {
    while (out.length < n) {
      const live = lists.filter((l) => !l.results || l.at < l.results.length);
      if (!live.length) { return; }
      live.sort((a, b) => (bound(a) < bound(b) ? 1 : bound(a) > bound(b) ? -1 : 0));
      const top = live[0];
      const rival = live.length > 1 ? bound(live[1]) : "";
      if (!top.results) {
        top.results = (await top.search).results;
        continue;
      }
      const head = top.results[top.at];
      if (head.date || top.lo >= rival) {
        const take = head.date ? 1 : Math.min(n - out.length, top.results.length - top.at);
        out.push(...top.results.slice(top.at, top.at + take));
        top.at += take;
        continue;
      }
      const batch = top.results.slice(top.at, top.at + Math.max(1, n - out.length));
      const data = await Promise.all(batch.map(dataOf));
      batch.forEach((r, i) => { r.date = (data[i].meta && data[i].meta.date) || "0"; });
    }
  }
  return { out, fill };
}

// One search: {order, total}; the total may come after the first results.
async function find(term, filters, byDate) {
  const { pagefind, shards } = await ready();
  if (!byDate || shards.length < 2) {
    const options = { filters };
    if (byDate) { options.sort = { date: "desc" }; }
    const found = await pagefind.search(term, options);
    return { order: fixedOrder(found.results), total: Promise.resolve(found.results.length) };
  }
  const lists = shards.map((shard, i) => {
    const [lo, hi] = shard.dates || ["", "9999"];
    return { i, lo, hi, at: 0, results: null };
  });
  lists.sort((a, b) => (a.hi < b.hi ? 1 : a.hi > b.hi ? -1 : 0));
  for (const l of lists) { // newest shard first: searched first
    l.search = pagefind.search(term, { filters: { ...filters, shard: [String(l.i)] }, sort: { date: "desc" } });
  }
  const all = Promise.all(lists.map((l) => l.search));
  return {
    order: dateOrder(lists),
    total: all.then((found) => found.reduce((n, f) => n + f.results.length, 0)),
  };
}

// Results from..from+size of a search, posted one by one in order as their text arrives.
async function page(id, found, from, size) {
  await found.order.fill(from + size);
  const batch = found.order.out.slice(from, from + size).map(dataOf);
  for (let i = 0; i < batch.length; i++) {
    self.postMessage({ id, item: slim(await batch[i]) });
  }
  return { shown: from + batch.length, total: await found.total };
}

const ops = {
  start,

  async preload(term) {
    const { pagefind } = await ready();
    await pagefind.preload(term);
  },

  // {term, filters, byDate, size} -> the total and the items posted as they come,
  // then {handle, shown, total}
  async search(id, request) {
    const found = await find(request.term, request.filters, request.byDate);
    found.total.then((total) => self.postMessage({ id, total }), () => {});
    const handle = ++nextHandle;
    searches.set(handle, found);
    while (searches.size > KEEP) { searches.delete(searches.keys().next().value); } // the oldest
    return { handle, ...(await page(id, found, 0, request.size)) };
  },

  async more(id, handle, from, size) {
    const found = searches.get(handle);
    if (!found) { throw new Error("that search is gone"); }
    return page(id, found, from, size);
  },

  // Counts for filter groups: {term, filters, plain: [keys], selected: {key: filters without it}}.
  // A plain group (no selection) counts within the current results; a group with
  // selections counts as if it had none. A group's filter data loads with its first count.
  async counts(request) {
    const instance = await counting();
    const out = {};
    const jobs = [];
    if (request.plain.length) {
      const filters = { ...request.filters };
      request.plain.forEach((key) => { filters[key] = []; });
      jobs.push(instance.search(request.term, { filters }).then((r) => {
        request.plain.forEach((key) => { out[key] = r.filters[key] || {}; });
      }));
    }
    for (const [key, filters] of Object.entries(request.selected)) {
      jobs.push(instance.search(request.term, { filters: { ...filters, [key]: [] } }).then((r) => {
        out[key] = r.filters[key] || {};
      }));
    }
    await Promise.all(jobs);
    return out;
  },
};

self.addEventListener("message", async (event) => {
  const { id, op, args } = event.data;
  try {
    const needsId = op === "search" || op === "more";
    const result = await ops[op](...(needsId ? [id] : []), ...args);
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: String((err && err.message) || err) });
  }
});
