"""Feeds and machine-readable files: Atom, JSON Feed 1.1, sitemap.

Atom files must be well-formed and parse with feedparser without complaint
(bozo == 0); the elements RFC 4287 requires are checked with ElementTree.
JSON Feed is checked against the 1.1 spec's required keys. The sitemap
lists every page of the site and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from conftest import brief_text, build
from htmlquery import parse_html

A = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE_URL = "https://intranet.example.gov.au/ai-digest/"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def atom_files(site: Path) -> list[Path]:
    return [site / "feed.xml"] + sorted((site / "tags").glob("*/feed.xml"))


def rfc3339(text: str) -> dt.datetime:
    assert RFC3339.match(text), f"not an RFC 3339 date-time: {text!r}"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- Atom ----------------------------------------------------------------------------

def test_there_is_a_feed_for_the_site_and_for_every_tag(sample_site):
    tags = sorted(p.name for p in (sample_site / "tags").iterdir() if p.is_dir())
    assert len(tags) >= 12
    assert all((sample_site / "tags" / t / "feed.xml").is_file() for t in tags)
    assert (sample_site / "feed.xml").is_file()


def test_every_atom_feed_parses_cleanly(sample_site):
    for path in atom_files(sample_site):
        parsed = feedparser.parse(str(path))
        assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10"
        ET.parse(path)


def test_every_atom_feed_has_the_required_elements(sample_site):
    for path in atom_files(sample_site):
        feed = ET.parse(path).getroot()
        assert feed.tag == f"{A}feed"
        assert feed.findtext(f"{A}id").startswith(BASE_URL)
        assert feed.findtext(f"{A}title")
        feed_updated = rfc3339(feed.findtext(f"{A}updated"))
        assert feed.find(f"{A}author/{A}name").text
        self_links = [l.get("href") for l in feed.findall(f"{A}link") if l.get("rel") == "self"]
        assert self_links == [BASE_URL + path.relative_to(sample_site).as_posix()]
        entries = feed.findall(f"{A}entry")
        assert entries
        ids = [e.findtext(f"{A}id") for e in entries]
        assert len(set(ids)) == len(ids)
        for e in entries:
            assert e.findtext(f"{A}id").startswith(BASE_URL + "briefs/")
            assert e.findtext(f"{A}title")
            assert rfc3339(e.findtext(f"{A}updated")) <= feed_updated
            alternate = [l for l in e.findall(f"{A}link") if l.get("rel", "alternate") == "alternate"]
            assert [l.get("href") for l in alternate] == [e.findtext(f"{A}id")]
            content = e.find(f"{A}content")
            assert content.get("type") == "html" and "data-implications" in content.text


def test_the_site_feed_self_link_and_tag_feed_self_link(sample_site):
    """Read as text (not parsed) so this holds whatever the state of the entry content."""
    site_feed = (sample_site / "feed.xml").read_text(encoding="utf-8")
    assert f'<link rel="self" type="application/atom+xml" href="{BASE_URL}feed.xml"/>' in site_feed
    assert f"<id>{BASE_URL}feed.xml</id>" in site_feed
    for path in atom_files(sample_site)[1:]:
        rel = path.relative_to(sample_site).as_posix()
        assert f'href="{BASE_URL}{rel}"' in path.read_text(encoding="utf-8")


def test_atom_entries_are_the_latest_briefs_newest_first_with_rfc3339_dates(sample_site):
    parsed = feedparser.parse(str(sample_site / "feed.xml"))
    briefs = [p.parent.name for p in (sample_site / "briefs").glob("*/index.html") if p.parent.name != "page"]
    assert len(parsed.entries) == min(50, len(briefs))
    published = [rfc3339(e.published) for e in parsed.entries]
    assert published == sorted(published, reverse=True)
    for e in parsed.entries:
        rfc3339(e.updated)
        assert e.link.startswith(BASE_URL + "briefs/")
    assert rfc3339(re.search(r"<updated>([^<]+)</updated>", (sample_site / "feed.xml").read_text()).group(1)) == max(
        rfc3339(e.updated) for e in parsed.entries)


def test_a_feed_holds_at_most_50_briefs(project):
    files = {f"content/briefs/b{i:02d}.md": brief_text(f"Brief {i:02d}", published=(dt.date(2026, 3, 16) - dt.timedelta(days=i)).isoformat())
             for i in range(55)}
    root = project(files)
    build(root)
    parsed = feedparser.parse(str(root / "site/feed.xml"))
    assert [e.title for e in parsed.entries] == [f"Brief {i:02d}" for i in range(50)]
    assert len(json.loads((root / "site/feed.json").read_text())["items"]) == 50
    assert len(feedparser.parse(str(root / "site/tags/testing/feed.xml")).entries) == 50


def test_a_tag_feed_holds_only_briefs_with_that_tag(project):
    root = project({
        "content/briefs/a.md": brief_text("Tagged A", tags="[Privacy, LLMs]"),
        "content/briefs/b.md": brief_text("Tagged B", tags="[LLMs]", published="2026-03-10"),
        "content/briefs/c.md": brief_text("Untagged C", tags="[Other]", published="2026-03-11"),
    })
    build(root)
    llms = feedparser.parse(str(root / "site/tags/llms/feed.xml"))
    assert [e.title for e in llms.entries] == ["Tagged A", "Tagged B"]
    assert "LLMs" in llms.feed.title


def test_feed_entry_content_is_the_full_brief_and_safe(sample_site):
    parsed = feedparser.parse(str(sample_site / "feed.xml"))
    items = {i["id"]: i for i in json.loads((sample_site / "feed.json").read_text(encoding="utf-8"))["items"]}
    for e in parsed.entries:
        for html in (e.content[0].value, items[e.link]["content_html"]):
            doc = parse_html(html, strict=False)
            assert doc.find("a", href=e.link.replace("https://intranet.example.gov.au", "")) is not None \
                or doc.find("a", href=e.link) is not None
            for node in doc.iter():
                assert node.tag not in ("script", "style", "iframe", "object", "embed", "form"), e.link
                assert not [a for a in node.attrs if a.startswith("on")], e.link
                href = node.get("href") or node.get("src") or ""
                assert not re.match(r"^\s*(javascript|data|vbscript|file|smb):", href, re.I), href


# -- JSON Feed 1.1 ---------------------------------------------------------------------

def test_json_feed_is_valid_json_feed_1_1(sample_site):
    feed = json.loads((sample_site / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "SIMS"
    assert feed["home_page_url"] == BASE_URL
    assert feed["feed_url"] == BASE_URL + "feed.json"
    assert isinstance(feed["items"], list) and feed["items"]
    ids = [i["id"] for i in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"].startswith(BASE_URL + "briefs/")
        assert item["url"] == item["id"]
        assert item.get("content_html") or item.get("content_text")
        assert item["title"] and item["summary"]
        rfc3339(item["date_published"])
        rfc3339(item["date_modified"])
        assert item["external_url"].startswith(("http://", "https://"))
        assert all(isinstance(t, str) for t in item["tags"])
        assert item["authors"] and all(a.get("name") for a in item["authors"])
        assert "author" not in item  # 1.1 uses authors
    published = [rfc3339(i["date_published"]) for i in feed["items"]]
    assert published == sorted(published, reverse=True)


def test_json_feed_matches_the_atom_feed(sample_site):
    feed = json.loads((sample_site / "feed.json").read_text(encoding="utf-8"))
    atom = feedparser.parse(str(sample_site / "feed.xml"))
    assert [i["id"] for i in feed["items"]] == [e.id for e in atom.entries]


# -- sitemap ------------------------------------------------------------------------------

def test_sitemap_lists_every_page_and_nothing_else(sample_site):
    root = ET.parse(sample_site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert len(locs) == len(set(locs))
    pages = set()
    for p in sample_site.rglob("*.html"):
        rel = p.relative_to(sample_site).as_posix()
        if rel == "404.html" or rel.endswith("/email.html"):  # not pages to browse: the email editions
            continue
        pages.add(BASE_URL + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    assert set(locs) == pages
    for u in root.findall(f"{SITEMAP}url"):
        lastmod = u.findtext(f"{SITEMAP}lastmod")
        if lastmod:
            dt.date.fromisoformat(lastmod)
    briefs = [u for u in root.findall(f"{SITEMAP}url") if re.search(r"/briefs/[a-z0-9-]+/$", u.findtext(f"{SITEMAP}loc"))
              and "/briefs/page/" not in u.findtext(f"{SITEMAP}loc")]
    assert briefs and all(u.findtext(f"{SITEMAP}lastmod") for u in briefs)


def test_pages_advertise_the_feeds(sample_site):
    from htmlquery import read_html

    home = read_html(sample_site / "index.html")
    types = {l.get("type"): l.get("href") for l in home.find_all("link", rel="alternate")}
    assert types == {"application/atom+xml": "/ai-digest/feed.xml", "application/feed+json": "/ai-digest/feed.json"}
