"""Parsing real-shaped feeds, and XML that tries to hurt the parser."""

from __future__ import annotations

import io
import time
from datetime import datetime, timezone

import feedparser

from generator.ingest.parse import MAX_ENTRY_CHARS, parse_feed, strip_dtd_subset
from test_ingest_helpers import feed_bytes


def test_substack_newsletter_gives_full_content_authors_and_utc_dates():
    feed = parse_feed(feed_bytes("substack-newsletter.xml"))
    assert feed.title == "Model Notes" and not feed.bozo
    first = feed.entries[0]
    assert first.title == "Model Notes #212: Agents, audits & the long tail of evaluation"
    assert first.author == "Priya Natarajan"
    assert first.published == datetime(2025, 11, 17, 13, 30, tzinfo=timezone.utc)
    assert "<h2>Agents keep failing quietly</h2>" in first.content_html
    assert not first.is_teaser


def test_government_media_releases_are_teasers_with_categories_and_relative_links():
    feed = parse_feed(feed_bytes("gov-media-releases.xml"))
    entries = feed.entries
    assert [e.is_teaser for e in entries] == [True, True, True]
    assert entries[0].categories == ("Artificial intelligence", "Policy")
    assert entries[0].published == datetime(2025, 11, 11, 14, 30, tzinfo=timezone.utc)
    assert entries[1].published == datetime(2025, 11, 4, 22, 0, tzinfo=timezone.utc)  # +1100
    assert entries[2].published is None
    assert entries[2].link == "https://www.agency.example.gov.au/news/media-releases/assurance-framework-pilot"


def test_atom_research_blog_resolves_links_against_xml_base():
    feed = parse_feed(feed_bytes("atom-research-blog.xml"))
    assert feed.version == "atom10"
    first, second = feed.entries
    assert first.link == "https://lab.example.org/blog/posts/red-teaming-agents/"
    assert first.author == "Samira Okoye" and first.categories == ("evaluation", "agents")
    assert "twelve red-teaming exercises" in first.content_html
    assert second.published == datetime(2025, 10, 30, 5, 0, tzinfo=timezone.utc)  # updated, no published
    assert "behave differently" in second.content_html


def test_rss_1_0_rdf_is_read():
    feed = parse_feed(feed_bytes("rss1-rdf.xml"))
    assert feed.version == "rss10"
    assert [e.title for e in feed.entries] == [
        "Guide to AI management system standards published",
        "Draft AI risk profile open for comment",
    ]
    assert feed.entries[0].published == datetime(2025, 11, 6, 3, 0, tzinfo=timezone.utc)


def test_a_malformed_feed_is_flagged_bozo_but_its_entries_are_still_read():
    feed = parse_feed(feed_bytes("malformed.xml"))
    assert feed.bozo and "line 4" in feed.problem
    assert feed.usable
    assert {e.title for e in feed.entries} == {"Consultation opens on AI & copyright", "Regulator publishes AI guidance for boards"}


def test_an_html_page_is_not_a_usable_feed():
    feed = parse_feed(feed_bytes("not-a-feed.html"))
    assert not feed.usable and feed.problem


def test_entity_declarations_are_removed_before_parsing():
    stripped = strip_dtd_subset(feed_bytes("xml-bombs.xml"))
    assert b"<!ENTITY" not in stripped and b"<!DOCTYPE" not in stripped
    assert stripped.endswith(b"</rss>\n")


def test_billion_laughs_and_external_entities_neither_expand_nor_read_files():
    started = time.monotonic()
    feed = parse_feed(feed_bytes("xml-bombs.xml"))
    assert time.monotonic() - started < 10  # a hang guard, not a speed target
    text = " ".join([feed.title] + [e.title + e.summary_html for e in feed.entries])
    assert "lollol" not in text
    assert "root:" not in text
    assert len(text) < 1000


def test_feedparser_alone_also_refuses_to_expand_the_bombs():
    """Defence in depth: even without our DTD stripping, feedparser drops unsafe entities."""
    result = feedparser.parse(io.BytesIO(feed_bytes("xml-bombs.xml")), sanitize_html=False)
    text = " ".join([result.feed.get("title", "")] + [e.get("title", "") + e.get("summary", "") for e in result.entries])
    assert "root:" not in text and "lollol" not in text


def test_a_10_mb_entry_is_truncated():
    big = "<p>" + ("Lorem ipsum dolor sit amet. " * 400_000) + "</p>"
    assert len(big) > 10_000_000
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
        "<item><title>Huge</title><link>https://big.example.org/1</link>"
        f"<description><![CDATA[{big}]]></description></item></channel></rss>"
    ).encode()
    started = time.monotonic()
    feed = parse_feed(xml)
    assert time.monotonic() - started < 60  # a hang guard, not a speed target
    entry = feed.entries[0]
    assert entry.truncated and len(entry.summary_html) == MAX_ENTRY_CHARS
