"""YAML with positions: safe, bounded, and honest about what the editor typed.

PyYAML's `safe_load` forgets where each value came from, silently keeps the
last of two duplicate keys, expands alias bombs and re-types values (`no`
becomes False, `1.10` becomes 1.1). Editors need better, so we compose the
node tree with libyaml (safe: no Python objects), then construct values
ourselves, recording for every value its line and column, the text as typed
and whether it was quoted. Anchors and aliases are refused: front matter has
no use for them and they are how "billion laughs" documents blow up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


@dataclass(frozen=True)
class Scalar:
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


def parse_yaml(text: str, first_line: int = 1) -> YamlDoc:
    """Parse one YAML document. `first_line` is the file line of the text's first line.

    Raises YamlProblem for syntax errors, tabs in indentation, duplicate keys,
    anchors/aliases, excessive nesting or size, and values that cannot be
    constructed (such as the date 2026-02-30).
    """
    offset = first_line - 1
    _refuse_tab_indentation(text, offset)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        col = (mark.column + 1) if mark else 1
        problem = exc.problem or "invalid YAML"
        raise YamlProblem(f"YAML syntax error: {problem}", line, col, hint=_syntax_hint(problem, text, mark)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", first_line, 1) from exc
    doc = YamlDoc(data=None, end_line=first_line + text.count("\n"))
    if root is None:
        return doc
    builder = _Builder(doc, offset)
    doc.data = builder.build(root, (), 0)
    return doc


def _syntax_hint(problem: str, text: str, mark) -> str:
    if "mapping values are not allowed" in problem:
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


def _refuse_tab_indentation(text: str, offset: int) -> None:
    for i, line in enumerate(text.split("\n")):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            raise YamlProblem(
                "tab character used for indentation",
                i + 1 + offset,
                len(line) - len(stripped) + 1,
                hint="YAML indentation must use spaces; replace the tab with spaces",
            )


class _Builder:
    def __init__(self, doc: YamlDoc, offset: int):
        self.doc = doc
        self.offset = offset
        self.seen: set[int] = set()
        self.count = 0
        self.constructor = SafeConstructor()

    def _pos(self, node: Node) -> tuple[int, int]:
        return (node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def build(self, node: Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            line, col = self._pos(node)
            raise YamlProblem(f"too many values (more than {MAX_NODES})", line, col)
        if depth > MAX_DEPTH:
            line, col = self._pos(node)
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", line, col, field=path_str(path))
        if id(node) in self.seen:
            line, col = self._pos(node)
            raise YamlProblem(
                "YAML aliases (*name) are not allowed",
                line,
                col,
                hint="write the value out in full instead of referring to an &anchor",
                field=path_str(path),
            )
        self.seen.add(id(node))
        if getattr(node, "anchor", None):
            line, col = self._pos(node)
            raise YamlProblem("YAML anchors (&name) are not allowed", line, col, hint="remove the &anchor", field=path_str(path))
        self.doc.value_pos[path] = self._pos(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        line, col = self._pos(node)  # pragma: no cover - libyaml only makes the three kinds
        raise YamlProblem("unsupported YAML node", line, col)

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        quoted = node.style in ("'", '"', "|", ">")
        self.doc.scalars[path] = Scalar(node.value, quoted, node.tag)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            line, col = self._pos(node)
            if node.tag == "tag:yaml.org,2002:timestamp":
                raise YamlProblem(
                    f"'{node.value}' is not a real date", line, col,
                    hint="use an existing calendar date as YYYY-MM-DD", field=path_str(path),
                ) from exc
            raise YamlProblem(f"cannot read value '{node.value}': {exc}", line, col, field=path_str(path)) from exc

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict:
        out: dict = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = self._pos(key_node)
                raise YamlProblem("a key must be a plain name, not a list or mapping", line, col, field=path_str(path))
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = self._pos(key_node)
                raise YamlProblem("YAML merge keys (<<) are not allowed", line, col, field=path_str(path))
            key = key_node.value  # keys are always names: `1:` or `no:` stay strings
            line, col = self._pos(key_node)
            if key in first_seen:
                raise YamlProblem(
                    f"duplicate key '{key}' (first defined on line {first_seen[key]})",
                    line,
                    col,
                    hint="YAML would silently keep only the last one; remove or merge the duplicate",
                    field=path_str(path + (key,)),
                )
            first_seen[key] = line
            self.doc.key_pos[path + (key,)] = (line, col)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out
