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
    assert manifest == {"version": 1, "shards": [{"path": "pagefind/", "dates": [dates[0], dates[-1]]}]}
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
    assert len(kinds(urls, ".pf_filter")) == 1  # the action filter, from the one shard
    page.click("#filter-summary-tag")
    counted(page, "tag")
    assert len(kinds(urls, ".pf_filter")) == 2


def test_a_filter_in_the_url_opens_its_group_and_loads_only_its_data(page, served):
    urls = record(page)
    page.goto(served + "search/?action=Implement")
    wait_done(page)
    counted(page, "action")
    assert page.is_checked("input[name=action][value=Implement]")
    assert page.locator("#search-filters details[open]").count() == 1
    assert len(kinds(urls, ".pf_filter")) == 1


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
    assert len(kinds(urls, ".pf_index")) == 1  # the every-page word's chunk, not the whole index


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


def test_the_header_box_starts_search_on_focus_and_fetches_what_is_typed(page, served):
    urls = record(page)
    page.goto(served + "briefs/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in urls if "/pagefind/" in u]  # nothing until the reader wants search
    page.click("#header-q")
    wait_until(page, lambda: kinds(urls, ".pf_meta"))
    page.locator("#header-q").press_sequentially("procurement", delay=40)
    wait_until(page, lambda: kinds(urls, ".pf_index"))  # the word's index chunk, before Enter
    page.keyboard.press("Enter")
    wait_done(page)
    assert page.input_value("#q") == "procurement"
    assert page.locator(".search-result-title a").count() > 0


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
