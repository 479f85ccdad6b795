"""The search index: what Pagefind records for the sample site, read back from its files.

Fragments are gzip files holding b"pagefind_dcd" and then JSON: one per indexed page.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import brief_text, build
from generator import DISCLAIMER
from generator.build import check_site
from generator.search import SearchIndexError, cbor_decode, cbor_encode, index_site


def fragments(site: Path) -> list[dict]:
    out = []
    for f in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(f.read_bytes())
        assert data[:12] == b"pagefind_dcd"
        out.append(json.loads(data[12:]))
    return out


def published_briefs(root: Path):
    content = check_site(root).content
    return [b for b in content.briefs if not b.draft]


def brief_url(slug: str) -> str:
    return f"/briefs/{slug}/"


def test_every_published_brief_is_indexed_exactly_once(sample_site, sample_root):
    urls = [f["url"] for f in fragments(sample_site)]
    briefs = published_briefs(sample_root)
    assert len(briefs) > 20
    for b in briefs:
        assert urls.count(brief_url(b.slug)) == 1, b.slug


def test_drafts_are_not_indexed(sample_site, sample_root):
    drafts = [b for b in check_site(sample_root).content.briefs if b.draft]
    assert drafts, "the sample has draft briefs"
    urls = {f["url"] for f in fragments(sample_site)}
    text = " ".join(f["content"] for f in fragments(sample_site))
    for d in drafts:
        assert brief_url(d.slug) not in urls
        assert d.title not in text


def test_only_briefs_and_issue_pages_are_indexed(sample_site, sample_root):
    urls = sorted(f["url"] for f in fragments(sample_site))
    issues = sorted(p.parent.name for p in (sample_site / "issues").glob("*/index.html"))
    assert issues
    expected = sorted([brief_url(b.slug) for b in published_briefs(sample_root)] + [f"/issues/{w}/" for w in issues])
    assert urls == expected


@pytest.mark.parametrize("text", [
    "Skip to main content", "Cite this brief", "Previous brief", "Next brief", "Previous week", "Next week",
    "Atom feed", "JSON feed", "What the action labels mean", "Search briefs", "Weekly AI digest",
    "AI governance, regulation, strategy and practice developments from monitored sources", "OFFICIAL",
    DISCLAIMER, "Retrieved from",
])
def test_no_navigation_or_boilerplate_in_the_index(sample_site, text):
    for f in fragments(sample_site):
        assert text not in f["content"], f["url"]


def test_navigation_links_are_not_indexed(sample_site):
    for f in fragments(sample_site):
        assert not f["content"].startswith("Home"), f["url"]
        assert "Home. Weekly digests. All briefs" not in f["content"]
        assert "Sections in this issue" not in f["content"]


def test_brief_filters_match_the_content(sample_site, sample_root):
    by_url = {f["url"]: f for f in fragments(sample_site)}
    for b in published_briefs(sample_root):
        f = by_url[brief_url(b.slug)]
        actions = sorted({imp.action for imp in b.implications})
        assert sorted(f["filters"]["action"]) == actions, b.slug
        assert sorted(f["filters"]["tag"]) == sorted(b.tags)
        assert f["filters"]["source"] == [b.source.name]
        assert f["filters"]["year"] == [str(b.published.year)]
        if b.section:
            assert f["filters"]["section"] == [b.section]
        if b.jurisdiction:
            assert f["filters"]["jurisdiction"] == [b.jurisdiction]


def test_implement_filter_counts_briefs_with_an_implement_implication(sample_site, sample_root):
    expected = {b.slug for b in published_briefs(sample_root) if any(i.action == "Implement" for i in b.implications)}
    assert expected
    found = {f["url"] for f in fragments(sample_site) if "Implement" in f["filters"].get("action", [])}
    assert found == {brief_url(s) for s in expected}


def test_every_page_has_title_date_and_excerpt_fallback(sample_site, sample_root):
    briefs = {brief_url(b.slug): b for b in published_briefs(sample_root)}
    for f in fragments(sample_site):
        meta = f["meta"]
        assert meta["title"]
        assert len(meta["date"]) == 10 and meta["date"][4] == "-"
        if f["url"] in briefs:
            b = briefs[f["url"]]
            assert meta["kind"] == "brief"
            assert meta["title"] == b.title
            assert meta["date"] == b.published.isoformat()
            assert meta["standfirst"] == b.standfirst
            assert meta["source"].startswith(b.source.name)
        else:
            assert meta["kind"] == "issue"
            assert meta["title"].startswith("Weekly AI Digest: ")


def test_issue_pages_carry_no_action_filter(sample_site):
    for f in fragments(sample_site):
        if f["meta"]["kind"] == "issue":
            assert "action" not in f["filters"]
            assert f["filters"]["year"]


def test_only_the_javascript_api_is_published(sample_site):
    bundle = sample_site / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("wasm.*.pagefind"))
    assert not list(bundle.glob("pagefind-*ui*"))
    assert not (bundle / "pagefind-highlight.js").exists()


def test_build_report_counts_pages_and_bytes(project, tmp_path):
    root = project({
        "content/briefs/one.md": brief_text("Quokka census results"),
        "content/briefs/two.md": brief_text("Wombat tunnelling survey", published="2026-03-10", action="Implement"),
    })
    report = build(root, search=True)
    folders = [root / "site" / "pagefind", root / "site" / "pagefind-shards"]
    assert report.search["pages"] == len(fragments(root / "site")) == 4  # two briefs, two weeks
    assert report.search["bytes"] == sum(p.stat().st_size for f in folders for p in f.rglob("*") if p.is_file())
    assert report.search["seconds"] >= 0


def test_no_search_builds_no_index(project):
    root = project({"content/briefs/one.md": brief_text()})
    report = build(root, search=False)
    assert report.search is None
    assert not (root / "site" / "pagefind").exists()


def test_drafts_build_still_indexes_no_draft(project):
    root = project({
        "content/briefs/public.md": brief_text("Published platypus brief"),
        "content/briefs/secret.md": brief_text("Unreleased echidna brief", extra="draft: true\n",
                                               body="Echidna material that must stay unindexed."),
    })
    build(root, search=True, drafts=True)
    assert (root / "site" / "briefs" / "secret" / "index.html").is_file()  # the draft page is built...
    found = fragments(root / "site")
    assert [f["url"] for f in found if f["url"].startswith("/briefs/")] == ["/briefs/public/"]
    assert not any("echidna" in f["content"].lower() for f in found)  # ...and not indexed, not even on its issue page


def test_two_builds_give_byte_identical_index(project, tmp_path):
    tags = "[alpha, beta, gamma, delta, epsilon, zeta, eta, theta]"
    root = project({f"content/briefs/b{i}.md": brief_text(f"Brief number {i}", tags=tags, published=f"2026-03-{10 + i}",
                                                          action=["Implement", "Decide", "Consider", "Monitor"][i % 4])
                    for i in range(6)})
    runs = []
    for n in range(3):
        out = tmp_path / f"out{n}"
        build(root, out, search=True)
        runs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()})
    assert runs[0] == runs[1] == runs[2]


def test_filter_and_meta_files_are_canonical(sample_site):
    bundle = sample_site / "pagefind"
    for f in (bundle / "filter").glob("*.pf_filter"):
        name, values = cbor_decode(gzip.decompress(f.read_bytes())[12:])
        assert [v[0] for v in values] == sorted(v[0] for v in values), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    for lang, info in entry["languages"].items():
        meta = cbor_decode(gzip.decompress((bundle / f"pagefind.{info['hash']}.pf_meta").read_bytes())[12:])
        names = [n for n, _ in meta[3]]
        assert names == sorted(names) == ["action", "jurisdiction", "section", "source", "tag", "year"]
        for _, h in meta[3]:
            assert (bundle / "filter" / f"{h}.pf_filter").is_file()


@pytest.mark.parametrize("value", [0, 23, 24, 255, 256, 65535, 65536, 2**32, -1, -500, "", "Global Regulation & Policy",
                                   "Māori", [], [1, [2, "x"]], {"a": [1]}, b"\x00\xff"])
def test_cbor_round_trip(value):
    assert cbor_decode(cbor_encode(value)) == value


def test_cbor_round_trip_is_exact_on_pagefind_files(sample_site):
    for f in (sample_site / "pagefind").rglob("*"):
        if f.suffix in (".pf_filter", ".pf_meta", ".pf_index"):
            body = gzip.decompress(f.read_bytes())[12:]
            assert cbor_encode(cbor_decode(body)) == body, f.name


def test_a_failed_index_publishes_nothing(project, monkeypatch, tmp_path):
    root = project({"content/briefs/one.md": brief_text("First version")})
    out = root / "site"
    build(root, out, search=False)
    before = (out / "briefs" / "one" / "index.html").read_bytes()
    (root / "content" / "briefs" / "one.md").write_text(brief_text("Second version"), encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(SearchIndexError, match="Pagefind failed"):
        build(root, out, search=True)
    assert (out / "briefs" / "one" / "index.html").read_bytes() == before
    # no half-built folder is left beside the site (the spare tree kept for the next build is not one)
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site.") and p.name != ".site.lock") in ([], [".site.spare"])


def test_missing_binary_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "briefs" / "x").mkdir(parents=True)
    (tmp_path / "briefs" / "x" / "index.html").write_text("<div data-pagefind-body>x</div>")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(SearchIndexError, match="could not run Pagefind"):
        index_site(tmp_path)


def test_nothing_to_index_is_not_an_error(tmp_path):
    (tmp_path / "briefs" / "x").mkdir(parents=True)
    (tmp_path / "briefs" / "x" / "index.html").write_text("<p>A draft page without a search body</p>")
    assert index_site(tmp_path)["pages"] == 0
    assert not (tmp_path / "pagefind").exists()
