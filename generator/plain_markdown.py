"""Plain paragraphs straight to HTML, byte for byte as markdown-it-py renders them.

Most of what a brief holds is paragraphs of words with a little emphasis and a
few links. markdown-it-py is general and pure Python: a 600-character paragraph
costs it about 40 µs, each emphasis span about 40 µs more and each link about
80 µs more, a quarter of a cold build's time. This module recognises exactly that
plain shape, conservatively, and writes the HTML directly. Anything it is not sure
of returns None and the caller asks markdown-it-py, which stays the definition of
our Markdown: a heading, a list, a quote, an underscore, a backslash, a backtick,
an entity, a link with a title or an unusual address, emphasis not between
spaces and words, a line with surrounding whitespace, a `|` that could make a
table.

What it accepts (nothing else):
- lines with no whitespace at either end, grouped by empty lines into paragraphs
  and tight lists (every line "- item"; a list needs no empty line inside it and
  no list right after it); a line or item may not start with ASCII punctuation
  other than ( [ " ' and emphasis, nor with a number followed by . or );
- in a line, plain text, `*em*`, `**strong**` and `***both***` whose inside
  starts and ends with a letter or digit, opens after the start of the line, a
  space or `(`, closes before the end of the line, a space or `.,;:!?)`, and
  holds only plain text; `&` that cannot start an entity, `!` not before `[`;
- `[text](address)`, the text plain or with emphasis as above, the address an
  http(s) address with a lower-case host or a site path, from characters
  markdown-it leaves as they are.

The tests compare this with markdown-it-py on random text built from the
characters that matter, and on every brief of the sample and synthetic sites.
"""

from __future__ import annotations

import re

from markdown_it.common.utils import escapeHtml

from generator.urls import under_base

# plain text: anything but what starts or ends Markdown syntax, control characters included
_PLAIN = r"[^\\`*_\[\]<&!|\x00-\x1f\x7f]"
_WORD = r"[^\W_]"  # a letter or digit, in any script: neither punctuation nor space to markdown-it
_INSIDE = rf"{_WORD}(?:{_PLAIN}*?{_WORD})??"
_OPENS_AFTER = r"(?:(?<=[ (])|^)"
_CLOSES_BEFORE = r"(?=[ .,;:!?)]|$)"
# an address markdown-it's normalizeLink returns unchanged and is_safe_href accepts
_PATH = r"(?:/(?!/)[A-Za-z0-9\-._~/]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9\-._~/]*)*)"
_ADDRESS = (
    rf"(?:https?://[a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?(?::[0-9]{{1,5}})?{_PATH}?|{_PATH})"
    r"(?:\?[A-Za-z0-9\-._~/=+]*)?(?:#[A-Za-z0-9\-._~/]*)?"
)

_TOKEN = re.compile(
    rf"(?P<text>{_PLAIN}+)"
    r"|(?P<amp>&(?![A-Za-z0-9#]*;))"
    r"|(?P<bang>!(?!\[))"
    rf"|{_OPENS_AFTER}\*\*\*(?P<both>{_INSIDE})\*\*\*{_CLOSES_BEFORE}"
    rf"|{_OPENS_AFTER}\*\*(?P<strong>{_INSIDE})\*\*{_CLOSES_BEFORE}"
    rf"|{_OPENS_AFTER}\*(?P<em>{_INSIDE})\*{_CLOSES_BEFORE}"
    r"|\[(?P<label>[^\\`\[\]<|\x00-\x1f\x7f]+)\]"  # a link's text is a line of its own: plain, with emphasis
    rf"\((?P<href>{_ADDRESS})\)"
)
# a line that could start a block other than a paragraph, or continue one differently: every
# block rule starts with ASCII punctuation or a number, so a line may start with a letter, a
# digit not followed by . or ), anything outside ASCII, an opening ( " ' or [, or emphasis
_STARTS_BLOCK = re.compile(r"[\x00-\x20!#$%&)+,\-./:;<=>?@\\\]^_`{|}~\x7f]|\*+(?![*A-Za-z0-9])|[0-9]{1,9}[.)]")


def render_plain_paragraphs(text: str, base_path: str) -> str | None:
    """A document of plain paragraphs and lists -> HTML, or None when it is more than that."""
    out = []
    after_list = False
    for block in _blocks(text):
        if block is None:
            return None
        if block[0].startswith("- "):
            if after_list or not all(line.startswith("- ") for line in block):
                return None  # two lists with an empty line between are one loose list
            items = [_starting_line(line[2:], base_path) for line in block]
            if None in items:
                return None
            out.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>\n")
            after_list = True
        else:
            lines = [_starting_line(line, base_path) for line in block]
            if None in lines:
                return None
            out.append("<p>" + "\n".join(lines) + "</p>\n")
            after_list = False
    return "".join(out)


def _starting_line(line: str, base_path: str) -> str | None:
    """A paragraph's or list item's line, unless it could start anything else or has space to trim."""
    if line[0].isspace() or _STARTS_BLOCK.match(line):
        return None
    return render_line(line, base_path)


def _blocks(text: str):
    """Runs of non-empty lines; None for a line with whitespace at either end."""
    block: list[str] = []
    for line in text.split("\n"):
        if not line or not line.strip(" \t"):  # markdown-it's empty line: nothing but spaces and tabs
            if block:
                yield block
                block = []
        elif line[0].isspace() or line[-1].isspace():
            yield None
            return
        else:
            block.append(line)
    if block:
        yield block


def render_plain_inline(text: str, base_path: str) -> str | None:
    """One item of inline Markdown (no newlines) -> HTML, or None when it is more than plain."""
    if not text or "\n" in text or text[0].isspace() or text[-1].isspace():
        return None
    return render_line(text, base_path)


def render_line(line: str, base_path: str) -> str | None:
    """One line's inline Markdown -> HTML, token by token, or None at the first thing not plain.
    A link's text is a line of its own (markdown-it, too, parses it apart from what is around it)."""
    parts = []
    pos = 0
    end = len(line)
    match = _TOKEN.match
    while pos < end:
        m = match(line, pos)
        if m is None:
            return None
        kind = m.lastgroup
        if kind == "text":
            parts.append(escapeHtml(m.group(0)))
        elif kind == "strong":
            parts.append("<strong>" + escapeHtml(m.group("strong")) + "</strong>")
        elif kind == "both":
            parts.append("<em><strong>" + escapeHtml(m.group("both")) + "</strong></em>")
        elif kind == "em":
            parts.append("<em>" + escapeHtml(m.group("em")) + "</em>")
        elif kind == "href":
            label = render_line(m.group("label"), base_path)
            if label is None:
                return None
            parts.append('<a href="' + escapeHtml(under_base(m.group("href"), base_path)) + '">' + label + "</a>")
        elif kind == "amp":
            parts.append("&amp;")
        else:
            parts.append("!")
        pos = m.end()
    return "".join(parts)
