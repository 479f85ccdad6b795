"""Parse feed bytes with feedparser into plain FeedEntry values (still unsanitised).

feedparser is only ever handed bytes we fetched ourselves (wrapped in a
BytesIO: given a str or bytes it would try to open them as a URL or a file
name). Before parsing, any internal DTD subset is removed, so entity
declarations (billion laughs, external entities such as file:///etc/passwd)
never reach the XML parser; feedparser also strips unsafe entities and turns
off external general entities itself. feedparser's own HTML sanitiser and
relative-URI rewriting are off: nh3 sanitises later, and that keeps a 10 MB
entry from being crawled by a pure-Python parser. Entry HTML longer than
MAX_ENTRY_CHARS is truncated here.
"""

from __future__ import annotations

import calendar
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import feedparser

MAX_ENTRY_CHARS = 200_000
MAX_FIELD_CHARS = 2_000
# A DOCTYPE with an internal subset: <!DOCTYPE name ... [ ... ]>
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_PROLOG_END = re.compile(rb"<[A-Za-z_]")


@dataclass(frozen=True)
class FeedEntry:
    """One feed item as the feed gave it. Text fields may still hold hostile markup."""

    title: str = ""
    link: str = ""
    guid: str = ""
    published: datetime | None = None  # aware, UTC
    author: str = ""
    categories: tuple[str, ...] = ()
    content_html: str = ""  # full text when the feed carries it
    summary_html: str = ""  # description/summary
    truncated: bool = False

    @property
    def body_html(self) -> str:
        return self.content_html or self.summary_html

    @property
    def is_teaser(self) -> bool:
        """True when the feed carried only a summary (no full content)."""
        return not self.content_html


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    entries: tuple[FeedEntry, ...]
    version: str
    bozo: bool = False
    problem: str = ""

    @property
    def usable(self) -> bool:
        """A feed is usable when feedparser recognised it (even loosely) or found entries."""
        return bool(self.entries) or bool(self.version)


def strip_dtd_subset(data: bytes) -> bytes:
    """Remove an internal DTD subset (entity declarations) from the prolog only."""
    head_end = _PROLOG_END.search(data)
    limit = head_end.start() if head_end else len(data)
    head = data[:limit]
    if b"<!" not in head:
        return data
    return _DOCTYPE_SUBSET.sub(b"", head) + data[limit:]


def parse_feed(data: bytes, base_url: str = "", content_type: str = "") -> ParsedFeed:
    headers = {}
    if base_url:
        headers["content-location"] = base_url
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(
        io.BytesIO(strip_dtd_subset(data)),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = ""
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        problem = _describe(exc)
    feed = result.get("feed", {})
    entries = tuple(_entry(e) for e in result.get("entries", []))
    return ParsedFeed(
        title=_cap(feed.get("title", "")),
        link=_cap(feed.get("link", "")),
        entries=entries,
        version=result.get("version", "") or "",
        bozo=bool(result.get("bozo")),
        problem=problem,
    )


def _describe(exc: object) -> str:
    if exc is None:
        return "the feed is not well-formed"
    line = getattr(exc, "getLineNumber", None)
    text = getattr(exc, "getMessage", None)
    if callable(line) and callable(text):
        return f"not well-formed XML at line {line()}: {text()}"
    return f"{exc.__class__.__name__}: {exc}"


def _cap(value: object, limit: int = MAX_FIELD_CHARS) -> str:
    return str(value or "")[:limit]


def _entry(e) -> FeedEntry:
    content_html = ""
    for part in e.get("content", []) or []:
        value = part.get("value", "") or ""
        if part.get("type", "text/html") in ("text/plain",):
            value = _plain_to_html(value)
        if len(value) > len(content_html):
            content_html = value
    summary_html = e.get("summary", "") or ""
    detail = e.get("summary_detail") or {}
    if detail.get("type") == "text/plain":
        summary_html = _plain_to_html(summary_html)
    if content_html and content_html.strip() == summary_html.strip():
        summary_html = ""
    truncated = len(content_html) > MAX_ENTRY_CHARS or len(summary_html) > MAX_ENTRY_CHARS
    categories = tuple(
        _cap(t.get("term") or t.get("label") or "", 200)
        for t in e.get("tags", []) or []
        if (t.get("term") or t.get("label"))
    )
    return FeedEntry(
        title=_cap(e.get("title", "")),
        link=_cap(e.get("link", "")),
        guid=_cap(e.get("id", "")),
        published=_when(e),
        author=_cap(e.get("author", ""), 300),
        categories=categories[:20],
        content_html=content_html[:MAX_ENTRY_CHARS],
        summary_html=summary_html[:MAX_ENTRY_CHARS],
        truncated=truncated,
    )


def _plain_to_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())


def _when(e) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = e.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
            except (OverflowError, ValueError, OSError):
                continue
    return None
