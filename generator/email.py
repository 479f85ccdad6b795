"""Email: each weekly issue as a file that can be mailed as is.

issues/<week>/email.html is one self-contained HTML file for Outlook and other
mail clients: table layout, inline styles only, no scripts, no images, every
link absolute to the site, the protective marking at top and bottom, and the
disclaimer after each brief's implications. issues/<week>/email.txt is the
plain-text alternative with the same content.

Each brief's part of both files is made once, with its other fragments
(generator.fragments, layouts/email/_brief.html and _brief.txt), and cached
with them; an edition only pastes its briefs' parts between its own header
and footer. Brief fragments (summaries, key points, implications) are our own
Markdown output, so their small, known set of tags is styled here by name.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
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
    if '="/' not in fragment:  # most fragments link only elsewhere, or nowhere
        return fragment
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return _SITE_HREF.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', fragment)


def _image_to_link(m: re.Match) -> str:
    attrs = {k: v for k, v in _ATTR.findall(m.group(1))}
    src, alt = attrs.get("src", ""), attrs.get("alt", "") or "image"
    return f'<a href="{src}">{alt} (image)</a>'


def email_fragment(fragment: str) -> Markup:
    """Our rendered HTML, its links made absolute, made mail-ready: images as links, inline styles."""
    text = _IMG.sub(_image_to_link, fragment) if "<img" in fragment else fragment

    def style(m: re.Match) -> str:
        attrs = m.group(2) or ""
        return f'<{m.group(1)}{attrs} style="{FRAGMENT_STYLES[m.group(1)]}">'

    return Markup(_OPEN_TAG.sub(style, text))


def label_colour(action_slug: str) -> str:
    return LABEL_COLOURS.get(action_slug, DEFAULT_LABEL_COLOUR)


@lru_cache(maxsize=16)
def _line_of(room: int) -> re.Pattern:
    """As many whole words as fit in `room` characters, or one longer word on its own."""
    return re.compile(r"\S.{0,%d}(?= |$)|\S+" % max(room - 1, 0))


def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Plain text wrapped for mail clients; `first` is the first line's prefix (e.g. "- ").

    Greedy, words never broken (a word longer than the line stands alone): the
    same lines as textwrap.fill(text, width, initial_indent=first,
    subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    of the text with its spaces collapsed, at a fraction of the cost."""
    text = " ".join(text.split())
    if not text:
        return ""
    prefix = indent if first is None else first
    if len(prefix) + len(text) <= width:
        return prefix + text
    head = _line_of(width - len(prefix)).match(text)
    rest = _line_of(width - len(indent)).findall(text, head.end())
    return prefix + head.group() + "".join("\n" + indent + line for line in rest)


# Our rendered HTML (markdown-it's output, so every "<" in text is escaped and every
# attribute double-quoted): a tag, or text up to the next tag.
_TOKEN = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"]|"[^"]*")*)>|([^<]+|<)')
_HREF = re.compile(r'\shref="([^"]*)"')
_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "li"})


def fragment_paragraphs(fragment: str) -> list[str]:
    """Plain-text paragraphs (and "- " list items) of an HTML fragment, links kept as URLs.

    Lists as "- ", links as "text <url>" (http(s) and mailto only), tables as
    "cell | cell" rows, entities decoded."""
    blocks: list[str] = []
    current: list[str] = []
    hrefs: list[str | None] = []
    cells: list[str] | None = None

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    for m in _TOKEN.finditer(str(fragment)):
        closing, tag, attrs, data = m.groups()
        if data is not None:
            current.append(html.unescape(data))
            continue
        tag = tag.lower()
        if not closing:
            if tag in _BLOCKS:
                flush()
                if tag == "li":
                    current.append("- ")
            elif tag == "tr":
                flush()
                cells = []
            elif tag in ("td", "th"):
                current.clear()
            elif tag == "br":
                current.append(" ")
            elif tag == "a":
                href = _HREF.search(attrs)
                hrefs.append(html.unescape(href.group(1)) if href else None)
            if not attrs.endswith("/"):
                continue  # a self-closing tag ("<br />") ends here too
        if tag == "a" and hrefs:
            href = hrefs.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                current.append(f" <{href}>")
        elif tag in ("td", "th") and cells is not None:
            cells.append(" ".join("".join(current).split()))
            current.clear()
        elif tag == "tr" and cells is not None:
            blocks.append(" | ".join(cells))
            cells = None
        elif tag in _BLOCKS:
            flush()
    flush()
    return blocks


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


def brief_email(view, config, urls, html_template, text_template) -> tuple[Markup, str]:
    """A brief's part of its week's email.html and email.txt, made once with its other fragments."""
    base_url = config.base_url
    absolute = urls.absolute
    summary = absolute_links(str(view.summary_html), base_url)
    implications = []
    for imp in view.implications:
        html_ = absolute_links(str(imp.html), base_url)
        implications.append({
            "action": imp.action,
            "colour": label_colour(imp.action_slug),
            "url": absolute(Urls.action(imp.action)),
            "html": email_fragment(html_),
            "text": " ".join(fragment_paragraphs(html_)),
        })
    item = {
        "url": absolute(Urls.brief(view.brief)),
        "source_url": absolute(view.source_path),
        "summary_html": email_fragment(summary),
        "summary_text": fragment_text(summary),
        "implications": implications,
    }
    context = {"b": view, "item": item, "font": FONT, "wrap": wrap}
    return Markup(html_template.render(context)), text_template.render(context)


def email_context(renderer, issue) -> dict:
    config = renderer.site.config
    view = renderer.issue_view(issue)
    editorial = absolute_links(str(view["editorial_html"]), config.base_url) if view["editorial_html"] else None
    sections = [(name, [renderer.view(b) for b in briefs]) for name, briefs in issue.by_section(config.sections)]
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
        "editorial_html": email_fragment(editorial) if editorial else None,
        "editorial_text": fragment_text(editorial) if editorial else "",
        "sections": sections,
        "font": FONT,
        "wrap": wrap,
    }
