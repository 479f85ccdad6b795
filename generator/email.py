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

While the brief templates in effect are the default theme's own, a part is
put together here in Python instead (BriefPart._html_direct, _text_direct):
the same bytes as the template gives, without a template render per brief. A
site's own layouts/email/_brief.html or _brief.txt, or an edited theme
template, is rendered by Jinja as written (THEME_PARTS).

The templates style by class, from one stylesheet (layouts/email/email.css);
once an edition is put together, css-inline writes the stylesheet's rules
into every element's style attribute and the classes are dropped, since mail
clients ignore stylesheets.
"""

from __future__ import annotations

import hashlib
import html
import re
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from generator.dates import long_date
from generator.urls import Urls

STYLESHEET = "email/email.css"  # in layouts/: the site's own, else the default theme's

_IMG = re.compile(r"<img\b([^>]*)>")
_IMG_ATTR = re.compile(r'(\w+)="([^"]*)"')
_SITE_HREF = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


@lru_cache(maxsize=4)
def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def absolute_links(fragment: str, base_url: str) -> str:
    """Site-relative links ("/ai-digest/briefs/x/") become absolute ("https://host/ai-digest/briefs/x/")."""
    if '="/' not in fragment:  # most fragments link only elsewhere, or nowhere
        return fragment
    origin = _origin(base_url)
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
# Group 1 is the tag up to the class attribute: the attributes before it, which are never
# given back once passed (possessive), so a tag without a class costs one pass.
_CLASS_ATTR = re.compile(r'(<[a-zA-Z][^\s/>]*+(?:\s++(?!class=)[^\s"\'=<>`/]++(?:="[^"]*+")?)*+)\s+class="[^"]*"')


def inline_styles(document: str, inliner) -> str:
    """The stylesheet's rules written into each element's style attribute (the element's own
    style attribute, if any, wins), then the class attributes dropped: they named rules for
    the inliner, and a mail client has no stylesheet to look them up in."""
    return drop_classes(inliner.inline(document))


def drop_classes(document: str) -> str:
    """Every class attribute of css-inline's output taken out of its tag."""
    # split keeps group 1 between the pieces around each match: joined, each match is its tag
    # without the class attribute, as sub(r"\1") would give, without a Python call per match
    return "".join(_CLASS_ATTR.split(document))


# -- plain text ----------------------------------------------------------------------------

def wrap(text: str, width: int = 72, indent: str = "", first: str | None = None) -> str:
    """Plain text wrapped for mail clients; `first` is the first line's prefix (e.g. "- ").

    Greedy, words never broken (a word longer than the line stands alone): the
    same lines as textwrap.fill(text, width, initial_indent=first,
    subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    of the text with its spaces collapsed, at a fraction of the cost."""
    text = " ".join(text.split())
    if not text:
        return ""
    return _wrapped(text, width, indent, indent if first is None else first)


def _wrapped(text: str, width: int, indent: str, prefix: str) -> str:
    """wrap() of a non-empty text whose words are already apart by single spaces, none at either end."""
    room = width - len(prefix)
    end = len(text)
    if end <= room:
        return prefix + text
    lines = []
    start = 0
    while end - start > room:
        cut = text.rfind(" ", start, start + room + 1) if room > 0 else -1  # the last space within room
        if cut < 0:  # the first word is longer than the line: it stands alone
            cut = text.find(" ", start)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
        room = width - len(indent)
    lines.append(text[start:])
    return prefix + ("\n" + indent).join(lines)


# Our rendered HTML (markdown-it's output, so every "<" in text is escaped and every
# attribute double-quoted): a tag, its name and attributes; split on it, the text between tags.
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*+)([^>"]*+(?:"[^"]*+"[^>"]*+)*+)>')
_HREF = re.compile(r'\shref="([^"]*)"')
_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "li"})
_ACTIVE = _BLOCKS | {"tr", "td", "th", "br", "a"}  # every other tag (em, code, ...) only keeps its text


def fragment_paragraphs(fragment: str) -> list[str]:
    """Plain-text paragraphs (and "- " list items) of an HTML fragment, links kept as URLs.

    Lists as "- ", links as "text <url>" (http(s) and mailto only), tables as
    "cell | cell" rows, entities decoded. Each paragraph's words are apart by
    single spaces; a row's empty cells leave "|" apart by two."""
    fragment = str(fragment)
    if "<" not in fragment:  # text alone (most implications): one paragraph
        para = " ".join(html.unescape(fragment).split())
        return [para] if para else []
    blocks: list[str] = []
    current: list[str] = []
    hrefs: list[str | None] = []
    cells: list[str] | None = None
    unescape = html.unescape

    pieces = _TAG.split(fragment)  # text, then (closing "/", name, attributes, text) per tag
    if pieces[0]:
        current.append(unescape(pieces[0]))
    for i in range(1, len(pieces), 4):
        closing, tag, attrs, text = pieces[i:i + 4]
        tag = tag.lower()
        if tag in _ACTIVE:
            if not closing:
                if tag in _BLOCKS or tag == "tr":
                    para = " ".join("".join(current).split())
                    if para:
                        blocks.append(para)
                    current.clear()
                    if tag == "li":
                        current.append("- ")
                    elif tag == "tr":
                        cells = []
                elif tag == "td" or tag == "th":
                    current.clear()
                elif tag == "br":
                    current.append(" ")
                else:  # a
                    href = _HREF.search(attrs)
                    hrefs.append(unescape(href.group(1)) if href else None)
                closing = attrs.endswith("/")  # a self-closing tag ("<br />") ends here too
            if not closing:
                pass
            elif tag == "a":
                if hrefs:
                    href = hrefs.pop()
                    if href and href.startswith(("http://", "https://", "mailto:")):
                        current.append(f" <{href}>")
            elif (tag == "td" or tag == "th") and cells is not None:
                cells.append(" ".join("".join(current).split()))
                current.clear()
            elif tag == "tr" and cells is not None:
                blocks.append(" | ".join(cells))
                cells = None
            elif tag in _BLOCKS:
                para = " ".join("".join(current).split())
                if para:
                    blocks.append(para)
                current.clear()
        if text:
            current.append(unescape(text))
    para = " ".join("".join(current).split())
    if para:
        blocks.append(para)
    return blocks


def fragment_text(fragment: str, width: int = 72) -> str:
    """An HTML fragment as wrapped plain text: paragraphs apart, list items indented under "- "."""
    out: list[str] = []
    for block in fragment_paragraphs(fragment):
        if not block or "  " in block or block[0] == " " or block[-1] == " ":  # a table row with empty cells
            block = " ".join(block.split())  # (every other block's words are apart by single spaces)
        if block.startswith("- "):
            line = _wrapped(block[2:], width, "  ", "- ")
            if out and out[-1].startswith("- "):
                out[-1] += "\n" + line
                continue
            out.append(line)
        else:
            out.append(_wrapped(block, width, "", "") if block else "")
    return "\n\n".join(out)


# The default theme's brief templates, by the sha256 of their text. While the template in
# effect for a form is this text, BriefPart writes that form itself (_html_direct,
# _text_direct), byte for byte what the template renders (tests/test_email_direct.py compares
# the two over whole sites); any other text (a site's own template, or the theme's once
# edited) is rendered by Jinja. Line ends are read as "\n", as Jinja reads them. After editing
# a theme template, change the direct form to match and put the template's new sha256 here.
THEME_PARTS = {
    "email/_brief.html": "fc58dbe0c04b65dc421599cfaea12f1cfd5bbc5b34a6ff95f831dd9bc252fc26",
    "email/_brief.txt": "230ca09647ffc904911272784418bb1ea2582f2f72834a8dc747de7b1f4f43d8",
}


_LINE_END = re.compile(r"\r\n?")


def is_theme_part(env, name: str) -> bool:
    """Whether the template `name` in effect in `env` is the theme's text that BriefPart writes directly."""
    source = _LINE_END.sub("\n", env.loader.get_source(env, name)[0])
    return hashlib.sha256(source.encode("utf-8")).hexdigest() == THEME_PARTS[name]


class EmailKit:
    """What every edition one renderer writes shares: the inliner of layouts/email/email.css
    (made when first needed), and whether each form of a brief's part is written directly."""

    def __init__(self, env):
        self.env = env
        self.direct_html = is_theme_part(env, "email/_brief.html")
        self.direct_text = is_theme_part(env, "email/_brief.txt")
        self._inliner = None

    def inline(self, document: str) -> str:
        if self._inliner is None:
            self._inliner = make_inliner(self.env.loader.get_source(self.env, STYLESHEET)[0])
        return inline_styles(document, self._inliner)


class BriefPart:
    """A brief's part of its week's email.html and email.txt (layouts/email/_brief.html and
    _brief.txt), made from its fragments when first asked for: the brief's Markdown is never
    rendered again, and a worker writing only one of the two files makes only that form."""

    def __init__(self, renderer, view, kit: EmailKit | None = None):
        self.renderer = renderer
        self.view = view
        self.kit = kit

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
        if self.kit is not None and self.kit.direct_html:
            return self._html_direct()
        c = self._context
        item = {"url": c["url"], "source_url": c["source_url"], "summary_html": email_fragment(c["summary"]),
                "implications": [{"action": imp.action, "action_slug": imp.action_slug, "url": url,
                                  "html": email_fragment(html_)} for imp, url, html_ in c["implications"]]}
        template = self.renderer.env.get_template("email/_brief.html")
        return Markup(template.render(b=c["b"], item=item))

    @cached_property
    def text(self) -> str:
        if self.kit is not None and self.kit.direct_text:
            return self._text_direct()
        c = self._context
        item = {"url": c["url"], "summary_text": fragment_text(c["summary"]),
                "implications": [{"action": imp.action, "text": " ".join(fragment_paragraphs(html_))}
                                 for imp, _, html_ in c["implications"]]}
        template = self.renderer.env.get_template("email/_brief.txt")
        return template.render(b=c["b"], item=item, wrap=wrap)

    def _html_direct(self) -> Markup:
        """What layouts/email/_brief.html (the theme's, THEME_PARTS) renders, written out: each
        value escaped as autoescape does, the template's own text and line breaks as they come out."""
        c, env = self._context, self.renderer.env
        b = c["b"]
        url, title = escape(c["url"]), escape(b.title)
        out = ['<tr>\n<td class="brief">\n<h3><a href="', url, '">', title, '</a></h3>\n<p class="meta">',
               escape(env.filters["long_date"](b.published)), ', source: <a href="', escape(c["source_url"]), '">',
               escape(b.source.display), "</a>"]
        if b.jurisdiction:
            out += [", jurisdiction: ", escape(b.jurisdiction)]
        out += ['</p>\n<p class="standfirst">', escape(b.standfirst), '</p>\n<div class="prose">\n',
                email_fragment(c["summary"]), "\n</div>\n<h4>Implications for ", escape(env.globals["site"].audience),
                "</h4>\n<ul data-implications>\n"]
        for imp, imp_url, imp_html in c["implications"]:
            out += ['<li><a class="label label-', escape(imp.action_slug), '" href="', escape(imp_url), '">',
                    escape(imp.action), ":</a> ", email_fragment(imp_html), "</li>\n"]
        out += ['</ul>\n<p class="disclaimer">', escape(env.globals["DISCLAIMER"]), '</p>\n<p class="more"><a href="',
                url, '">View brief: ', title, "</a></p>\n</td>\n</tr>\n"]
        return Markup("".join(out))

    def _text_direct(self) -> str:
        """What layouts/email/_brief.txt (the theme's, THEME_PARTS) renders, written out."""
        c, env = self._context, self.renderer.env
        b = c["b"]
        out = [wrap(b.title), "\n", str(env.filters["long_date"](b.published)), ", source: ", str(b.source.display)]
        if b.jurisdiction:
            out += [", jurisdiction: ", str(b.jurisdiction)]
        out += ["\n\n", wrap(b.standfirst), "\n\n", fragment_text(c["summary"]),
                "\n\nImplications for ", str(env.globals["site"].audience), ":\n"]
        for imp, _, imp_html in c["implications"]:
            out += [wrap(f"{imp.action}: {' '.join(fragment_paragraphs(imp_html))}", indent="  ", first="- "), "\n"]
        out += [str(env.globals["DISCLAIMER"]), "\n\nView brief: ", c["url"], "\n"]
        return "".join(out)


def email_context(renderer, issue, kit: EmailKit | None = None) -> dict:
    config = renderer.site.config
    view = renderer.issue_view(issue)
    editorial = absolute_links(str(view["editorial_html"]), config.base_url) if view["editorial_html"] else None
    sections = [(name, [BriefPart(renderer, renderer.view(b), kit) for b in briefs])
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


_BLANK_LINES = re.compile(r"\n\n\n+")  # not \n{3,}: a literal start lets the search skip ahead, many times faster


def finish_text(body: str) -> str:
    """The text edition as rendered, with no more than one blank line in a row, ending in one line break."""
    return _BLANK_LINES.sub("\n\n", body).strip() + "\n"
