"""A small HTML tree for tests: parse with the standard library, find elements, read text.

    doc = parse_html(path.read_text())
    h1 = doc.find("h1")
    assert h1.text == "A test brief"
    [a.get("href") for a in doc.find_all("a", rel="next")]

Selectors are plain keyword filters: a tag name, `cls` for one class among
many, `attr=value` (or `attr=True` for "present"), `data_implications=True`
for data-implications (underscores become hyphens).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# elements whose start closes an open <p> or <li> (enough for our own templates)
_WS = re.compile(r"\s+")


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None" = None, line: int = 0):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list["Node | str"] = []
        self.line = line

    # -- reading ---------------------------------------------------------------
    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def raw_text(self) -> str:
        parts: list[str] = []
        for c in self.children:
            parts.append(c if isinstance(c, str) else c.raw_text)
        return "".join(parts)

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed (includes visually-hidden text, as a screen reader hears it)."""
        return _WS.sub(" ", self.raw_text).strip()

    @property
    def visible_text(self) -> str:
        """Text without elements hidden from sight (.visually-hidden, aria-hidden is kept: it is seen)."""
        parts: list[str] = []

        def walk(n: Node):
            for c in n.children:
                if isinstance(c, str):
                    parts.append(c)
                elif "visually-hidden" not in c.classes and not c.has("hidden"):
                    walk(c)

        walk(self)
        return _WS.sub(" ", "".join(parts)).strip()

    @property
    def elements(self) -> list["Node"]:
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self):
        """Every element below this one, in document order."""
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def matches(self, tag: str | None = None, cls: str | None = None, text: str | None = None, **attrs) -> bool:
        if tag is not None and self.tag != tag:
            return False
        if cls is not None and cls not in self.classes:
            return False
        for key, want in attrs.items():
            name = key.rstrip("_").replace("_", "-")
            if want is True:
                if name not in self.attrs:
                    return False
            elif self.attrs.get(name) != want:
                return False
        if text is not None and self.text != text:
            return False
        return True

    def find_all(self, tag: str | None = None, **filters) -> list["Node"]:
        return [n for n in self.iter() if n.matches(tag, **filters)]

    def find(self, tag: str | None = None, **filters) -> "Node | None":
        for n in self.iter():
            if n.matches(tag, **filters):
                return n
        return None

    def one(self, tag: str | None = None, **filters) -> "Node":
        """Exactly one match, or an AssertionError that says what was looked for."""
        found = self.find_all(tag, **filters)
        assert len(found) == 1, f"expected one <{tag or '*'} {filters}>, found {len(found)}"
        return found[0]

    def ancestors(self):
        n = self.parent
        while n is not None:
            yield n
            n = n.parent

    def next_elements(self):
        """Elements after this one in document order (not inside it)."""
        root = self
        while root.parent is not None:
            root = root.parent
        seen_self = False
        inside = set(id(n) for n in self.iter())
        for n in root.iter():
            if n is self:
                seen_self = True
                continue
            if seen_self and id(n) not in inside:
                yield n

    def __repr__(self) -> str:
        attrs = " ".join(f'{k}="{v}"' if v is not None else k for k, v in self.attrs.items())
        return f"<{self.tag}{' ' + attrs if attrs else ''}>{self.text[:60]!r}"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.stack[-1], self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.stack[-1], self.getpos()[0])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                if i != len(self.stack) - 1:
                    self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes unclosed "
                                       + ", ".join(f"<{n.tag}>" for n in self.stack[i + 1:]))
                del self.stack[i:]
                return
        self.errors.append(f"line {self.getpos()[0]}: stray </{tag}>")

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(markup: str, *, strict: bool = True) -> Node:
    """Parse to a tree. strict: unbalanced tags (our templates never need them) fail the test."""
    builder = _TreeBuilder()
    builder.feed(markup)
    builder.close()
    if len(builder.stack) > 1:
        builder.errors.append("unclosed at end: " + ", ".join(f"<{n.tag}>" for n in builder.stack[1:]))
    if strict and builder.errors:
        raise AssertionError("badly nested HTML:\n" + "\n".join(builder.errors[:10]))
    return builder.root


def read_html(path: Path) -> Node:
    return parse_html(Path(path).read_text(encoding="utf-8"))


def headings(doc: Node, levels=("h1", "h2", "h3", "h4", "h5", "h6")) -> list[tuple[str, str]]:
    """(tag, text) of every heading in document order."""
    return [(n.tag, n.text) for n in doc.iter() if n.tag in levels]
