"""Feeds and machine-readable files: Atom, JSON Feed 1.1, sitemap, robots.txt.

Atom and the sitemap are templates (feed.xml, sitemap.xml) so a site can
override them; JSON Feed is built as data and dumped with sorted keys.
Timestamps are midnight in the site's time zone of a brief's updated or
published date: nothing depends on when the build ran.
"""

from __future__ import annotations

import json

from generator.dates import rfc3339
from generator.plan import FEED_SIZE
from generator.urls import Urls


def _stamp(view, tz) -> str:
    return rfc3339(view.brief.updated or view.brief.published, tz)


def atom_feed(r, path: str, briefs: list, title: str, html_path: str) -> bytes:
    entries = [r.view(b) for b in briefs[:FEED_SIZE]]
    return _atom(r, path, entries, title, html_path)


def _atom(r, path: str, entries: list, title: str, html_path: str) -> bytes:
    tz = r.config.tz
    updated = max((_stamp(v, tz) for v in entries), default=rfc3339(__import__("datetime").date(1970, 1, 1), tz))
    xml = r.env.get_template("feed.xml").render(
        r._common(),
        feed_title=title,
        feed_url=r.urls.absolute(path),
        html_url=r.urls.absolute(html_path),
        updated=updated,
        entries=[(v, _stamp(v, tz), rfc3339(v.brief.published, tz)) for v in entries],
    )
    return xml.encode("utf-8")


def json_feed(r) -> bytes:
    return _json_feed(r, [r.view(b) for b in r.site.briefs[:FEED_SIZE]])


def _json_feed(r, views: list) -> bytes:
    tz = r.config.tz
    items = []
    for v in views:
        items.append({
            "id": r.urls.absolute(Urls.brief(v.brief)),
            "url": r.urls.absolute(Urls.brief(v.brief)),
            "external_url": v.brief.source.url,
            "title": v.brief.title,
            "summary": v.brief.standfirst,
            "content_html": str(v.entry),
            "date_published": rfc3339(v.brief.published, tz),
            "date_modified": _stamp(v, tz),
            "tags": list(v.brief.tags),
            "authors": [{"name": v.brief.source.display}],
        })
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": r.config.title,
        "description": r.config.description,
        "home_page_url": r.config.base_url,
        "feed_url": r.urls.absolute("feed.json"),
        "language": r.config.language,
        "items": items,
    }
    return (json.dumps(feed, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def sitemap(r, entries: tuple) -> bytes:
    """The sitemap: (output path, last modified date or None) of every page readers land on."""
    urls = []
    for dest, lastmod in entries:
        path = dest[: -len("index.html")] if dest.endswith("index.html") else dest
        urls.append((r.urls.absolute(path), lastmod))
    return r.env.get_template("sitemap.xml").render(urls=urls).encode("utf-8")


def robots(r) -> bytes:
    if r.config.robots == "allow":
        text = f"User-agent: *\nAllow: /\nSitemap: {r.urls.absolute('sitemap.xml')}\n"
    else:
        text = "# An intranet site: no crawling (set robots: allow in content/site.yaml to change)\nUser-agent: *\nDisallow: /\n"
    return text.encode("utf-8")
