"""Make feed content safe: nh3 (a maintained HTML sanitiser) with a small allow-list.

Every field from a feed goes through here before it is used:
- clean_html: body HTML keeps only structural tags (paragraphs, lists,
  emphasis, links, quotes, code); scripts, styles, iframes, forms, objects
  and their contents are dropped, every attribute but a link's href/title is
  dropped, and a link survives only with an http, https or mailto URL.
- clean_text: titles, authors, categories: all markup removed, plain text out.
- safe_link: a URL used as a link target: http(s) only.
The output of the sanitiser is never un-escaped back into markup: clean_text
reads the text nodes of sanitised HTML with a parser, and that text is escaped
again wherever it is used (YAML emitter, Markdown escaping, Jinja autoescape).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = {
    "p", "br", "a", "em", "i", "strong", "b", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "code", "pre",
    "div", "span", "section", "article", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "hr", "sub", "sup",
}
# Dropped together with everything inside them.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "form", "input", "button", "select", "textarea", "noscript", "template",
    "svg", "math", "canvas", "audio", "video", "title", "head", "meta", "link", "base",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_SCHEMES = ("http", "https")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1: `digest check` refuses them
_SPACE = re.compile(r"\s+")


def clean_html(fragment: str) -> str:
    """Sanitised HTML: the allow-list above, nothing else."""
    return nh3.clean(
        _CONTROL.sub("", fragment or ""),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
    )


_INLINE = {"a", "b", "i", "em", "strong", "code", "span", "sub", "sup"}


class _TextOnly(HTMLParser):
    """The text of sanitised HTML; a space where one block ends and the next begins."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def clean_text(value: str, max_length: int = 500) -> str:
    """Plain text for a one-line field: markup (and script/style contents) removed, spaces collapsed."""
    text = value or ""
    # Feeds often escape markup twice; the text of one pass may still read as
    # markup, so sanitise again (never un-escape) until it no longer does.
    for _ in range(3):
        text = _text_of(text)
        if "<" not in text:
            break
    text = _SPACE.sub(" ", text).strip()
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def _text_of(fragment: str) -> str:
    sanitised = nh3.clean(
        _CONTROL.sub("", fragment), tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT, attributes={}
    )
    reader = _TextOnly()
    reader.feed(sanitised)
    reader.close()
    return _CONTROL.sub("", "".join(reader.parts))


def safe_link(url: str, base: str = "") -> str | None:
    """An absolute http(s) URL, or None. Relative URLs are resolved against `base` first."""
    url = _CONTROL.sub("", (url or "").strip())
    if not url:
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc or any(c.isspace() for c in url):
        return None
    return url


def safe_href(url: str, base: str = "") -> str | None:
    """A link target inside a summary: http(s) (resolved against base) or mailto."""
    raw = _CONTROL.sub("", (url or "").strip())
    if raw.lower().startswith("mailto:") and not any(c.isspace() for c in raw):
        return raw
    return safe_link(raw, base)
