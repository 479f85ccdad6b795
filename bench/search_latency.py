#!/usr/bin/env python3
"""Search latency over an emulated intranet: ai-digest's search page beside Pagefind's Default UI.

    python bench/search_latency.py [--sizes 1000,10000] [--runs 1] [--keep] [--make-corpus SCRIPT]
    python bench/search_latency.py --corpus DIR      # a corpus kept by an earlier --keep run

For each corpus size it generates briefs with bench/make_corpus.py (or
SCRIPT), builds the site with `digest build` (search included), and runs
`python -m pagefind` over the same brief and issue pages into a separate
folder, served with a tiny page that starts Pagefind's Default UI. Both
folders are served from 127.0.0.1 over HTTP/1.1 with the cache headers of
docs/security-headers.md.

Chromium (through Playwright) emulates the network with CDP: 20 Mbit/s each
way and 40 ms added to every request. For each query ("governance",
"procurement", "reward hacking") and each page, a fresh browser context
(empty cache) opens the page, waits until the network has been idle for
half a second (with --at-load, only for the load event), types the query into
the search box (focus, then the text in one input event) and times from the
focus to the first result link in the DOM (or, for a query the corpus has no
match for, to the page saying "No results"; the output says when). Requests
and bytes are what the server sent, headers included, from opening the page
to the end of the first query (the network idle again); "after typing"
counts only what the query itself fetched.

The "header box" row starts on a brief page that has loaded: it types the
query into the header search box at 8 characters a second, presses Enter,
and times from Enter to the first result link (or "No results") on the
search page it lands on. Its requests and bytes count from opening the brief
page, so they include that page's own.

Figures are medians over queries and runs; a line under each table gives
each query's median. Nothing here is part of the test
suite; it needs Chromium (/usr/bin/chromium or $CHROMIUM) and Playwright.
"""

from __future__ import annotations

import argparse
import gzip
import json
import http.server
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUERIES = ("governance", "procurement", "reward hacking")
PREFIX = "/ai-digest/"  # the corpus's base_url path
LATENCY_MS = 40
THROUGHPUT = 20_000_000 / 8  # bytes per second
IDLE_MS = 500
GLOB = "{briefs,issues}/*/index.html"
# (first result link, the element that says there is none) on each page
OURS = (".search-result-title a", "#search-status")
DEFAULT = (".pagefind-ui__result-link", ".pagefind-ui__message")

DEFAULT_PAGE = """<!doctype html>
<html lang="en-AU">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pagefind Default UI</title>
<link rel="stylesheet" href="/pagefind/pagefind-ui.css">
<script src="/pagefind/pagefind-ui.js"></script>
<script src="/start.js" defer></script>
</head>
<body>
<main><h1>Search</h1><div id="search"></div></main>
</body>
</html>
"""
DEFAULT_START = 'new PagefindUI({ element: "#search" });\n'

# Installed in every page before its own scripts: the time of the first focus
# (typing starts) and of the answer, on the page's clock: the first result link
# in the DOM or, for a query with no match in the corpus, the "No results" message.
PROBE = """
(() => {
  const [RESULT, MESSAGE] = %s;
  const probe = window.__probe = { focus: 0, answer: 0, found: false };
  document.addEventListener("focusin", () => { if (!probe.focus) probe.focus = performance.now(); }, true);
  const seen = () => {
    if (probe.answer) return;
    const found = document.querySelector(RESULT);
    const message = document.querySelector(MESSAGE);
    if (found || (message && /^No results/.test(message.textContent.trim()))) {
      probe.answer = performance.now();
      probe.answerEpoch = performance.timeOrigin + probe.answer;
      probe.found = !!found;
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
})();
"""

ANSWERED = "() => window.__probe && window.__probe.answer > 0"


# -- serving ---------------------------------------------------------------------
HASHED = re.compile(r"/pagefind-shards/|\.pf_(meta|index|filter|fragment)$")
TYPES = {".wasm": "application/wasm", ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
         ".pf_index": "application/octet-stream", ".pf_filter": "application/octet-stream",
         ".pf_fragment": "application/octet-stream", ".js": "text/javascript", ".mjs": "text/javascript",
         ".json": "application/json", ".css": "text/css", ".svg": "image/svg+xml"}


def cache_control(path: str) -> str:
    """The policy of docs/security-headers.md: content-named files and folders for a year, the rest revalidated."""
    return "public, max-age=31536000, immutable" if HASHED.search(path) else "no-cache"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a page navigating away drops its requests


class _Counting:
    """A response stream that counts the bytes written to it (status line, headers and body)."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def write(self, data):
        self.count += len(data)
        return self.stream.write(data)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def serve(folder: Path, prefix: str, gzip_text: bool):
    """Serve `folder` at http://127.0.0.1:PORT<prefix> over HTTP/1.1 keep-alive.

    Returns (url, stop, log): log collects (time.monotonic(), path, bytes sent) for every
    response, so requests and bytes are counted on the wire, whoever made them (the page or
    a worker) and whatever the browser's cache answered by itself (nothing reaches here)."""
    log: list[tuple[float, str, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(folder), **kw)

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            self.wfile = _Counting(self.wfile)

        def handle_one_request(self):
            self.wfile.count = 0
            super().handle_one_request()
            if self.wfile.count:
                log.append((time.monotonic(), self.path, self.wfile.count))

        def translate_path(self, path):
            if not path.startswith(prefix):
                return str(folder / "__missing__")
            return super().translate_path("/" + path[len(prefix):])

        def end_headers(self):
            self.send_header("Cache-Control", cache_control(self.path.split("?", 1)[0]))
            super().end_headers()

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
                path = path / "index.html"
            kind = self.guess_type(str(path))
            text = kind.startswith("text/") or kind in ("application/json", "image/svg+xml")
            if not (gzip_text and text and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")):
                return super().send_head()
            modified = int(path.stat().st_mtime)
            since = self.headers.get("If-Modified-Since")
            if since and since == self.date_time_string(modified):
                self.send_response(304)
                self.end_headers()
                return None
            body = gzip.compress(path.read_bytes(), 6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", self.date_time_string(modified))
            self.end_headers()
            return _Body(body)

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}{prefix}", stop, log


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *_):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


# -- building ---------------------------------------------------------------------
def run(cmd: list[str], **kw) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({done.returncode}):\n{(done.stderr or done.stdout)[-2000:]}")


def prepare(corpus: Path, n: int | None, maker: Path = REPO / "bench" / "make_corpus.py") -> tuple[Path, Path]:
    """The built site and the Default UI folder for `corpus`, made when missing."""
    if n is not None and not (corpus / "content").is_dir():
        print(f"bench: making {n} briefs in {corpus}", file=sys.stderr, flush=True)
        run([PYTHON, str(maker), str(n), str(corpus)])
    site = corpus / "site"
    if not (site / "search" / "index.html").is_file():
        print(f"bench: building {corpus}", file=sys.stderr, flush=True)
        run([PYTHON, "-m", "generator", "build", "--root", str(corpus)], cwd=REPO)
    default = corpus / "pagefind-default-ui"
    if not (default / "pagefind" / "pagefind-ui.js").is_file():
        print(f"bench: indexing {corpus} with Pagefind for its Default UI", file=sys.stderr, flush=True)
        shutil.rmtree(default, ignore_errors=True)
        default.mkdir(parents=True)
        run([PYTHON, "-m", "pagefind", "--site", str(site), "--glob", GLOB, "--output-path", str(default / "pagefind")])
        (default / "index.html").write_text(DEFAULT_PAGE, encoding="utf-8")
        (default / "start.js").write_text(DEFAULT_START, encoding="utf-8")
    return site, default


# -- measuring --------------------------------------------------------------------
@dataclass
class Sample:
    ms: float
    requests: int
    bytes: int
    after_requests: int
    after_bytes: int
    found: bool  # False: the corpus has no match, and the answer timed is "No results"
    query: str = ""


@dataclass
class Traffic:
    """Requests in flight in a page (its workers' included), to know when it is idle."""
    pending: int = 0
    last: float = 0.0

    def attach(self, page) -> None:
        def started(_):
            self.pending += 1
            self.last = time.monotonic()

        def ended(_):
            self.pending -= 1
            self.last = time.monotonic()

        page.on("request", started)
        page.on("requestfinished", ended)
        page.on("requestfailed", ended)

    def wait_idle(self, page, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.pending <= 0 and time.monotonic() - self.last >= IDLE_MS / 1000:
                return
            page.wait_for_timeout(50)
        raise SystemExit("bench: the page did not go idle")


def totals(log: list, since: float, until: float) -> tuple[int, int]:
    """Responses the server sent between two moments: how many, and their bytes."""
    sent = [size for at, _path, size in list(log) if since <= at <= until]
    return len(sent), sum(sent)


def new_page(browser, answer: tuple[str, str]):
    context = browser.new_context()
    context.add_init_script(PROBE % json.dumps(list(answer)))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": LATENCY_MS,
                                                  "downloadThroughput": THROUGHPUT, "uploadThroughput": THROUGHPUT})
    traffic = Traffic()
    traffic.attach(page)
    return context, page, traffic


def wait_answer(page, timeout: float = 120.0) -> dict:
    """The probe once the page has answered (polled: the pages' CSP forbids wait_for_function's eval)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        probe = page.evaluate("window.__probe || null")
        if probe and probe["answer"]:
            return probe
        page.wait_for_timeout(20)
    raise SystemExit(f"bench: no answer on {page.url} within {timeout:.0f} s")


def time_box(browser, url: str, log: list, box: str, answer: tuple[str, str], query: str, at_load: bool) -> Sample:
    """Open the page, let it settle (or not: at_load), type the query, time focus -> answer."""
    context, page, traffic = new_page(browser, answer)
    try:
        opened = time.monotonic()
        page.goto(url, wait_until="load")
        if not at_load:
            traffic.wait_idle(page)
        typed = time.monotonic()
        page.fill(box, query)
        probe = wait_answer(page)
        traffic.wait_idle(page)
        done = time.monotonic()
        return Sample(probe["answer"] - probe["focus"], *totals(log, opened, done), *totals(log, typed, done),
                      probe["found"])
    finally:
        context.close()


def time_header(browser, brief_url: str, log: list, query: str) -> Sample:
    """From a brief page: type into the header box, press Enter, time Enter -> answer on the search page."""
    context, page, traffic = new_page(browser, OURS)
    try:
        opened = time.monotonic()
        page.goto(brief_url)
        traffic.wait_idle(page)
        typed = time.monotonic()
        page.click("#header-q")
        page.locator("#header-q").press_sequentially(query, delay=125)
        pressed = time.time() * 1000
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/**")
        probe = wait_answer(page)
        traffic.wait_idle(page)
        done = time.monotonic()
        return Sample(probe["answerEpoch"] - pressed, *totals(log, opened, done), *totals(log, typed, done),
                      probe["found"])
    finally:
        context.close()


def middle_brief(site: Path) -> str:
    briefs = sorted(p.parent.name for p in (site / "briefs").glob("*/index.html"))
    return f"briefs/{briefs[len(briefs) // 2]}/"


def measure(corpus: Path, n: int | None, runs: int, gzip_text: bool, at_load: bool,
            maker: Path = REPO / "bench" / "make_corpus.py") -> dict[str, list[Sample]]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO / "tests"))
    from conftest import CHROMIUM, CHROMIUM_ARGS

    site, default = prepare(corpus, n, maker)
    ours_url, stop_ours, ours_log = serve(site, PREFIX, gzip_text)
    default_url, stop_default, default_log = serve(default, "/", gzip_text)
    rows: dict[str, list[Sample]] = {"ai-digest search page": [], "ai-digest header box": [],
                                     "Pagefind Default UI": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(runs):
                for query in QUERIES:
                    rows["ai-digest search page"].append(
                        time_box(browser, ours_url + "search/", ours_log, "#q", OURS, query, at_load))
                    rows["ai-digest search page"][-1].query = query
                    rows["Pagefind Default UI"].append(
                        time_box(browser, default_url, default_log, ".pagefind-ui__search-input", DEFAULT, query,
                                 at_load))
                    rows["Pagefind Default UI"][-1].query = query
                    rows["ai-digest header box"].append(
                        time_header(browser, ours_url + middle_brief(site), ours_log, query))
                    rows["ai-digest header box"][-1].query = query
            browser.close()
    finally:
        stop_ours()
        stop_default()
    return rows


def print_rows(label: str, rows: dict[str, list[Sample]]) -> None:
    runs = len(next(iter(rows.values())))
    print()
    print(f"{label}: emulated {THROUGHPUT * 8 / 1e6:.0f} Mbit/s and {LATENCY_MS} ms, median of {runs} ({', '.join(QUERIES)})")
    print(f"{'':<24} {'first result':>12} {'x Default':>9} {'requests':>9} {'KiB':>7}   {'after typing':>12} {'KiB':>7}")
    missing = sorted({s.query for samples in rows.values() for s in samples if not s.found})
    base = statistics.median(s.ms for s in rows["Pagefind Default UI"])
    for name, samples in rows.items():
        def med(attr: str) -> float:
            return statistics.median(getattr(s, attr) for s in samples)
        ms = med("ms")
        print(f"{name:<24} {ms / 1000:>10.2f} s {ms / base:>9.2f} {med('requests'):>9.0f} {med('bytes') / 1024:>7.0f}   "
              f"{med('after_requests'):>12.0f} {med('after_bytes') / 1024:>7.0f}")
    for name, samples in rows.items():
        by_query = {q: statistics.median(s.ms for s in samples if s.query == q) / 1000 for q in QUERIES}
        print(f"  {name}: " + ", ".join(f"{q} {ms:.2f} s" for q, ms in by_query.items()))
    if missing:
        print(f"(no match in this corpus for {', '.join(repr(q) for q in missing)}: "
              "timed to the page saying so instead of to a result)")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    ap.add_argument("--corpus", type=Path, help="measure this corpus folder (content/, site/) instead")
    ap.add_argument("--make-corpus", type=Path, default=REPO / "bench" / "make_corpus.py", metavar="SCRIPT",
                    help="the corpus generator (default bench/make_corpus.py), called as SCRIPT N DIR")
    ap.add_argument("--runs", type=int, default=1, help="times each query is measured")
    ap.add_argument("--gzip", action="store_true", help="serve text files gzip-compressed, as most web servers do")
    ap.add_argument("--at-load", action="store_true",
                    help="type as soon as the page has loaded, not once its network is idle")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpora (printed)")
    args = ap.parse_args(argv)
    if args.corpus:
        print_rows(str(args.corpus), measure(args.corpus.resolve(), None, args.runs, args.gzip, args.at_load))
        return 0
    for n in (int(x) for x in args.sizes.split(",")):
        work = Path(tempfile.mkdtemp(prefix=f"digest-search-bench-{n}-"))
        try:
            print_rows(f"{n} briefs", measure(work / "corpus", n, args.runs, args.gzip, args.at_load, args.make_corpus))
        finally:
            if args.keep:
                print(f"bench: kept {work / 'corpus'}", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
