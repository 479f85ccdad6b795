"""What the search page fetches, and when: results first, filters on demand, shards merged.

Real Chromium against the built sample site. Requests are recorded as the page
makes them (Pagefind's worker included), so each test states what a reader's
browser actually downloads.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO, build, serve_folder
from generator.search import write_browser_manifest
from generator.templates import EVERY_PAGE_WORD

PREFIX = "/ai-digest/"


def expect():
    from playwright.sync_api import expect as _expect
    return _expect


@pytest.fixture(scope="module")
def served(sample_site):
    url, stop = serve_folder(sample_site, PREFIX)
    yield url
    stop()


def record(page) -> list[str]:
    """Every URL the page (and its workers) requests, in order."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def kinds(urls: list[str], ext: str) -> list[str]:
    return [u for u in urls if u.split("?")[0].endswith(ext)]


def wait_done(page):
    page.wait_for_selector("#search[data-state=done]", state="attached", timeout=15000)


def counted(page, key: str):
    """Wait until a group shows counts."""
    expect()(page.locator(f"#filter-group-{key} .search-count").first).to_have_text(re.compile(r"^\(\d+\)$"))


def wait_until(page, condition, timeout_ms: int = 15000) -> None:
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("condition not met in time")


def fragments(folder: Path) -> list[dict]:
    out = []
    for f in sorted((folder / "fragment").glob("*.pf_fragment")):
        out.append(json.loads(gzip.decompress(f.read_bytes())[12:]))
    return out


# -- the build side -----------------------------------------------------------------
def test_every_indexed_page_carries_the_every_page_word(sample_site):
    pages = fragments(sample_site / "pagefind")
    assert pages
    assert all(p["meta"].get("every") == EVERY_PAGE_WORD for p in pages)
    assert not any(EVERY_PAGE_WORD in p["content"] for p in pages)  # never shown in an excerpt
    search_page = (sample_site / "search" / "index.html").read_text(encoding="utf-8")
    assert f'data-every="{EVERY_PAGE_WORD}"' in search_page


def test_the_browser_manifest_lists_each_shard_with_its_dates(sample_site, tmp_path):
    manifest = json.loads((sample_site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    dates = sorted(p["meta"]["date"] for p in fragments(sample_site / "pagefind"))
    meta = next((sample_site / "pagefind").glob("pagefind.*.pf_meta")).name.split(".")[1]
    assert manifest == {"version": 1, "shards": [{"path": "pagefind/", "id": meta, "dates": [dates[0], dates[-1]]}]}
    # folders without an index are left out; the order given is kept
    site = tmp_path / "site"
    shutil.copytree(sample_site / "pagefind", site / "pagefind")
    shutil.copytree(sample_site / "pagefind", site / "more" / "b")
    (site / "empty").mkdir()
    written = write_browser_manifest(site, ["more/b", "empty", "pagefind"])
    assert [s["path"] for s in written["shards"]] == ["more/b/", "pagefind/"]
    assert json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8")) == written


# -- the search page ---------------------------------------------------------------
def test_no_filter_data_loads_until_a_group_is_opened(page, served):
    urls = record(page)
    page.goto(served + "search/?q=procurement")
    wait_done(page)
    page.wait_for_load_state("networkidle")
    assert kinds(urls, ".pf_index") and kinds(urls, ".pf_fragment")
    assert kinds(urls, ".pf_filter") == []
    assert page.locator("#search-filters details[open]").count() == 0
    page.click("#filter-summary-action")
    counted(page, "action")
    assert len(set(kinds(urls, ".pf_filter"))) == 1  # the action filter, from the one shard
    page.click("#filter-summary-tag")
    counted(page, "tag")
    assert len(set(kinds(urls, ".pf_filter"))) == 2


def test_a_filter_in_the_url_opens_its_group_and_loads_only_its_data(page, served):
    urls = record(page)
    page.goto(served + "search/?action=Implement")
    wait_done(page)
    counted(page, "action")
    assert page.is_checked("input[name=action][value=Implement]")
    assert page.locator("#search-filters details[open]").count() == 1
    assert len(set(kinds(urls, ".pf_filter"))) == 1  # the action filter only


def test_the_first_results_do_not_wait_for_filter_counts(page, served):
    held = []
    page.route("**/filter/*.pf_filter", lambda route: held.append(route))
    page.goto(served + "search/")
    page.click("#filter-summary-tag")  # its counts now wait for the held filter file
    page.fill("#q", "procurement")
    wait_done(page)
    assert page.locator(".search-result-title a").count() > 0
    assert page.get_attribute("#search", "data-counts") == "pending"
    assert page.locator("#filter-group-tag .search-count").count() == 0
    deadline = time.monotonic() + 15
    while not held and time.monotonic() < deadline:  # the request may still be on its way to the route
        page.wait_for_timeout(50)  # hands Playwright the turn in which it calls the route handler
    assert held
    for route in held:
        route.continue_()
    counted(page, "tag")
    assert page.get_attribute("#search", "data-counts") == "done"


def test_a_search_by_filters_alone_reads_one_index_chunk(page, served, sample_site):
    assert len(list((sample_site / "pagefind" / "index").iterdir())) > 1
    urls = record(page)
    page.goto(served + "search/?action=Implement")
    wait_done(page)
    page.wait_for_load_state("networkidle")
    assert len(set(kinds(urls, ".pf_index"))) == 1  # the every-page word's chunk, not the whole index


def test_pagefind_starts_once_as_the_search_page_loads(page, served):
    urls = record(page)
    page.goto(served + "search/")
    page.wait_for_selector("#search[data-state=idle]", state="attached")
    page.wait_for_load_state("networkidle")
    assert len(kinds(urls, "pagefind.js")) == 1 and len(kinds(urls, ".pf_meta")) == 1
    assert len(kinds(urls, ".pagefind")) == 1  # the WebAssembly
    before = len(urls)
    page.fill("#q", "procurement")
    wait_done(page)
    page.fill("#q", "assurance")
    expect()(page.locator("#search-status")).to_contain_text("assurance")
    later = urls[before:]
    assert kinds(later, "pagefind.js") == kinds(later, ".pf_meta") == kinds(later, ".pagefind") == []


def test_an_unchanged_index_is_requested_by_the_same_urls(browser, served):
    """What makes the browser's cache work across visits: no URL carries a time or a random part."""
    seen = []
    for _ in range(2):
        context = browser.new_context()
        page = context.new_page()
        urls = record(page)
        page.goto(served + "search/?q=procurement")
        wait_done(page)
        page.wait_for_load_state("networkidle")
        seen.append(sorted(u for u in urls if "/pagefind" in u))
        context.close()
    assert seen[0] == seen[1]
    assert any("pagefind-entry.json?ts=en-au_" in u for u in seen[0])


def test_the_header_box_starts_search_on_focus_and_fetches_what_is_typed(page, served):
    urls = record(page)
    page.goto(served + "briefs/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in urls if "/pagefind/" in u]  # nothing until the reader wants search
    page.click("#header-q")
    wait_until(page, lambda: kinds(urls, ".pf_meta"))
    page.locator("#header-q").press_sequentially("procurement", delay=40)
    wait_until(page, lambda: kinds(urls, ".pf_index"))  # the word's index chunk, before Enter
    page.locator("h1").click()
    page.click("#header-q")  # focus again: Pagefind is not started twice
    assert len(kinds(urls, "pagefind.js")) == len(kinds(urls, ".pagefind")) == len(kinds(urls, ".pf_meta")) == 1
    page.keyboard.press("Enter")
    wait_done(page)
    assert page.input_value("#q") == "procurement"
    assert page.locator(".search-result-title a").count() > 0


# -- the browser's cache -----------------------------------------------------------
def documented_cache_policy() -> list[tuple[re.Pattern, str]]:
    """The Cache-Control rules of docs/security-headers.md's nginx map, in order, the default last."""
    text = (REPO / "docs" / "security-headers.md").read_text(encoding="utf-8")
    block = text.split("map $uri $digest_cache_control {", 1)[1].split("}", 1)[0]
    rules = []
    for line in block.strip().splitlines():
        pattern, value = line.strip().rstrip(";").split(None, 1)
        rules.append((re.compile(".*" if pattern == "default" else pattern.lstrip("~")), value.strip('"')))
    assert rules[-1][1] == "no-cache" and len(rules) >= 3
    return rules


def serve_with_cache_policy(folder: Path, prefix: str):
    """Like serve_folder, with the documented Cache-Control on every response; logs what reaches it."""
    from conftest import _QuietHandler, free_port
    import http.server
    import threading

    rules = documented_cache_policy()
    log: list[tuple[str, int]] = []

    class Handler(_QuietHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(folder), **kw)

        def translate_path(self, path):
            return super().translate_path("/" + path[len(prefix):] if path.startswith(prefix) else "/__missing__")

        def end_headers(self):
            path = self.path.split("?", 1)[0]
            self.send_header("Cache-Control", next(value for rule, value in rules if rule.search(path)))
            super().end_headers()

        def send_response(self, code, message=None):
            log.append((self.path, code))
            super().send_response(code, message)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}{prefix}", server, log


IMMUTABLE = re.compile(r"/pagefind-shards/|\.pf_(meta|index|filter|fragment)$")


def test_a_second_visit_takes_every_content_named_index_file_from_the_browsers_cache(browser, sharded):
    _url, root = sharded
    url, server, log = serve_with_cache_policy(root / "site", PREFIX)
    context = browser.new_context()
    try:
        visits = []
        for _ in range(2):
            page = context.new_page()
            before = len(log)
            page.goto(url + "search/?q=procurement")
            wait_done(page)
            page.click("#filter-summary-action")
            counted(page, "action")
            page.wait_for_load_state("networkidle")
            visits.append(log[before:])
            page.close()
        first, second = visits
        assert any(IMMUTABLE.search(path.split("?")[0]) for path, _code in first)
        assert any("/pagefind-shards/" in path for path, _code in first)
        assert [path for path, _code in second if IMMUTABLE.search(path.split("?")[0])] == []
        # what may change between builds is asked about again, and is not sent again when it has not
        again = {path.split("?")[0]: code for path, code in second}
        assert again[PREFIX + "pagefind/shards.json"] == 304
    finally:
        context.close()
        server.shutdown()
        server.server_close()


# -- shards ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The sample site indexed in shards of 10 pages, served."""
    root = tmp_path_factory.mktemp("sharded")
    shutil.copytree(REPO / "content", root / "content")
    mp = pytest.MonkeyPatch()
    mp.setenv("DIGEST_SEARCH_SHARD_PAGES", "10")
    try:
        build(root, search=True)
    finally:
        mp.undo()
    url, stop = serve_folder(root / "site", PREFIX)
    yield url, root
    stop()


def shard_count(root: Path) -> int:
    return len(json.loads((root / "site" / "pagefind" / "shards.json").read_text())["shards"])


def test_newest_first_is_in_date_order_across_shards(page, sharded):
    url, root = sharded
    listed = json.loads((root / "site" / "pagefind" / "shards.json").read_text())["shards"]
    assert len(listed) > 2
    every = sorted((p["meta"]["date"] for s in listed for p in fragments(root / "site" / s["path"])), reverse=True)
    page.goto(url + "search/?year=2025&year=2026")  # every page, newest first
    wait_done(page)
    dates = page.eval_on_selector_all(".search-result time", "els => els.map(t => t.getAttribute('datetime'))")
    assert dates == every[:20]
    page.click("#search-more")
    expect()(page.locator(".search-result")).to_have_count(len(every))
    dates = page.eval_on_selector_all(".search-result time", "els => els.map(t => t.getAttribute('datetime'))")
    assert dates == every
    assert page.get_attribute("#search-results", "data-count") == str(len(every))


def test_a_query_fetches_one_chunk_per_shard_and_nothing_else(page, sharded):
    url, root = sharded
    urls = record(page)
    page.goto(url + "search/")
    page.wait_for_selector("#search[data-state=idle]", state="attached")
    page.wait_for_load_state("networkidle")
    assert len(kinds(urls, ".pf_meta")) == shard_count(root)
    before = len(urls)
    page.fill("#q", "procurement")
    wait_done(page)
    page.wait_for_load_state("networkidle")
    later = urls[before:]
    assert 0 < len(kinds(later, ".pf_index")) <= shard_count(root)
    assert kinds(later, ".pf_meta") == kinds(later, ".pf_filter") == []
    assert len(kinds(later, ".pf_fragment")) <= 20


# -- the header box hands its first page of results to the search page ----------------
HANDOFF_KEY = "digest-search-first-page"  # site.js writes it, search.js reads it


class Held:
    """Requests matching a pattern wait until released (the page's workers' requests included)."""

    def __init__(self, page, pattern: str):
        self.routes: list = []
        self.released = False
        page.route(pattern, self._handle)

    def _handle(self, route):
        if self.released:
            route.continue_()
        else:
            self.routes.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.routes:
            route.continue_()


def test_enter_in_the_header_box_shows_its_results_before_the_search_page_starts_pagefind(page, served):
    found = record(page)
    page.goto(served + "briefs/")
    page.click("#header-q")
    page.locator("#header-q").press_sequentially("procurement", delay=40)
    wait_until(page, lambda: kinds(found, ".pf_fragment"))  # the pause in typing searched it
    held = Held(page, "**/pagefind/pagefind.js")  # the search page's Pagefind cannot start
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=procurement")
    expect()(page.locator(".search-result-title a").first).to_be_visible()
    expect()(page.locator("#search-status")).to_have_text(re.compile(r"^\d+ results? for .procurement.\.$"))
    wait_until(page, lambda: bool(held.routes))
    assert page.get_attribute("#search", "data-state") == "searching"  # its own search is still to come
    shown = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
    first = page.query_selector(".search-result")
    held.release()
    wait_done(page)
    # the search page's own search found the same results first and left them as they were
    after = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
    assert after[:len(shown)] == shown and len(after) == min(20, int(page.get_attribute("#search-results", "data-count")))
    assert first.evaluate("el => el.isConnected")
    assert page.evaluate(f"sessionStorage.getItem('{HANDOFF_KEY}')") is None  # read once


def test_a_query_with_no_match_hands_over_its_no_results(page, served):
    found = record(page)
    page.goto(served + "briefs/")
    page.click("#header-q")
    wait_until(page, lambda: kinds(found, ".pf_meta"))
    page.locator("#header-q").press_sequentially("zzqqxxnothing", delay=20)
    held = Held(page, "**/pagefind/pagefind.js")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=zzqqxxnothing")
    expect()(page.locator("#search-status")).to_have_text("No results for \u201czzqqxxnothing\u201d. Try other words.")
    wait_until(page, lambda: bool(held.routes))
    held.release()
    wait_done(page)
    assert page.locator(".search-result").count() == 0


def planted(url: str, q: str = "procurement", **changes) -> str:
    record = {"q": q, "base": PREFIX, "at": None, "total": 1,
              "items": [{"url": url, "excerpt": "A <mark>planted</mark> result", "meta": {"title": "Planted result"}}]}
    record.update(changes)
    return json.dumps(record)


def plant(page, record: str) -> None:
    page.evaluate("([key, text]) => { const r = JSON.parse(text); if (r.at === null) r.at = Date.now(); "
                  "sessionStorage.setItem(key, JSON.stringify(r)); }", [HANDOFF_KEY, record])


def test_a_handed_over_page_is_checked_and_used_only_for_its_own_query(page, served):
    page.goto(served + "briefs/")
    plant(page, planted(PREFIX + "briefs/not-a-brief/"))
    page.goto(served + "search/?q=assurance")  # another query: not used
    wait_done(page)
    assert "Planted result" not in page.inner_text("#search-results")

    plant(page, planted(PREFIX + "briefs/not-a-brief/"))
    held = Held(page, "**/pagefind/pagefind.js")
    page.goto(served + "search/?q=procurement")
    expect()(page.locator(".search-result-title a")).to_have_text("Planted result")
    assert page.inner_text(".search-result-excerpt mark") == "planted"
    held.release()
    wait_done(page)  # the page's own search replaces what it does not find
    assert "Planted result" not in page.inner_text("#search-results")
    assert page.locator(".search-result-title a").count() > 1


@pytest.mark.parametrize("record", [
    planted("https://elsewhere.example/briefs/x/"),
    planted("javascript:alert(1)"),
    planted("//elsewhere.example/x/"),
    planted(PREFIX + "briefs/x/", at=1),                 # too old
    planted(PREFIX + "briefs/x/", base="/other-site/"),  # another site on this origin
    planted(PREFIX + "briefs/x/", items=[{"url": PREFIX + "briefs/x/", "meta": {"title": ["not", "text"]}}]),
    planted(PREFIX + "briefs/x/", q="procurement", total="1"),
], ids=["other-origin", "javascript", "protocol-relative", "stale", "other-base", "meta-not-text", "total-not-number"])
def test_a_handed_over_page_that_is_not_sound_is_ignored(page, served, record):
    page.goto(served + "briefs/")
    plant(page, record)
    held = Held(page, "**/pagefind/pagefind.js")
    page.goto(served + "search/?q=procurement")
    page.wait_for_selector("#search[data-state=searching]", state="attached")  # search.js has read it
    assert page.locator(".search-result").count() == 0
    held.release()
    wait_done(page)
    assert page.locator(".search-result").count() > 0


def test_enter_in_the_header_box_of_a_site_without_search_goes_straight_to_the_search_page(browser, site_without_search):
    url = site_without_search
    page = browser.new_page()
    try:
        page.goto(url + "briefs/kelp/")
        page.click("#header-q")
        page.locator("#header-q").press_sequentially("kelp", delay=20)
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=kelp")
        page.wait_for_selector("#search[data-state=unavailable]", state="attached", timeout=15000)
    finally:
        page.close()
