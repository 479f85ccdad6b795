"""Search in a real browser: Debian's Chromium against the built sample site on 127.0.0.1.

The sample's base_url carries the /ai-digest/ path prefix, so these tests also
prove search works under a prefix; one test builds a tiny site at the root.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import brief_text, build, serve_folder
from generator.build import check_site
from test_search_index import fragments

PREFIX = "/ai-digest/"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def served(sample_site):
    url, stop = serve_folder(sample_site, PREFIX)
    yield url
    stop()


def expect():
    from playwright.sync_api import expect as _expect
    return _expect


def wait_done(page):
    page.wait_for_selector("#search[data-state=done]", state="attached", timeout=15000)


def open_group(page, key: str) -> None:
    """Open a filter group; its values and counts load only then."""
    page.click(f"#filter-summary-{key}")


def result_urls(page) -> list[str]:
    return page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")


def unique_word(site: Path) -> tuple[str, str]:
    """A word found in exactly one brief, whose first six letters start no word in any other brief
    (so Pagefind's stemming and prefix matching cannot reach another brief either)."""
    briefs = [f for f in fragments(site) if f["url"].startswith("/briefs/")]
    words = {f["url"]: set(re.findall(r"[a-z]+", f["content"].lower())) for f in briefs}
    stems = collections.Counter()
    for ws in words.values():
        stems.update({w[:6] for w in ws})
    for url in sorted(words):
        for w in sorted(words[url]):
            if len(w) >= 8 and stems[w[:6]] == 1:
                return w, url
    raise AssertionError("no brief has a word of its own")


def test_a_word_in_one_brief_returns_that_brief_first(page, served, sample_site):
    word, url = unique_word(sample_site)
    page.goto(served + "search/")
    page.fill("#q", word)
    wait_done(page)
    urls = result_urls(page)
    assert urls[0] == PREFIX.rstrip("/") + url
    assert all(u.startswith(PREFIX) for u in urls)  # links carry the base path
    assert word in page.inner_text(".search-result-excerpt mark").lower()


def test_typing_three_letters_finds_the_brief(page, served, sample_root):
    brief = next(b for b in check_site(sample_root).content.briefs if "impact assessment" in b.title.lower())
    page.goto(served + "search/")
    page.locator("#q").press_sequentially("imp")
    wait_done(page)
    assert f"{PREFIX}briefs/{brief.slug}/" in result_urls(page)


def implement_slugs(root: Path) -> set[str]:
    return {b.slug for b in check_site(root).content.briefs
            if not b.draft and any(i.action == "Implement" for i in b.implications)}


def test_implement_filter_shows_exactly_the_briefs_with_that_label(page, served, sample_root):
    expected = {f"{PREFIX}briefs/{s}/" for s in implement_slugs(sample_root)}
    page.goto(served + "search/")
    open_group(page, "action")
    page.get_by_label(re.compile(r"^Implement \(\d+\)$")).check()
    wait_done(page)
    assert set(result_urls(page)) == expected
    assert page.get_attribute("#search-results", "data-count") == str(len(expected))
    expect()(page.locator("#search-status")).to_have_text(re.compile(rf"^{len(expected)} results, filtered by Action label: Implement"))
    assert page.inner_text("label[for] >> text=/^Implement/") == f"Implement ({len(expected)})"
    for item in page.query_selector_all(".search-result"):
        assert "Implement" in item.inner_text()
    assert parse_qs(urlsplit(page.url).query) == {"action": ["Implement"]}


def test_implement_filter_narrows_a_query(page, served, sample_root):
    page.goto(served + "search/?q=agencies")
    wait_done(page)
    everything = set(result_urls(page))
    open_group(page, "action")
    page.get_by_label(re.compile(r"^Implement \(\d+\)$")).check()
    expect()(page.locator("#search-status")).to_contain_text("filtered by Action label: Implement")
    wait_done(page)
    narrowed = set(result_urls(page))
    assert narrowed and narrowed < everything
    assert narrowed <= {f"{PREFIX}briefs/{s}/" for s in implement_slugs(sample_root)}


def test_query_in_the_url_prefills_and_runs(page, served):
    page.goto(served + "search/?q=procurement")
    wait_done(page)
    assert page.input_value("#q") == "procurement"
    assert result_urls(page)
    expect()(page.locator("#search-status")).to_contain_text("for \u201cprocurement\u201d")


def test_back_restores_the_previous_query(page, served, sample_site):
    word, _ = unique_word(sample_site)
    page.goto(served + "search/?q=procurement")
    wait_done(page)
    first = result_urls(page)
    page.fill("#q", word)
    expect()(page.locator("#search-status")).to_contain_text(word)
    assert parse_qs(urlsplit(page.url).query)["q"] == [word]
    page.go_back()
    expect()(page.locator("#q")).to_have_value("procurement")
    expect()(page.locator("#search-status")).to_contain_text("procurement")
    wait_done(page)
    assert result_urls(page) == first
    page.go_forward()
    expect()(page.locator("#q")).to_have_value(word)


def test_filters_and_sort_survive_reload(page, served):
    page.goto(served + "search/?q=agencies&action=Consider&sort=newest")
    wait_done(page)
    assert page.is_checked("input[name=action][value=Consider]")
    assert page.input_value("#search-sort") == "newest"
    dates = page.eval_on_selector_all(".search-result time", "els => els.map(t => t.getAttribute('datetime'))")
    assert dates and dates == sorted(dates, reverse=True)


def test_without_javascript_the_header_form_reaches_the_search_page(browser, served):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served)
        page.fill("#header-q", "procurement")
        page.press("#header-q", "Enter")
        page.wait_for_load_state()
        parts = urlsplit(page.url)
        assert parts.path == PREFIX + "search/"
        assert parse_qs(parts.query) == {"q": ["procurement"]}
        assert "Search results need JavaScript" in page.inner_text("main")
    finally:
        context.close()


def test_header_form_with_javascript_lands_on_results(page, served):
    page.goto(served + "briefs/")
    page.fill("#header-q", "procurement")
    page.press("#header-q", "Enter")
    wait_done(page)
    assert page.input_value("#q") == "procurement"
    assert result_urls(page)


def test_keyboard_slash_then_arrows(page, served):
    page.goto(served + "search/?q=procurement")
    wait_done(page)
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("ArrowDown")
    urls = result_urls(page)
    assert page.evaluate("document.activeElement.getAttribute('href')") == urls[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == urls[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"


def test_results_are_announced(page, served):
    page.goto(served + "search/")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    page.fill("#q", "zzzqqqxxx")
    expect()(status).to_have_text(re.compile(r"^No results for .zzzqqqxxx.\. Try other words\.$"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_has_no_accessibility_violations(browser, served, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(served + "search/?q=agencies&action=Implement")
        wait_done(page)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.query_selector_all(".search-result mark")
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
        assert result.violations_count == 0, result.generate_report()
    finally:
        context.close()


def test_excerpts_contain_only_text_and_marks(page, served):
    page.goto(served + "search/?q=agencies")
    wait_done(page)
    tags = page.eval_on_selector_all(".search-result-excerpt *", "els => [...new Set(els.map(e => e.tagName))]")
    assert tags == ["MARK"]


def test_no_console_errors(page, served):
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served + "search/?q=agencies&tag=governance")
    wait_done(page)
    assert errors == []


def test_search_at_the_site_root(browser, project, tmp_path):
    root = project({
        "content/briefs/kelp.md": brief_text("Kelp forest monitoring with computer vision", action="Implement"),
        "content/briefs/other.md": brief_text("Unrelated brief about procurement", published="2026-03-12"),
    })
    out = tmp_path / "root-site"
    build(root, out, search=True, base_url="https://x.example/")
    url, stop = serve_folder(out, "/")
    page = browser.new_page()
    try:
        page.goto(url + "search/?q=kelp")
        wait_done(page)
        assert result_urls(page)[0] == "/briefs/kelp/"
        page.click(".search-result-title a")
        page.wait_for_url(url + "briefs/kelp/")
    finally:
        page.close()
        stop()


def test_search_under_another_prefix(browser, project, tmp_path):
    root = project({"content/briefs/kelp.md": brief_text("Kelp forest monitoring with computer vision")})
    out = tmp_path / "prefixed"
    build(root, out, search=True, base_url="https://x.example/deep/ai-digest/")
    url, stop = serve_folder(out, "/deep/ai-digest/")
    page = browser.new_page()
    try:
        page.goto(url + "search/?q=kelp")
        wait_done(page)
        assert result_urls(page)[0] == "/deep/ai-digest/briefs/kelp/"
        page.click(".search-result-title a")
        page.wait_for_url(url + "briefs/kelp/")
        assert "Kelp forest" in page.inner_text("h1")
    finally:
        page.close()
        stop()


def test_a_site_built_without_search_says_so(browser, site_without_search):
    page = browser.new_page()
    try:
        page.goto(site_without_search + "search/?q=kelp")
        page.wait_for_selector("#search[data-state=unavailable]", state="attached", timeout=15000)
        assert "not available" in page.inner_text("#search-status")
    finally:
        page.close()
