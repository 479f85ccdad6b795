"""Sanitised HTML -> Markdown, with html.parser: the starting summary of a draft brief.

Handles p, br, a, em/i, strong/b, ul/ol/li, h1-h6 (as a bold paragraph),
blockquote, code, pre and hr; any other element is dropped and its text kept.
Text is escaped for Markdown (so `*`, `[`, `<`, `&` ... stay text), link
targets must be http(s) or mailto, and code is fenced with a fence longer
than any backtick run inside it. The input must already have been through
sanitise.clean_html.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from generator.ingest.sanitise import safe_href

_ALWAYS_ESCAPE = re.compile(r"([\\`*_\[\]<>&|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d{1,9}[.)])")
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_BLOCKS = {"p", "div", "section", "article", "figure", "figcaption", "table", "thead", "tbody",
           "tr", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"


def escape_markdown(text: str) -> str:
    """Backslash-escape characters that Markdown would read as syntax."""
    return _ALWAYS_ESCAPE.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    match = _LINE_START.match(line)
    if not match:
        return line
    lead, token = match.group(1), match.group(2)
    escaped = token[:-1] + "\\" + token[-1]
    return lead + escaped + line[match.end():]


def _link_target(url: str) -> str:
    return quote(url, safe=_URL_SAFE)


@dataclass
class _Inline:
    kind: str
    parts: list[str] = field(default_factory=list)
    href: str | None = None

    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Block:
    text: str
    first_prefix: str
    rest_prefix: str
    tight: bool = False  # a list item: joined to a preceding item of the same list by one newline
    list_id: int = 0
    quote_depth: int = 0


class _Converter(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.blocks: list[_Block] = []
        self.inline: list[_Inline] = [_Inline("root")]
        self.quote_depth = 0
        self.lists: list[dict] = []  # {"ordered": bool, "n": int}
        self.item_marker: str | None = None  # marker waiting for the item's first block
        self.pre: list[str] | None = None
        self.code: list[str] | None = None
        self.heading = False
        self.list_count = 0

    # -- prefixes for the current container --------------------------------
    def _add_block(self, text: str) -> None:
        first, rest, tight = self._prefixes()
        list_id = self.lists[0]["id"] if self.lists else 0
        self.blocks.append(_Block(text, first, rest, tight, list_id, self.quote_depth))

    def _prefixes(self) -> tuple[str, str, bool]:
        quote_prefix = "> " * self.quote_depth
        indent = ""
        for lst in self.lists[:-1]:
            indent += " " * (3 if lst["ordered"] else 2)
        if self.lists:
            width = 3 if self.lists[-1]["ordered"] else 2
            if self.item_marker is not None:
                marker = self.item_marker
                self.item_marker = None
                return quote_prefix + indent + marker, quote_prefix + indent + " " * len(marker), True
            return quote_prefix + indent + " " * width, quote_prefix + indent + " " * width, False
        return quote_prefix, quote_prefix, False

    def _flush(self) -> None:
        root = self.inline[0]
        while len(self.inline) > 1:  # unclosed inline elements: keep their text
            self._close_inline(self.inline[-1].kind)
        text = root.text()
        root.parts.clear()
        lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return
        if self.heading:
            body = " ".join(lines)
            lines = [f"**{body}**"] if not body.startswith("**") else [body]
        lines = [_escape_line_start(line) for line in lines]
        self._add_block("\n".join(lines))

    def _emit_raw(self, text: str) -> None:
        self._add_block(text)

    # -- inline frames -----------------------------------------------------
    def _open_inline(self, kind: str, href: str | None = None) -> None:
        self.inline.append(_Inline(kind, href=href))

    def _close_inline(self, kind: str) -> None:
        if not any(f.kind == kind for f in self.inline[1:]):
            return
        while True:
            frame = self.inline.pop()
            rendered = self._render_inline(frame)
            self.inline[-1].parts.append(rendered)
            if frame.kind == kind:
                return

    def _render_inline(self, frame: _Inline) -> str:
        inner = frame.text()
        stripped = inner.strip()
        if not stripped:
            return inner
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()):]
        if frame.kind == "em":
            return f"{lead}*{stripped}*{trail}"
        if frame.kind == "strong":
            return f"{lead}**{stripped}**{trail}"
        if frame.kind == "a" and frame.href:
            return f"{lead}[{stripped}]({_link_target(frame.href)}){trail}"
        return inner

    # -- parser callbacks --------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.pre is not None or self.code is not None:
            if tag == "br":
                (self.pre if self.pre is not None else self.code).append("\n")
            return
        if tag in _BLOCKS:
            self._flush()
            self.heading = tag in _HEADINGS
        elif tag == "br":
            self.inline[-1].parts.append("\\\n")
        elif tag in ("em", "i"):
            self._open_inline("em")
        elif tag in ("strong", "b"):
            self._open_inline("strong")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._open_inline("a", safe_href(href, self.base_url))
        elif tag == "code":
            self.code = []
        elif tag == "pre":
            self._flush()
            self.pre = []
        elif tag == "blockquote":
            self._flush()
            self.quote_depth += 1
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_count += 1
            self.lists.append({"ordered": tag == "ol", "n": 0, "id": self.list_count})
        elif tag == "li":
            self._flush()
            if not self.lists:
                self.list_count += 1
                self.lists.append({"ordered": False, "n": 0, "id": self.list_count})
            lst = self.lists[-1]
            lst["n"] += 1
            self.item_marker = f"{lst['n']}. " if lst["ordered"] else "- "
            if lst["ordered"] and len(self.item_marker) < 3:
                self.item_marker = self.item_marker.ljust(3)
        elif tag == "hr":
            self._flush()
            self._emit_raw("* * *")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.pre is not None:
            if tag == "pre":
                self._end_pre()
            return
        if self.code is not None:
            if tag == "code":
                self._end_code()
            return
        if tag in _BLOCKS:
            self._flush()
            self.heading = False
        elif tag in ("em", "i"):
            self._close_inline("em")
        elif tag in ("strong", "b"):
            self._close_inline("strong")
        elif tag == "a":
            self._close_inline("a")
        elif tag == "blockquote":
            self._flush()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
            self.item_marker = None
        elif tag == "li":
            self._flush()
            self.item_marker = None
        elif tag in ("td", "th"):
            self.inline[-1].parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.pre is not None:
            self.pre.append(data)
        elif self.code is not None:
            self.code.append(data)
        else:
            self.inline[-1].parts.append(escape_markdown(_SPACE.sub(" ", data)))

    def _end_code(self) -> None:
        text = _SPACE.sub(" ", "".join(self.code or []))
        self.code = None
        if not text.strip():
            self.inline[-1].parts.append(text)
            return
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        ticks = "`" * (longest + 1)
        pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
        self.inline[-1].parts.append(f"{ticks}{pad}{text}{pad}{ticks}")

    def _end_pre(self) -> None:
        text = "".join(self.pre or []).strip("\n")
        self.pre = None
        if not text.strip():
            return
        longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
        fence = "`" * max(3, longest + 1)
        self._emit_raw(f"{fence}\n{text}\n{fence}")

    def close(self) -> None:
        super().close()
        if self.pre is not None:
            self._end_pre()
        if self.code is not None:
            self._end_code()
        self._flush()


def html_to_markdown(sanitised_html: str, base_url: str = "") -> str:
    """Markdown for already-sanitised HTML; relative links resolve against base_url."""
    converter = _Converter(base_url)
    converter.feed(sanitised_html or "")
    converter.close()
    out: list[str] = []
    previous: _Block | None = None
    for block in converter.blocks:
        lines = block.text.split("\n")
        rendered = "\n".join(
            ((block.first_prefix if i == 0 else block.rest_prefix) + line).rstrip() if line or i == 0
            else block.rest_prefix.rstrip()
            for i, line in enumerate(lines)
        )
        if previous is not None:
            if block.tight and previous.tight and block.list_id == previous.list_id:
                out.append("\n")
            else:
                shared_quote = ("> " * min(block.quote_depth, previous.quote_depth)).rstrip()
                out.append(f"\n{shared_quote}\n")
        out.append(rendered)
        previous = block
    return "".join(out).strip() + ("\n" if out else "")
