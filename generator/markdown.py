"""Markdown to HTML, safe by construction.

We start from markdown-it-py's "commonmark" preset with `html` off, so raw
HTML in content is shown as text, never passed through (the "default" preset
would let it through). Tables are switched on. Every link and image URL must
pass urls.is_safe_href (http(s), mailto or site-relative): markdown-it's own
check still allows `smb:` and `//host`. Images from other origins are never
loaded (the intranet makes no outside requests): they become plain links.
Headings in a summary start at h3, under the page's own h1 and h2.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt

from generator.plain_markdown import render_plain_inline, render_plain_paragraphs
from generator.urls import is_safe_href, is_site_relative, under_base

_TAGS = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|table|thead|tbody|tr|td|th|blockquote|pre|br|hr)\b[^>]*>", re.I)
HEADING_SHIFT = 2


def _shift_headings(state) -> None:
    shift = (state.env or {}).get("heading_shift", HEADING_SHIFT)
    if not shift:
        return
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + shift, 6)
            token.tag = f"h{level}"


def _under_base(url: str, env) -> str:
    return under_base(url, (env or {}).get("base_path", "/"))


def _render_link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    href = token.attrGet("href")
    if href:
        token.attrSet("href", _under_base(href, env))
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if is_site_relative(src):
        token.attrSet("src", _under_base(src, env))
        return self.image(tokens, idx, options, env)
    # an outside image would be a request to another origin: link to it instead
    return f'<a href="{html.escape(src, quote=True)}">{html.escape(alt or src)}</a>'


def _render_cell_open(self, tokens, idx, options, env):
    """Column alignment as a class, not a style attribute (the pages' CSP allows no inline styles)."""
    token = tokens[idx]
    style = token.attrGet("style") or ""
    if style.startswith("text-align:"):
        token.attrs.pop("style", None)
        token.attrSet("class", "align-" + style.split(":", 1)[1].strip())
    return self.renderToken(tokens, idx, options, env)


# The characters that can start something for the inline rules this parser runs (newline,
# escape, backticks, emphasis, link, image, autolink, entity) or end a link's text. markdown-it
# stops its plain-text scan at about twice as many, for rules and options that are off here
# (typographer, linkify, strikethrough): each of those stops ("data-centre", "cross-border")
# tries every rule in turn and fails, for identical output. Stopping only where a rule can
# match makes Markdown about an eighth faster; a property test compares the two parsers.
INLINE_STOPS = "\n\\`*_[]!<&"
_INLINE_STOPS_RE = re.compile("[" + re.escape(INLINE_STOPS) + "]")
_STOPPED_FOR = ["text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "html_inline", "entity"]


# Everything this parser runs. plain_markdown renders plain paragraphs, lists and inline items
# itself, byte for byte as this parser would; only while these are exactly the rules in force.
RULES = {
    "core": ["normalize", "block", "inline", "text_join", "shift_headings"],
    "block": ["table", "code", "fence", "blockquote", "hr", "list", "reference", "html_block", "heading",
              "lheading", "paragraph"],
    "inline": _STOPPED_FOR,
    "inline2": ["balance_pairs", "emphasis", "fragments_join"],
}


@lru_cache(maxsize=1)
def plain_is_enough() -> bool:
    md = make_markdown()
    return md.get_active_rules() == RULES and not md.options.get("html") and not md.options.get("breaks")


@lru_cache(maxsize=1)
def make_markdown() -> MarkdownIt:
    md = stock_markdown()
    # only for the rules the stops were chosen for, on a markdown-it-py that has the setting (4.3+)
    if md.get_active_rules().get("inline") == _STOPPED_FOR and hasattr(md.inline, "terminator_re"):
        md.inline.terminator_re = _INLINE_STOPS_RE
    return md


def stock_markdown() -> MarkdownIt:
    """Our parser with markdown-it's own plain-text stops (for tests to compare against)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.validateLink = is_safe_href
    md.core.ruler.push("shift_headings", _shift_headings)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    return md


def render_block(text: str, base_path: str = "/", heading_shift: int = HEADING_SHIFT) -> str:
    """A Markdown document (a summary, an editorial, a page) -> HTML.

    `heading_shift` moves '#' headings down under the page's own: 2 for a
    summary (under h1 and h2 "Summary"), 1 for an editorial, 0 for a page.
    """
    if plain_is_enough():
        html = render_plain_paragraphs(text, base_path)
        if html is not None:
            return html
    return make_markdown().render(text, {"base_path": base_path, "heading_shift": heading_shift})


def render_inline(text: str, base_path: str = "/") -> str:
    """One line of inline Markdown (a key point, an implication) -> HTML without <p>."""
    if plain_is_enough():
        html = render_plain_inline(text, base_path)
        if html is not None:
            return html
    return make_markdown().renderInline(text, {"base_path": base_path})


def html_to_text(fragment: str) -> str:
    """Our own rendered HTML -> plain text on one line (for citations, excerpts, feeds).

    Runs of whitespace become one space by split and join: the same characters as the
    regex \\s+ (both use Unicode's whitespace), at a tenth of the cost on a summary, where
    the regex replaced every single space."""
    return " ".join(html.unescape(_TAGS.sub("", _BLOCK.sub(" ", fragment))).split())


def first_sentence(text: str, limit: int = 240) -> str:
    """The first sentence of plain text, not fooled by 'v2.0' or 'e.g. this'."""
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z\"'“‘(])", text)
    sentence = text[: m.start()] if m else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence
