"""Load and validate content/sources.yaml: the monitored sources registry.

The file is a YAML list of mappings {name, feed, author?, section?,
jurisdiction?, tags?, aliases?}. Problems come back as Diagnostics with the
file, line and column of the offending node (from yaml.compose marks), so
`digest check` and `digest ingest` can report them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator import controlchars
from generator.diagnostics import Diagnostic
from generator.fields import control_characters
from generator.frontmatter import normalise_newlines

REGISTRY_PATH = "content/sources.yaml"
REQUIRED_FIELDS = ("name", "feed")
OPTIONAL_FIELDS = ("author", "section", "jurisdiction", "tags", "aliases")
KNOWN_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS


@dataclass(frozen=True)
class Source:
    """One monitored source, as the registry describes it."""

    name: str
    feed: str
    author: str | None = None
    section: str | None = None
    jurisdiction: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    line: int = 0

    def matches(self, name: str) -> bool:
        """True when `name` is this source's name or one of its aliases (case-insensitive)."""
        wanted = name.casefold().strip()
        return any(wanted == n.casefold() for n in (self.name, *self.aliases))


@dataclass
class _Collector:
    path: str
    lines: list[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, node: Node | None, field_name: str, message: str, hint: str = "") -> None:
        line = col = 0
        source_line = ""
        if node is not None:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            if 0 < line <= len(self.lines):
                source_line = self.lines[line - 1]
        self.diagnostics.append(
            Diagnostic(self.path, line, col, "error", field_name, message, hint, source_line)
        )


def load_registry(
    root: Path,
    sections: list[str] | None = None,
    jurisdictions: list[str] | None = None,
) -> tuple[list[Source], list[Diagnostic]]:
    """Read <root>/content/sources.yaml. A missing file is an empty registry.

    `sections` and `jurisdictions`, when given, are the allowed values from
    site.yaml; a source naming anything else is an error.
    """
    path = Path(root) / REGISTRY_PATH
    if not path.exists():
        return [], []
    from generator.load import read_text  # the same 1 MiB cap and UTF-8 checks as every content file

    try:
        text, _raw, problems = read_text(path, REGISTRY_PATH)
    except OSError as exc:
        return [], [Diagnostic(REGISTRY_PATH, message=f"cannot read the file: {exc.strerror or exc}")]
    if text is None:
        return [], problems
    return parse_registry(text, REGISTRY_PATH, sections, jurisdictions)


def parse_registry(
    text: str,
    path: str = REGISTRY_PATH,
    sections: list[str] | None = None,
    jurisdictions: list[str] | None = None,
) -> tuple[list[Source], list[Diagnostic]]:
    """Validate the registry's YAML text; returns the sources that are valid and every problem."""
    # YAML reads NEL, U+2028 and U+2029 as line breaks; as spaces, line numbers stay ours
    text = normalise_newlines(text).translate({0x85: " ", 0x2028: " ", 0x2029: " "})
    out = _Collector(path, text.split("\n"))
    typed = control_characters(path, out.lines)
    if typed:  # YAML cannot be read past them
        return [], typed
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        src = out.lines[line - 1] if 0 < line <= len(out.lines) else ""
        problem = getattr(exc, "problem", None) or ("nesting too deep" if isinstance(exc, RecursionError) else str(exc))
        return [], [Diagnostic(path, line, col, "error", "", f"not valid YAML: {problem}", "", src)]
    if root is None:
        return [], []
    if not isinstance(root, SequenceNode):
        out.error(root, "", "the registry must be a list of sources",
                  "start each source with '- name: ...'")
        return [], out.diagnostics

    sources: list[Source] = []
    seen_names: dict[str, int] = {}
    for index, item in enumerate(root.value):
        where = f"[{index}]"
        source = _source_from_node(item, where, out, sections, jurisdictions)
        if source is None:
            continue
        for name in (source.name, *source.aliases):
            key = name.casefold()
            if key in seen_names:
                out.error(item, f"{where}.name",
                          f"'{name}' is already used by the source on line {seen_names[key]}")
            else:
                seen_names[key] = source.line
        sources.append(source)
    return sources, sorted(out.diagnostics)


def _source_from_node(
    node: Node,
    where: str,
    out: _Collector,
    sections: list[str] | None,
    jurisdictions: list[str] | None,
) -> Source | None:
    if not isinstance(node, MappingNode):
        out.error(node, where, "each source must be a mapping with at least 'name' and 'feed'")
        return None
    values: dict[str, Node] = {}
    ok = True
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str):
            out.error(key_node, where, "field names must be plain strings")
            ok = False
            continue
        if key in values:
            out.error(key_node, f"{where}.{key}", "duplicate field",
                      f"it was first given on line {values[key].start_mark.line + 1}")
            ok = False
            continue
        if key not in KNOWN_FIELDS:
            out.error(key_node, f"{where}.{key}", "unknown field",
                      "allowed fields: " + ", ".join(KNOWN_FIELDS))
            ok = False
            continue
        values[key] = value_node
    for key in REQUIRED_FIELDS:
        if key not in values:
            out.error(node, f"{where}.{key}", "required field is missing")
            ok = False

    name = _string(values.get("name"), f"{where}.name", out)
    feed = _string(values.get("feed"), f"{where}.feed", out)
    author = _string(values.get("author"), f"{where}.author", out)
    section = _string(values.get("section"), f"{where}.section", out)
    jurisdiction = _string(values.get("jurisdiction"), f"{where}.jurisdiction", out)
    tags = _string_list(values.get("tags"), f"{where}.tags", out)
    aliases = _string_list(values.get("aliases"), f"{where}.aliases", out)
    if None in (tags, aliases) or ("name" in values and name is None) or ("feed" in values and feed is None):
        ok = False

    if feed is not None and urlsplit(feed).scheme.lower() not in ("http", "https"):
        out.error(values["feed"], f"{where}.feed", f"'{feed}' is not an http(s) URL",
                  "feeds are fetched over http or https only")
        ok = False
    elif feed is not None and not urlsplit(feed).netloc:
        out.error(values["feed"], f"{where}.feed", f"'{feed}' has no host name")
        ok = False
    if section is not None and sections is not None and section not in sections:
        out.error(values["section"], f"{where}.section", f"'{section}' is not a site section",
                  "use one of: " + ", ".join(sections))
        ok = False
    if jurisdiction is not None and jurisdictions is not None and jurisdiction not in jurisdictions:
        out.error(values["jurisdiction"], f"{where}.jurisdiction",
                  f"'{jurisdiction}' is not a site jurisdiction", "use one of: " + ", ".join(jurisdictions))
        ok = False
    if not ok or name is None or feed is None:
        return None
    return Source(
        name=name,
        feed=feed,
        author=author,
        section=section,
        jurisdiction=jurisdiction,
        tags=tuple(tags or ()),
        aliases=tuple(aliases or ()),
        line=node.start_mark.line + 1,
    )


def _string(node: Node | None, field_name: str, out: _Collector) -> str | None:
    """A non-empty string scalar, or None (with an error when present but wrong)."""
    if node is None:
        return None
    if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str" or not node.value.strip():
        out.error(node, field_name, "must be a non-empty text value")
        return None
    if controlchars.BAD.search(node.value):
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        escapes = controlchars.escapes_in_double_quoted(out.lines, line, col)
        if escapes:
            line, col = escapes[0][0], escapes[0][1]
        chars = controlchars.BAD.findall(node.value)
        hint = controlchars.hint(len(chars), [e[3] for e in escapes])
        source_line = out.lines[line - 1] if 0 < line <= len(out.lines) else ""
        out.diagnostics.append(Diagnostic(out.path, line, col, "error", field_name,
                                          f"{controlchars.describe(chars)} in the text",
                                          hint, source_line))
        return None
    return node.value.strip()


def _string_list(node: Node | None, field_name: str, out: _Collector) -> list[str] | None:
    """A list of non-empty strings; [] when absent, None (with errors) when malformed."""
    if node is None:
        return []
    if not isinstance(node, SequenceNode):
        out.error(node, field_name, "must be a list of text values", "write it as [a, b] or one '- item' per line")
        return None
    items: list[str] = []
    ok = True
    for i, item in enumerate(node.value):
        value = _string(item, f"{field_name}[{i}]", out)
        if value is None:
            ok = False
        else:
            items.append(value)
    return items if ok else None
