"""YAML with positions: safe, bounded, and honest about what the editor typed.

PyYAML's `safe_load` forgets where each value came from, silently keeps the
last of two duplicate keys, expands alias bombs and re-types values (`no`
becomes False, `1.10` becomes 1.1). Editors need better, so we read libyaml's
event stream (the safe parser: no Python objects, nesting capped) and build
plain values ourselves, recording for every value its line and column, the
text as typed and whether it was quoted. Anchors, aliases, merge keys and
explicit tags are refused where they are written: front matter has no use
for them and they are how "billion laughs" documents blow up. Size and depth
are counted as the events stream past, so memory and time stay bounded.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Union

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent, DocumentStartEvent, StreamEndEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

try:  # libyaml's C parser: ~10x faster; PyYAML falls back to pure Python without it.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_DEPTH = 32
MAX_NODES = 20_000

Path = tuple[Union[str, int], ...]


def path_str(path: Path) -> str:
    """("implications", 1, "action") -> "implications[1].action" """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class Scalar(NamedTuple):
    """How a scalar was written: its text, whether it was quoted, and YAML's tag for it."""

    text: str
    quoted: bool
    tag: str


@dataclass
class YamlDoc:
    """A parsed YAML document: plain Python data plus where each piece came from.

    Lines and columns are 1-based and already shifted to the file's numbering.
    """

    data: Any
    value_pos: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_pos: dict[Path, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[Path, Scalar] = field(default_factory=dict)
    end_line: int = 0

    def pos(self, path: Path) -> tuple[int, int]:
        """Best position for a path: the value, else the key, else the nearest parent."""
        while True:
            if path in self.value_pos:
                return self.value_pos[path]
            if path in self.key_pos:
                return self.key_pos[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def key_position(self, path: Path) -> tuple[int, int]:
        return self.key_pos.get(path) or self.pos(path)


class YamlProblem(Exception):
    """A YAML document that cannot be used; line/col are 1-based file positions."""

    def __init__(self, message: str, line: int, col: int, hint: str = "", field: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint
        self.field = field


_TAG_NAMES = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "empty value",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:map": "mapping",
    "tag:yaml.org,2002:seq": "list",
}


def tag_name(tag: str) -> str:
    return _TAG_NAMES.get(tag, tag)


def parse_yaml(text: str, first_line: int = 1, *, fast: bool = True) -> YamlDoc:
    """Parse one YAML document. `first_line` is the file line of the text's first line.

    Raises YamlProblem for syntax errors, tabs in indentation, duplicate keys,
    anchors/aliases, tags, excessive nesting or size, and values that cannot
    be constructed (such as the date 2026-02-30).

    The plain kind of front matter is read by a fast path (see _fast_read) that
    gives exactly what libyaml gives; `fast=False` reads everything with libyaml.
    """
    offset = first_line - 1
    text = _one_kind_of_line_break(text)
    _refuse_tab_indentation(text, offset)
    doc = YamlDoc(data=None, end_line=first_line + text.count("\n"))
    if fast and _fast_read(text, offset, doc):
        return doc
    try:
        doc.data = _Builder(doc, offset).run(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or "invalid YAML"
        raise YamlProblem(f"YAML syntax error: {problem}", line, col, hint=_syntax_hint(problem, text, mark)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", first_line, 1) from exc
    except RecursionError as exc:  # pragma: no cover - only the pure-Python parser recurses
        raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", first_line, 1) from exc
    return doc


def _syntax_hint(problem: str, text: str, mark) -> str:
    if "mapping values are not allowed" in problem:
        if mark is not None and _BARE_KEY.fullmatch(_line_at(text, mark.line)[: mark.column]):
            return "this line is indented differently from the one above; line up keys at the same level"
        return "a value that contains ': ' must be quoted, e.g. title: \"Policy: what changes\""
    if "found character '\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line needs the form 'key: value'; quote values that span lines"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return "quote the value"
    if "expected <block end>" in problem:
        return "check the indentation of this line against the lines above"
    if mark is not None and "found character '@'" in problem or "found character '`'" in problem:
        return "values starting with @ or ` must be quoted"
    return ""


_BARE_KEY = re.compile(r"\s*(?:-\s+)?[\w.-]+\s*")


def _line_at(text: str, index: int) -> str:
    lines = text.split("\n")
    return lines[index] if 0 <= index < len(lines) else ""


_OTHER_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}


def _one_kind_of_line_break(text: str) -> str:
    """Only '\\n' ends a line, as in our line numbers: CR/CRLF become '\\n', and the Unicode
    line separators (NEL, U+2028, U+2029) that text pasted from the web carries become spaces,
    which is what YAML folds them into anyway."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = text.translate(_OTHER_BREAKS)
    return text


def _refuse_tab_indentation(text: str, offset: int) -> None:
    if "\t" not in text:
        return
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            raise YamlProblem(
                "tab character used for indentation",
                i + 1 + offset,
                len(line) - len(stripped) + 1,
                hint="YAML indentation must use spaces; replace the tab with spaces",
            )


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
_NO_KEY = object()


class _Frame:
    """An open list or mapping while the event stream is read."""

    __slots__ = ("container", "path", "key", "first_seen", "is_map")

    def __init__(self, container, path: Path):
        self.container = container
        self.path = path
        self.is_map = container.__class__ is dict
        self.key: Any = _NO_KEY  # in a mapping: the key whose value comes next
        self.first_seen: dict[str, int] = {}


class _Builder:
    """Builds plain values from libyaml's event stream, without recursion.

    Working from events rather than a composed node tree means an alias or
    anchor is reported where the editor wrote it, nesting and size are
    counted as the document streams past, and only unquoted scalars pay for
    YAML's type resolution.
    """

    def __init__(self, doc: YamlDoc, offset: int):
        self.doc = doc
        self.offset = offset
        self.count = 0
        self.resolver = yaml.resolver.Resolver()
        self.constructor = SafeConstructor()

    def _pos(self, event) -> tuple[int, int]:
        return (event.start_mark.line + 1 + self.offset, event.start_mark.column + 1)

    def run(self, text: str) -> Any:
        """Read the events of `text` into plain values. Tight on purpose: it runs for every brief."""
        loader = _Loader(text)
        try:
            return self._run(loader.get_event)
        finally:
            loader.dispose()

    def _run(self, next_event) -> Any:
        root: Any = None
        stack: list[_Frame] = []
        top: _Frame | None = None  # stack[-1]
        documents = 0
        offset = self.offset
        value_pos, key_pos = self.doc.value_pos, self.doc.key_pos
        while True:
            event = next_event()
            cls = event.__class__
            if cls is ScalarEvent or cls is MappingStartEvent or cls is SequenceStartEvent or cls is AliasEvent:
                self.count += 1
                depth = len(stack)
                if self.count > MAX_NODES or depth > MAX_DEPTH:
                    self._too_big(event, top)
                if cls is AliasEvent or event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    self._refuse_anchor_alias_tag(event, top)
                mark = event.start_mark
                pos = (mark.line + 1 + offset, mark.column + 1)
                if top is not None and top.key is _NO_KEY and top.is_map:
                    self._key(top, event, pos)
                    key_pos[top.path + (top.key,)] = pos
                    continue
                if top is None:
                    path: Path = ()
                elif top.is_map:
                    path = top.path + (top.key,)
                else:
                    path = top.path + (len(top.container),)
                value_pos[path] = pos
                if cls is ScalarEvent:
                    value = self._scalar(event, path)
                elif cls is MappingStartEvent:
                    value = {}
                else:
                    value = []
                if top is None:
                    root = value
                elif top.is_map:
                    top.container[top.key] = value
                    top.key = _NO_KEY
                else:
                    top.container.append(value)
                if cls is not ScalarEvent:
                    top = _Frame(value, path)
                    stack.append(top)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                stack.pop()
                top = stack[-1] if stack else None
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line, col = self._pos(event)
                    raise YamlProblem("more than one YAML document", line, col,
                                      hint="remove the extra '---' line (or '...' line) and what follows it")
            elif cls is StreamEndEvent:
                return root

    @staticmethod
    def _where(top: _Frame | None) -> Path:
        """Path of the node about to be read (for a key: its mapping's path)."""
        if top is None:
            return ()
        if not top.is_map:
            return top.path + (len(top.container),)
        return top.path if top.key is _NO_KEY else top.path + (top.key,)

    def _too_big(self, event, top: _Frame | None) -> None:
        line, col = self._pos(event)
        path = self._where(top)
        if self.count > MAX_NODES:
            raise YamlProblem(f"too many values (more than {MAX_NODES:,})", line, col, field=path_str(path[:1]))
        raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", line, col,
                          hint="front matter needs at most a few levels of indentation", field=path_str(path[:1]))

    def _refuse_anchor_alias_tag(self, event, top: _Frame | None) -> None:
        path = self._where(top)
        if isinstance(event, AliasEvent):
            line, col = self._pos(event)
            raise YamlProblem(
                f"YAML aliases (*{event.anchor}) are not allowed", line, col,
                hint="write the value out in full instead of referring to an &anchor", field=path_str(path),
            )
        if event.anchor is not None:
            line, col = self._pos(event)
            raise YamlProblem(f"YAML anchors (&{event.anchor}) are not allowed", line, col,
                              hint="remove the &anchor", field=path_str(path))
        tag = event.tag
        allowed = (_SEQ,) if isinstance(event, SequenceStartEvent) else (_MAP,) if isinstance(event, MappingStartEvent) else _SCALAR_TAGS
        if tag not in allowed:
            line, col = self._pos(event)
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlProblem(f"YAML tag '{shown}' is not allowed", line, col,
                              hint="remove the '!' tag; write plain values", field=path_str(path))

    def _key(self, frame: _Frame, event, pos: tuple[int, int]) -> None:
        path = frame.path
        line, col = pos
        if event.__class__ is not ScalarEvent:
            raise YamlProblem("a key must be a plain name, not a list or mapping", line, col,
                              hint="write 'name: value'", field=path_str(path))
        key = event.value  # keys are always names: `1:` or `no:` stay strings
        if key == "<<" and event.implicit[0]:
            raise YamlProblem("YAML merge keys (<<) are not allowed", line, col,
                              hint="write the fields out in full", field=path_str(path))
        first_seen = frame.first_seen
        if key in first_seen:
            raise YamlProblem(
                f"duplicate key '{key}' (first defined on line {first_seen[key]})", line, col,
                hint="YAML would silently keep only the last one; remove or merge the duplicate",
                field=path_str(path + (key,)),
            )
        first_seen[key] = line
        frame.key = key

    def _scalar(self, event: ScalarEvent, path: Path) -> Any:
        value = event.value
        quoted = event.style in ("'", '"', "|", ">")
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, value, event.implicit) if event.implicit[0] else _STR
        self.doc.scalars[path] = Scalar(value, quoted, tag)
        if tag == _STR:
            return value
        node = ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return SafeConstructor.yaml_constructors[tag](self.constructor, node)
        except (ConstructorError, ValueError, OverflowError, KeyError) as exc:
            line, col = self._pos(event)
            if tag == "tag:yaml.org,2002:timestamp":
                raise YamlProblem(
                    f"'{value}' is not a real date", line, col,
                    hint="use an existing calendar date as YYYY-MM-DD", field=path_str(path),
                ) from exc
            raise YamlProblem(f"cannot read the value '{value[:60]}'", line, col, hint="quote it to keep it as text",
                              field=path_str(path)) from exc


_SCALAR_TAGS = (
    _STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
)


# ---- the fast path ------------------------------------------------------------------------------
#
# Nearly all front matter is written in a small part of YAML: `key: value` lines, nested
# blocks, `- item` lists, one-line quoted strings and `[a, b]` lists. libyaml's events cost
# more to turn into Python objects than the whole document is worth, so that part is read
# here, line by line, into exactly what _Builder makes of it: the same values, positions and
# Scalars, in the same order (tests/test_fast_paths.py holds the two side by side). Anything
# else, and anything libyaml might refuse or read another way (escapes, block scalars, flow
# mappings, anchors and tags, duplicate keys, odd indentation, unusual characters, values
# that do not construct), is left to libyaml and _Builder: the fast path gives up on the
# whole document, so every message still comes from one place. Its work is one pass over
# the lines, so it is as bounded as libyaml's.

# A character the fast path leaves to libyaml: anything but "\n", printable ASCII, \xa0-\ud7ff,
# \ue000-\ufffd less the byte order mark \ufeff, and \U00010000 on. Written as the characters left
# over, because Python compiles that class in 1 ms and its complement ("[^...]") in 8, at every start.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\n"
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_PLAIN = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ][^,\[\]{}#:]*")
_FAST_DEPTH = 16
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = SafeConstructor()
_CONSTRUCTORS = SafeConstructor.yaml_constructors
_PLAIN = (True, False)
_NULL = "tag:yaml.org,2002:null"
_new_scalar = tuple.__new__  # Scalar(...) without the Python-level __new__: _new_scalar(Scalar, (text, quoted, tag))
_plain_seen: dict[str, tuple[Scalar, Any]] = {}  # short plain text -> (its Scalar, its value), all immutable
_PLAIN_SEEN_MAX = 8192


class _GiveUp(Exception):
    """The document is outside the fast path's part of YAML: libyaml reads it instead."""


def _fast_read(text: str, offset: int, doc: YamlDoc) -> bool:
    """Fill `doc` from `text` and return True, or return False (doc untouched) for libyaml to read it."""
    if "\t" in text or "\\" in text:
        return False
    if text.isascii():
        if text.encode("ascii").translate(None, _ASCII_PRINTABLE):  # a control character is left
            return False
    elif _UNUSUAL.search(text) is not None:
        return False
    reader = _LineReader(text, offset)
    try:
        data = reader.run()
    except (_GiveUp, RecursionError):
        return False
    doc.data = data
    doc.value_pos, doc.key_pos, doc.scalars = reader.value_pos, reader.key_pos, reader.scalars
    return True


def _plain(text: str) -> tuple[Scalar, Any]:
    """A plain scalar's Scalar and value, typed as libyaml's resolver and PyYAML's constructor type it."""
    seen = _plain_seen.get(text)
    if seen is not None:
        return seen
    tag = _RESOLVER.resolve(ScalarNode, text, _PLAIN)
    if tag == _STR:
        value: Any = text
    else:
        try:
            value = _CONSTRUCTORS[tag](_CONSTRUCTOR, ScalarNode(tag, text, None, None, None))
        except Exception as exc:  # noqa: BLE001 - libyaml's path reports it, with its position
            raise _GiveUp from exc
    seen = (_new_scalar(Scalar, (text, False, tag)), value)
    if len(text) <= 64 and len(_plain_seen) < _PLAIN_SEEN_MAX:
        _plain_seen[text] = seen
    return seen


class _LineReader:
    """Block mappings and sequences by indentation; entries are (file line, indent, text stripped of spaces)."""

    __slots__ = ("entries", "n", "value_pos", "key_pos", "scalars")

    def __init__(self, text: str, offset: int):
        lines = text.split("\n")
        stripped = [line.lstrip(" ") for line in lines]
        entries = [(no, len(line) - len(s), s.rstrip(" ") if s[-1] == " " else s)
                   for no, line, s in zip(range(1 + offset, len(lines) + 1 + offset), lines, stripped)
                   if s and s[0] != "#"]  # blank lines and comment lines hold no nodes
        self.entries = entries
        self.n = len(entries)
        self.value_pos: dict[Path, tuple[int, int]] = {}
        self.key_pos: dict[Path, tuple[int, int]] = {}
        self.scalars: dict[Path, Scalar] = {}

    def run(self) -> Any:
        if not self.entries:
            return None
        value, i = self.block(0, (), 0)
        if i != self.n or len(self.value_pos) + len(self.key_pos) > MAX_NODES:  # every node has one position
            raise _GiveUp
        return value

    def block(self, i: int, path: Path, depth: int) -> tuple[Any, int]:
        """The mapping or sequence whose first line is entries[i]; returns it and the index after it."""
        if depth > _FAST_DEPTH:
            raise _GiveUp
        no, col, s = self.entries[i]
        if s[0] == "-" and (len(s) == 1 or s[1] == " "):
            return self.sequence(i, path, depth)
        return self.mapping(no, col, s, i + 1, path, depth)

    def mapping(self, no: int, col: int, s: str, i: int, path: Path, depth: int) -> tuple[dict, int]:
        """A block mapping whose first key line is (no, col, s); `i` is the index of the entry after it."""
        entries, n = self.entries, self.n
        value_pos, key_pos, scalars = self.value_pos, self.key_pos, self.scalars
        key_match = _KEY.match
        out: dict = {}
        value_pos[path] = (no, col + 1)
        while True:
            m = key_match(s)
            if m is None:
                raise _GiveUp
            key = m.group(1)
            if key in out:  # a duplicate: libyaml's path says so
                raise _GiveUp
            here = path + (key,)
            key_pos[here] = (no, col + 1)
            end = m.end()
            if end < len(s) and s[end] != "#":  # a value on the key's line
                if s[end] == '"':  # the commonest kind, read right here
                    out[key] = self.quoted(s, end, no, col + end + 1, here)
                else:
                    out[key], i = self.inline(s[end:], no, col + end, here, i, col)
            elif i < n and (entries[i][1] > col or (entries[i][1] == col and entries[i][2][0] == "-"
                                                      and (len(entries[i][2]) == 1 or entries[i][2][1] == " "))):
                out[key], i = self.block(i, here, depth + 1)  # a block below the key
            else:  # an empty value: null, where libyaml puts it (just after the colon)
                value_pos[here] = (no, col + len(key) + 2)
                scalars[here] = _new_scalar(Scalar, ("", False, _NULL))
                out[key] = None
            following = self.following(i, col)
            if following is None:
                return out, i
            no, s = following
            i += 1

    def following(self, i: int, col: int) -> tuple[int, str] | None:
        """(line number, text) of entries[i] when it goes on the block at column `col`; None
        where the block ends (no more entries, or one indented less). Deeper: not ours to read."""
        if i >= self.n:
            return None
        no, indent, s = self.entries[i]
        if indent == col:
            return no, s
        if indent < col:
            return None
        raise _GiveUp

    def quoted(self, s: str, start: int, no: int, column: int, here: Path) -> str:
        """The one-line double-quoted string at s[start] (line `no`, 1-based `column`), with
        nothing but a comment after it (text with a backslash never gets here: libyaml reads it)."""
        close = s.find('"', start + 1)
        if close < 0 or close + 1 < len(s) and _more_than_a_comment(s, close + 1):
            raise _GiveUp
        text = s[start + 1:close]
        self.value_pos[here] = (no, column)
        self.scalars[here] = _new_scalar(Scalar, (text, True, _STR))
        return text

    def sequence(self, i: int, path: Path, depth: int) -> tuple[list, int]:
        value_pos = self.value_pos
        no, col, s = self.entries[i]
        out: list = []
        value_pos[path] = (no, col + 1)
        while True:
            here = path + (len(out),)
            rest = s[1:].lstrip(" ")
            if not rest or rest[0] == "#" or rest[0] == "-" and (len(rest) == 1 or rest[1] == " "):
                raise _GiveUp  # a block below the dash, or a list in a list
            at = col + len(s) - len(rest)
            i += 1
            if rest[0] == '"':
                out.append(self.quoted(rest, 0, no, at + 1, here))
            elif _KEY.match(rest) is not None:
                if depth + 1 > _FAST_DEPTH:
                    raise _GiveUp
                value, i = self.mapping(no, at, rest, i, here, depth + 1)
                out.append(value)
            else:
                value, i = self.inline(rest, no, at, here, i, col)
                out.append(value)
            following = self.following(i, col)
            if following is None:
                return out, i
            no, s = following
            if s[0] != "-" or len(s) > 1 and s[1] != " ":  # a list at its key's indent ends where the next key starts
                return out, i

    def inline(self, s: str, no: int, at: int, path: Path, i: int, cont: int) -> tuple[Any, int]:
        """A value written after its key or dash: `s` starts at 0-based column `at` of line `no`.
        Lines after it that are indented deeper than `cont` continue a plain scalar."""
        first = s[0]
        if first == '"' or first == "'":
            text, end = _quoted(s, 0)
            if end < len(s) and _more_than_a_comment(s, end):
                raise _GiveUp
            self.value_pos[path] = (no, at + 1)
            self.scalars[path] = _new_scalar(Scalar, (text, True, _STR))
            return text, i
        if first == "[":
            return self._flow_list(s, no, at, path), i
        if first in _INDICATORS:
            raise _GiveUp
        text = s
        comment = s.find(" #")
        if comment >= 0:
            text = s[:comment].rstrip(" ")
        if ": " in text or text[-1] == ":":
            raise _GiveUp
        entries = self.entries
        if comment < 0 and i < self.n and entries[i][1] > cont and entries[i][0] == no + 1:
            # the scalar goes on over the next lines, folded into one with spaces
            parts = [text]
            last, n = no, self.n
            while i < n and entries[i][1] > cont and entries[i][0] == last + 1:
                line = entries[i][2]
                if line[0] in _INDICATORS or ": " in line or line[-1] == ":" or " #" in line:
                    raise _GiveUp
                parts.append(line)
                last += 1
                i += 1
            text = " ".join(parts)
        self.value_pos[path] = (no, at + 1)
        self.scalars[path], value = _plain(text)
        return value, i

    def _flow_list(self, s: str, no: int, at: int, path: Path) -> list:
        """[a, "b", 'c'] on one line."""
        value_pos, scalars = self.value_pos, self.scalars
        value_pos[path] = (no, at + 1)
        out: list = []
        size = len(s)
        j = 1
        while j < size and s[j] == " ":
            j += 1
        if j < size and s[j] == "]":
            if j + 1 < size and _more_than_a_comment(s, j + 1):
                raise _GiveUp
            return out
        while j < size:
            here = path + (len(out),)
            first = s[j]
            value_pos[here] = (no, at + j + 1)
            if first == '"' or first == "'":
                text, j = _quoted(s, j)
                scalars[here] = _new_scalar(Scalar, (text, True, _STR))
                out.append(text)
            else:
                m = _FLOW_PLAIN.match(s, j)
                if m is None:
                    raise _GiveUp
                j = m.end()
                scalars[here], value = _plain(m.group().rstrip(" "))
                out.append(value)
            while j < size and s[j] == " ":
                j += 1
            if j >= size:
                break
            if s[j] == "]":
                if j + 1 < size and _more_than_a_comment(s, j + 1):
                    raise _GiveUp
                return out
            if s[j] != ",":
                raise _GiveUp
            j += 1
            while j < size and s[j] == " ":
                j += 1
            if j >= size or s[j] == "]":  # a trailing comma: left to libyaml
                raise _GiveUp
        raise _GiveUp  # not closed on its line


def _quoted(s: str, start: int) -> tuple[str, int]:
    """The text of the one-line quoted scalar at s[start] and the index after its closing quote."""
    quote = s[start]
    end = s.find(quote, start + 1)
    if quote == "'":
        while end >= 0 and s[end + 1:end + 2] == "'":  # '' is one quote
            end = s.find("'", end + 2)
        if end < 0:
            raise _GiveUp
        return s[start + 1:end].replace("''", "'"), end + 1
    if end < 0:
        raise _GiveUp
    return s[start + 1:end], end + 1


def _more_than_a_comment(s: str, end: int) -> bool:
    """Whether s[end:] (not empty, no trailing spaces) holds more than ' # a comment'."""
    return s[end] != " " or s[end:].lstrip(" ")[0] != "#"
