"""Email: each weekly issue as a file that can be mailed as is.

issues/<week>/email.html is one self-contained HTML file for Outlook and other
mail clients: table layout, inline styles only, no scripts, no images, every
link absolute to the site, the protective marking at top and bottom, and the
disclaimer after each brief's implications. issues/<week>/email.txt is the
plain-text alternative with the same content.

Brief fragments (summaries, key points, implications) are our own Markdown
output, so their small, known set of tags is styled here by name.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser
from urllib.parse import urlsplit

from markupsafe import Markup

from generator.dates import long_date
from generator.urls import Urls

FONT = "'Segoe UI', Arial, Helvetica, sans-serif"

# Colours meet WCAG AA on white; labels carry their name as text, never colour alone.
LABEL_COLOURS = {"implement": "#0b6b3a", "decide": "#8a1f11", "consider": "#5b3a99", "monitor": "#1d4f91"}
DEFAULT_LABEL_COLOUR = "#1a1a1a"

FRAGMENT_STYLES = {
    "p": "margin:0 0 12px 0;",
    "ul": "margin:0 0 12px 0;padding-left:24px;",
    "ol": "margin:0 0 12px 0;padding-left:24px;",
    "li": "margin:0 0 6px 0;",
    "a": "color:#00528a;text-decoration:underline;",
    "table": "border-collapse:collapse;margin:0 0 12px 0;",
    "th": "border:1px solid #cfd5dc;padding:4px 8px;text-align:left;vertical-align:top;background:#f3f5f7;",
    "td": "border:1px solid #cfd5dc;padding:4px 8px;text-align:left;vertical-align:top;",
    "h3": "font-size:16px;margin:16px 0 8px 0;", "h4": "font-size:16px;margin:16px 0 8px 0;",
    "h5": "font-size:15px;margin:12px 0 6px 0;", "h6": "font-size:15px;margin:12px 0 6px 0;",
    "blockquote": "margin:0 0 12px 0;padding-left:12px;border-left:4px solid #cfd5dc;",
    "code": "font-family:Consolas,'Courier New',monospace;font-size:14px;",
    "pre": "font-family:Consolas,'Courier New',monospace;font-size:14px;white-space:pre-wrap;",
    "hr": "border:0;border-top:1px solid #cfd5dc;",
}
_OPEN_TAG = re.compile(r"<(" + "|".join(FRAGMENT_STYLES) + r")(\s[^>]*)?>")
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SITE_HREF = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


def absolute_links(fragment: str, base_url: str) -> str:
    """Site-relative links ("/ai-digest/briefs/x/") become absolute ("https://host/ai-digest/briefs/x/")."""
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return _SITE_HREF.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', fragment)


def _image_to_link(m: re.Match) -> str:
    attrs = {k: v for k, v in _ATTR.findall(m.group(1))}
    src, alt = attrs.get("src", ""), attrs.get("alt", "") or "image"
    return f'<a href="{src}">{alt} (image)</a>'


def email_fragment(fragment: str, base_url: str) -> Markup:
    """Our rendered HTML made mail-ready: absolute links, images as links, inline styles."""
    text = absolute_links(str(fragment), base_url)
    text = _IMG.sub(_image_to_link, text)

    def style(m: re.Match) -> str:
        attrs = m.group(2) or ""
        return f'<{m.group(1)}{attrs} style="{FRAGMENT_STYLES[m.group(1)]}">'

    return Markup(_OPEN_TAG.sub(style, text))


def label_colour(action_slug: str) -> str:
    return LABEL_COLOURS.get(action_slug, DEFAULT_LABEL_COLOUR)


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Plain text wrapped for mail clients; `first` is the first line's prefix (e.g. "- ")."""
    return textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


class _TextMaker(HTMLParser):
    """Our rendered HTML -> plain-text paragraphs: lists as "- ", links as "text <url>", tables as rows."""

    BLOCKS = {"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.hrefs: list[str | None] = []
        self.cells: list[str] | None = None

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS or tag == "li":
            self.flush()
            if tag == "li":
                self.current.append("- ")
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th"):
            self.current = []
        elif tag == "br":
            self.current.append(" ")
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                self.current.append(f" <{href}>")
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append(" ".join("".join(self.current).split()))
            self.current = []
        elif tag == "tr" and self.cells is not None:
            self.blocks.append(" | ".join(self.cells))
            self.cells = None
        elif tag in self.BLOCKS or tag == "li":
            self.flush()

    def handle_data(self, data):
        self.current.append(data)


def fragment_paragraphs(fragment: str) -> list[str]:
    """Plain-text paragraphs (and "- " list items) of an HTML fragment, links kept as URLs."""
    maker = _TextMaker()
    maker.feed(str(fragment))
    maker.close()
    maker.flush()
    return maker.blocks


def fragment_text(fragment: str, width: int = 72) -> str:
    """An HTML fragment as wrapped plain text: paragraphs apart, list items indented under "- "."""
    out: list[str] = []
    for block in fragment_paragraphs(fragment):
        if block.startswith("- "):
            line = wrap(block[2:], width, indent="  ", first="- ")
            if out and out[-1].startswith("- "):
                out[-1] += "\n" + line
                continue
            out.append(line)
        else:
            out.append(wrap(block, width))
    return "\n\n".join(out)


def _brief_item(renderer, brief) -> dict:
    v = renderer.view(brief)
    base_url = renderer.site.config.base_url
    absolute = renderer.urls.absolute
    return {
        "b": v,
        "url": absolute(Urls.brief(brief)),
        "source_url": absolute(v.source_path),
        "summary_html": email_fragment(v.summary_html, base_url),
        "summary_text": fragment_text(absolute_links(str(v.summary_html), base_url)),
        "implications": [{
            "action": imp.action,
            "colour": label_colour(imp.action_slug),
            "url": absolute(Urls.action(imp.action)),
            "html": email_fragment(imp.html, base_url),
            "text": " ".join(fragment_paragraphs(absolute_links(str(imp.html), base_url))),
        } for imp in v.implications],
    }


def email_context(renderer, issue) -> dict:
    config = renderer.site.config
    view = renderer.issue_view(issue)
    editorial = view["editorial_html"]
    sections = [(name, [_brief_item(renderer, b) for b in briefs])
                for name, briefs in issue.by_section(config.sections)]
    week = issue.week
    return {
        "site": config,
        "issue": issue,
        "week": week,
        "range": f"{long_date(week.monday)} – {long_date(week.sunday)}",
        "count": view["count"],
        "issue_url": renderer.urls.absolute(Urls.issue(week)),
        "home_url": renderer.urls.absolute(""),
        "actions_url": renderer.urls.absolute("actions/"),
        "editorial_html": email_fragment(editorial, config.base_url) if editorial else None,
        "editorial_text": fragment_text(absolute_links(str(editorial), config.base_url)) if editorial else "",
        "sections": sections,
        "font": FONT,
        "wrap": wrap,
    }
