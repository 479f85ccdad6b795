"""A large site's search index comes in shards of old-to-new pages.

Adding a brief re-indexes only the newest shard; the others are carried over
from the previous build. The browser merges the shards at query time, so a
search still finds every brief and the filter counts still cover them all.
The tests make shards of 10 pages so the sample site has several.
"""

from __future__ import annotations

import gzip
import json
import os
import math
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build, serve_folder
from generator.build import check_site
from generator.search import SHARD_PAGES, SHARD_TOP, plan_shards

PREFIX = "/ai-digest/"


@pytest.fixture
def small_shards(monkeypatch):
    monkeypatch.setenv("DIGEST_SEARCH_SHARD_PAGES", "10")


def shard_folders(site: Path) -> list[Path]:
    """The shards the search page merges, as pagefind/shards.json lists them."""
    listed = json.loads((site / "pagefind" / "shards.json").read_text())["shards"]
    return [site / s["path"].rstrip("/") for s in listed]


def indexed_urls(site: Path) -> list[str]:
    urls = []
    for folder in shard_folders(site):
        for f in sorted((folder / "fragment").glob("*.pf_fragment")):
            data = gzip.decompress(f.read_bytes())
            urls.append(json.loads(data[12:])["url"])
    return urls


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def planned(n: int) -> list[list[str]]:
    return plan_shards([((f"2020-{i:07d}", "b"), f"briefs/p{i:07d}/index.html") for i in range(n)])


def test_shards_stop_growing_at_2048_pages_and_stay_few_as_a_site_grows(monkeypatch):
    monkeypatch.delenv("DIGEST_SEARCH_SHARD_PAGES", raising=False)
    assert [len(s) for s in planned(10_501)] == [2048] * 5 + [256, 5]
    assert [len(s) for s in planned(1_051)] == [1024, 27]
    assert [len(s) for s in planned(16_384)] == [2048] * 8
    assert [len(s) for s in planned(16_640)] == [4096] * 4 + [256]  # past 8 shards of 2,048 the cap doubles
    for n in (0, 1, 255, 256, 2_049, 10_000, 16_385, 50_000, 100_000, 1_000_000):
        shards = planned(n)
        assert [p for s in shards for p in s] == [f"briefs/p{i:07d}/index.html" for i in range(n)]  # oldest first, once
        largest = max((len(s) for s in shards), default=SHARD_PAGES)
        assert len(shards) <= SHARD_TOP + math.log2(max(largest, SHARD_PAGES) / SHARD_PAGES) + 1
        assert len(shards) <= 2 * math.log2(n / SHARD_PAGES + 2) + SHARD_TOP  # logarithmic in the site


def test_a_new_page_changes_only_the_shard_of_the_newest_pages_until_it_fills_a_unit(monkeypatch):
    monkeypatch.delenv("DIGEST_SEARCH_SHARD_PAGES", raising=False)
    for n in (100, 2_047, 2_048, 2_100, 10_000, 10_500, 16_383, 16_384, 16_500, 40_000):
        before, after = planned(n), planned(n + 1)
        if (n + 1) % SHARD_PAGES:
            assert after[:-1] == [s for s in before if len(s) % SHARD_PAGES == 0]
            assert len(after[-1]) == (n + 1) % SHARD_PAGES


@pytest.fixture
def sample_copy(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(REPO / "content", root / "content")
    return root


def test_every_brief_is_in_exactly_one_shard(small_shards, sample_copy):
    report = build(sample_copy, search=True)
    site = sample_copy / "site"
    # 34 pages (28 briefs, 6 issues) in units of 10: 2 units, 1 unit, and the 4 newest pages
    assert report.search["shards"] == 3
    listed = [s["path"] for s in json.loads((site / "pagefind" / "shards.json").read_text())["shards"]]
    assert listed[0] == "pagefind/" and len(listed) == 3
    assert all(re.fullmatch(r"pagefind-shards/[0-9a-f]{20}/", p) for p in listed[1:])
    urls = indexed_urls(site)
    briefs = [b for b in check_site(sample_copy).content.briefs if not b.draft]
    assert sorted(u for u in urls if u.startswith("/briefs/")) == sorted(f"/briefs/{b.slug}/" for b in briefs)
    assert len(urls) == len(set(urls))


def test_adding_a_brief_reindexes_only_the_newest_shard_and_matches_a_clean_build(small_shards, sample_copy, tmp_path):
    build(sample_copy, search=True)
    newest = [b for b in check_site(sample_copy).content.briefs if not b.draft][0]  # newest first
    source = (sample_copy / newest.src_path).read_text(encoding="utf-8")
    added = source.replace('title: "', 'title: "Shard test addition: ', 1).replace("url: https://", "url: https://shard-test.", 1)
    added = re.sub(r"^published: .*$", "published: 2025-12-14", added, count=1, flags=re.M)
    (sample_copy / "content" / "briefs" / "2025" / "shard-test-addition.md").write_text(added, encoding="utf-8")
    report = build(sample_copy, search=True)
    assert report.search["shards"] == 3
    # the new brief, its older neighbour (whose "next" link changed) and its issue page are the newest pages
    assert report.search["shards_reused"] >= 2
    assert "/briefs/shard-test-addition/" in indexed_urls(sample_copy / "site")
    clean = tmp_path / "clean"
    build(sample_copy, clean, search=True, cache=False)
    for folder in ("pagefind", "pagefind-shards"):
        assert tree(sample_copy / "site" / folder) == tree(clean / folder)


def test_shards_indexed_two_at_a_time_equal_shards_indexed_one_by_one(small_shards, sample_copy, tmp_path, monkeypatch):
    import generator.search

    runs: list[int] = []
    real = generator.search._index_pages

    def counted(site, pages, bundle):  # how many Pagefind runs are under way at once
        runs.append(1)
        try:
            return real(site, pages, bundle)
        finally:
            runs.append(-1)

    monkeypatch.setattr(generator.search, "_index_pages", counted)
    monkeypatch.setattr(generator.search, "SHARDS_AT_ONCE", 2)
    def most_at_once() -> int:
        under_way = [sum(runs[:i + 1]) for i in range(len(runs))]
        runs.clear()
        return max(under_way)

    report = build(sample_copy, tmp_path / "two", search=True, cache=False)
    assert report.search["shards_indexed"] == 3
    assert most_at_once() == (2 if (os.cpu_count() or 1) > 1 else 1)
    monkeypatch.setattr(generator.search, "SHARDS_AT_ONCE", 1)
    build(sample_copy, tmp_path / "one", search=True, cache=False)
    assert most_at_once() == 1
    for folder in ("pagefind", "pagefind-shards"):
        assert tree(tmp_path / "two" / folder) == tree(tmp_path / "one" / folder)


def test_pages_named_by_a_glob_index_as_through_a_folder_of_links(small_shards, sample_copy, tmp_path, monkeypatch):
    import generator.search

    monkeypatch.setattr(generator.search, "GLOB_FROM", 1)  # every shard (of 10 pages here) by a glob
    build(sample_copy, tmp_path / "glob", search=True, cache=False)
    monkeypatch.setattr(generator.search, "_PLAIN_PATH", re.compile(r"(?!)"))  # every path: through links
    build(sample_copy, tmp_path / "links", search=True, cache=False)
    for folder in ("pagefind", "pagefind-shards"):
        assert tree(tmp_path / "glob" / folder) == tree(tmp_path / "links" / folder)


def test_a_page_whose_path_a_glob_would_misread_is_still_indexed(tmp_path, monkeypatch):
    import generator.search
    from generator.search import _index_pages

    monkeypatch.setattr(generator.search, "GLOB_FROM", 1)
    site = tmp_path / "site"
    pages = ["briefs/a,b/index.html", "briefs/c{d}/index.html", "briefs/plain/index.html"]
    for i, rel in enumerate(pages):
        (site / rel).parent.mkdir(parents=True)
        (site / rel).write_text(f'<!doctype html><html lang="en"><head><title>P{i}</title></head><body>'
                                f'<main data-pagefind-body><h1>Page {i}</h1><p>words for page {i}</p></main></body></html>')
    report = _index_pages(site, pages, tmp_path / "bundle")
    assert report["pages"] == 3
    urls = sorted(json.loads(gzip.decompress(f.read_bytes())[12:])["url"]
                  for f in (tmp_path / "bundle" / "fragment").glob("*.pf_fragment"))
    assert urls == ["/briefs/a,b/", "/briefs/c{d}/", "/briefs/plain/"]


@pytest.fixture
def served_shards(small_shards, sample_copy):
    build(sample_copy, search=True)
    url, stop = serve_folder(sample_copy / "site", PREFIX)
    yield url, sample_copy
    stop()


def test_the_browser_searches_every_shard(page, served_shards):
    url, root = served_shards
    briefs = [b for b in check_site(root).content.briefs if not b.draft]  # newest first
    oldest, newest = briefs[-1], briefs[0]
    for brief in (oldest, newest):
        page.goto(url + "search/?q=" + brief.title.split(":")[0][:40])
        page.wait_for_selector("#search[data-state=done]", state="attached", timeout=15000)
        hrefs = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
        assert f"{PREFIX}briefs/{brief.slug}/" in hrefs


def test_filter_counts_cover_all_shards(page, served_shards):
    url, root = served_shards
    expected = {b.slug for b in check_site(root).content.briefs
                if not b.draft and any(i.action == "Implement" for i in b.implications)}
    page.goto(url + "search/")
    page.click("#filter-summary-action")
    page.get_by_label(re.compile(r"^Implement \(\d+\)$")).check()
    page.wait_for_selector("#search[data-state=done]", state="attached", timeout=15000)
    hrefs = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
    assert set(hrefs) == {f"{PREFIX}briefs/{s}/" for s in expected}


def test_a_shard_of_drafts_publishes_no_files_and_a_part_is_never_taken_for_whole(monkeypatch, tmp_path):
    """Drafts carry no searchable body: a shard of only drafts is an empty folder, with no marker
    file published. A shard folder under its final name is always complete: a half-made one
    (say from a killed build) keeps its temporary name and is made again."""
    from conftest import brief_text, make_project

    monkeypatch.setenv("DIGEST_SEARCH_SHARD_PAGES", "2")
    files = {f"content/briefs/p{i}.md": brief_text(f"Published {i}", published=f"2026-01-0{i + 1}") for i in range(2)}
    files.update({f"content/briefs/d{i}.md": brief_text(f"Draft {i}", published=f"2026-03-0{i + 1}", extra="draft: true\n")
                  for i in range(2, 5)})  # 2026-03-02 to 04: with 2-page shards, one holds drafts only
    root = make_project(tmp_path / "root", files)
    out = root / "site"
    build(root, out, search=True, drafts=True)
    shards = sorted((out / "pagefind-shards").iterdir())
    empty = [s for s in shards if not any(s.iterdir())]
    assert empty, [s.name for s in shards]  # the drafts' shard
    assert not [p for p in out.rglob(".*") if p.is_file()]
    assert all((s / "pagefind-entry.json").is_file() for s in shards if s not in empty)
    stray = out.parent / ".site.spare" / "pagefind-shards"
    build(root, out, search=True, drafts=True)  # a second tree, now the spare of the next build
    for shard in stray.iterdir() if stray.is_dir() else ():
        (shard.parent / f".{shard.name}.tmp").mkdir()  # a part a killed build left behind
    build(root, out, search=True, drafts=True)
    assert not [p for p in (out / "pagefind-shards").iterdir() if p.name.startswith(".")]
    assert indexed_urls(out) == indexed_urls(out)  # the index still reads
