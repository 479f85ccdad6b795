"""Feeds and machine-readable files: Atom, JSON Feed 1.1, sitemap, robots.txt.

Atom and the sitemap are templates (feed.xml, sitemap.xml) so a site can
override them; JSON Feed is built as data and dumped with sorted keys.
Timestamps are midnight in the site's time zone of a brief's updated or
published date: nothing depends on when the build ran.
"""

from __future__ import annotations

import json

from generator.dates import rfc3339
from generator.render import OutputFile, Renderer
from generator.urls import Urls

FEED_SIZE = 50


def _stamp(view, tz) -> str:
    return rfc3339(view.brief.updated or view.brief.published, tz)


def render_atom(r: Renderer, path: str, views: list, title: str, html_path: str) -> OutputFile | None:
    entries = views[:FEED_SIZE]
    return r.emit_file(path, ["atom", entries, title, html_path], lambda: _atom(r, path, entries, title, html_path))


def _atom(r: Renderer, path: str, entries: list, title: str, html_path: str) -> bytes:
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


def render_json_feed(r: Renderer) -> OutputFile | None:
    views = [r.view(b) for b in r.site.briefs[:FEED_SIZE]]
    return r.emit_file("feed.json", ["json feed", views], lambda: _json_feed(r, views))


def _json_feed(r: Renderer, views: list) -> bytes:
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


def render_feeds(r: Renderer):
    yield render_atom(r, "feed.xml", [r.view(b) for b in r.site.briefs[:FEED_SIZE]], r.config.title, "")
    yield render_json_feed(r)
    for group in r.site.tags:
        base = Urls.tag(group.name)
        yield render_atom(r, base + "feed.xml", [r.view(b) for b in group.briefs[:FEED_SIZE]],
                          f"{r.config.title}: {group.name}", base)


def render_sitemap(r: Renderer, html_paths: list[str]) -> OutputFile:
    """The sitemap, from every page written (by any worker)."""
    lastmod = {Urls.brief(b): (b.updated or b.published).isoformat() for b in r.site.briefs}
    urls = []
    for dest in sorted(html_paths):
        if dest == "404.html":
            continue
        path = dest[: -len("index.html")] if dest.endswith("index.html") else dest
        urls.append((r.urls.absolute(path), lastmod.get(path)))
    xml = r.env.get_template("sitemap.xml").render(urls=urls)
    return OutputFile("sitemap.xml", xml.encode("utf-8"))


def render_robots(r: Renderer) -> OutputFile:
    if r.config.robots == "allow":
        text = f"User-agent: *\nAllow: /\nSitemap: {r.urls.absolute('sitemap.xml')}\n"
    else:
        text = "# An intranet site: no crawling (set robots: allow in content/site.yaml to change)\nUser-agent: *\nDisallow: /\n"
    return OutputFile("robots.txt", text.encode("utf-8"))
