"""Email: each weekly issue as a file that can be mailed as is.

issues/<week>/email.html is one self-contained HTML file for Outlook and other
mail clients: table layout, inline styles only, no scripts, no images, every
link absolute to the site, the protective marking at top and bottom, and the
disclaimer after each brief's implications. issues/<week>/email.txt is the
plain-text alternative with the same content.

Each brief's part of either file (layouts/email/_brief.html and _brief.txt)
is made from the brief's fragments, whose Markdown was rendered once for all
pages (generator.fragments); an edition pastes its briefs' parts between its
own header and footer. The parts are not kept: each brief is in one week, so
a build makes each part once, and holding them for every brief would cost
more memory than making a changed week's again costs time.

The templates style by class, from one stylesheet (layouts/email/email.css);
once an edition is put together, css-inline writes the stylesheet's rules
into every element's style attribute and the classes are dropped, since mail
clients ignore stylesheets.
"""

from __future__ import annotations

import html
import re
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup

from generator.dates import long_date
from generator.urls import Urls

STYLESHEET = "email/email.css"  # in layouts/: the site's own, else the default theme's

_IMG = re.compile(r"<img\b([^>]*)>")
_IMG_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SITE_HREF = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


def absolute_links(fragment: str, base_url: str) -> str:
    """Site-relative links ("/ai-digest/briefs/x/") become absolute ("https://host/ai-digest/briefs/x/")."""
    if '="/' not in fragment:  # most fragments link only elsewhere, or nowhere
        return fragment
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return _SITE_HREF.sub(lambda m: f'{m.group(1)}="{origin}{m.group(2)}"', fragment)


def _image_to_link(m: re.Match) -> str:
    attrs = {k: v for k, v in _IMG_ATTR.findall(m.group(1))}
    src, alt = attrs.get("src", ""), attrs.get("alt", "") or "image"
    return f'<a href="{src}">{alt} (image)</a>'


def email_fragment(fragment: str) -> Markup:
    """Our rendered HTML, its links made absolute, made mail-ready: images become links to them."""
    return Markup(_IMG.sub(_image_to_link, fragment) if "<img" in fragment else fragment)


# -- styles: one stylesheet, inlined once per edition -------------------------------------

def make_inliner(css: str):
    """A css-inline inliner of `css` that never loads anything from elsewhere."""
    import css_inline  # here, not at the top: only a build that writes an email edition needs it

    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False,
                                 keep_at_rules=False, extra_css=css)


# A class attribute in a start tag as css-inline (html5ever) writes it: every "<" in text is
# escaped and attribute values are always in double quotes with any '"' in them escaped, so
# this finds class attributes of real tags only, never "class=" in text or another value.
_CLASS_ATTR = re.compile(r'(<[a-zA-Z][^\s/>]*(?:\s+[^\s"\'=<>`/]+(?:="[^"]*")?)*?)\s+class="[^"]*"')


def inline_styles(document: str, inliner) -> str:
    """The stylesheet's rules written into each element's style attribute (the element's own
    style attribute, if any, wins), then the class attributes dropped: they named rules for
    the inliner, and a mail client has no stylesheet to look them up in."""
    return _CLASS_ATTR.sub(r"\1", inliner.inline(document))


# -- plain text ----------------------------------------------------------------------------

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


class BriefPart:
    """A brief's part of its week's email.html and email.txt (layouts/email/_brief.html and
    _brief.txt), made from its fragments when first asked for: the brief's Markdown is never
    rendered again, and a worker writing only one of the two files makes only that form."""

    def __init__(self, renderer, view):
        self.renderer = renderer
        self.view = view

    @cached_property
    def _context(self) -> dict:
        view, config, absolute = self.view, self.renderer.config, self.renderer.urls.absolute
        return {
            "b": view,
            "url": absolute(Urls.brief(view.brief)),
            "source_url": absolute(view.source_path),
            "summary": absolute_links(str(view.summary_html), config.base_url),
            "implications": [(imp, absolute(Urls.action(imp.action)), absolute_links(str(imp.html), config.base_url))
                             for imp in view.implications],
        }

    @cached_property
    def html(self) -> Markup:
        c = self._context
        item = {"url": c["url"], "source_url": c["source_url"], "summary_html": email_fragment(c["summary"]),
                "implications": [{"action": imp.action, "action_slug": imp.action_slug, "url": url,
                                  "html": email_fragment(html_)} for imp, url, html_ in c["implications"]]}
        template = self.renderer.env.get_template("email/_brief.html")
        return Markup(template.render(b=c["b"], item=item))

    @cached_property
    def text(self) -> str:
        c = self._context
        item = {"url": c["url"], "summary_text": fragment_text(c["summary"]),
                "implications": [{"action": imp.action, "text": " ".join(fragment_paragraphs(html_))}
                                 for imp, _, html_ in c["implications"]]}
        template = self.renderer.env.get_template("email/_brief.txt")
        return template.render(b=c["b"], item=item, wrap=wrap)


def email_context(renderer, issue) -> dict:
    config = renderer.site.config
    view = renderer.issue_view(issue)
    editorial = absolute_links(str(view["editorial_html"]), config.base_url) if view["editorial_html"] else None
    sections = [(name, [BriefPart(renderer, renderer.view(b)) for b in briefs])
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
        "editorial_html": email_fragment(editorial) if editorial else None,
        "editorial_text": fragment_text(editorial) if editorial else "",
        "sections": sections,
        "wrap": wrap,
    }
