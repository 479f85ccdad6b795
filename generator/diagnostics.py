"""Diagnostics: problems found in content, collected as values and reported together.

Library code never prints: it returns Diagnostics (or raises ContentError
carrying them), and cli/commands format them for people, CI annotations or
tools.
"""

from __future__ import annotations

import json
import os
import dataclasses
from dataclasses import asdict, dataclass
from typing import Iterable, Literal

from generator.controlchars import visible

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. `path` is relative to the site root, POSIX style.

    `line` and `col` are 1-based; 0 means "the whole file". `field` is the
    dotted front-matter path ("implications[1].action"), or "" when the
    problem is not about one field.
    """

    path: str
    line: int = 0
    col: int = 0
    severity: Severity = "error"
    field: str = ""
    message: str = ""
    hint: str = ""
    source_line: str = dataclasses.field(default="", compare=False)

    @property
    def location(self) -> str:
        loc = self.path
        if self.line:
            loc += f":{self.line}"
            if self.col:
                loc += f":{self.col}"
        return loc

    @property
    def text(self) -> str:
        """The message as one line: "implications[1].action: 'Monitr' is not ...; did you mean ...?" """
        head = f"{self.field}: {self.message}" if self.field else self.message
        return f"{head}; {self.hint}" if self.hint else head

    def format(self, colour: bool = False) -> str:
        """path:line:col: severity: text, then the source line with a caret under the column.

        With `colour`, ANSI styles for a terminal: the location bold, the
        severity and the caret red (error) or yellow (warning).
        """
        paint = _paint if colour else _plain
        tint = _RED if self.severity == "error" else _YELLOW
        out = f"{paint(self.location + ':', _BOLD)} {paint(self.severity + ':', _BOLD + tint)} {visible(self.text)}"
        if self.source_line and self.line:
            src, col = _excerpt(visible(self.source_line.rstrip("\r\n").replace("\t", " ")), self.col)
            out += f"\n    {src}"
            if col:
                out += "\n    " + " " * (col - 1) + paint("^", _BOLD + tint)
        return out

    def github_annotation(self) -> str:
        def esc(s: str) -> str:
            return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

        def esc_prop(s: str) -> str:
            return esc(s).replace(":", "%3A").replace(",", "%2C")

        props = [f"file={esc_prop(self.path)}"]
        if self.line:
            props.append(f"line={self.line}")
        if self.col:
            props.append(f"col={self.col}")
        return f"::{self.severity} {','.join(props)}::{esc(visible(self.text))}"

    def to_json(self) -> dict:
        return asdict(self)


_BOLD, _RED, _YELLOW, _GREEN = "1", ";31", ";33", ";32"


def _paint(text: str, style: str) -> str:
    return f"\x1b[{style}m{text}\x1b[0m"


def _plain(text: str, style: str) -> str:
    return text


def _excerpt(line: str, col: int, width: int = 100) -> tuple[str, int]:
    """At most `width` characters of a long source line around `col`, with '...' where cut."""
    if len(line) <= width:
        return line, col
    start = max(0, min(col - 1 - width // 2, len(line) - width)) if col else 0
    text = line[start : start + width]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + width < len(line) else ""
    return prefix + text + suffix, (col - start + len(prefix)) if col else 0


class ContentError(Exception):
    """Raised when content has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s) in content")

    def __reduce__(self):  # pickled (from a worker process) with its diagnostics, not its message
        return ContentError, (self.diagnostics,)


def errors_in(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def summary_line(diagnostics: list[Diagnostic], files_checked: int) -> str:
    """'2 errors, 1 warning in 31 files'."""
    n_err = sum(1 for d in diagnostics if d.severity == "error")
    n_warn = len(diagnostics) - n_err
    parts = [f"{n_err} error{'s' if n_err != 1 else ''}", f"{n_warn} warning{'s' if n_warn != 1 else ''}"]
    return f"{', '.join(parts)} in {files_checked} file{'s' if files_checked != 1 else ''}"


def format_report(diagnostics: list[Diagnostic], files_checked: int, fmt: str = "text", *, colour: bool = False) -> str:
    """The whole report in the chosen format ("text" or "json"); `colour` styles text for a terminal."""
    ordered = sorted(diagnostics)
    if fmt == "json":
        return json.dumps([d.to_json() for d in ordered], indent=2, ensure_ascii=False)
    lines = [d.format(colour) for d in ordered]
    if os.environ.get("GITHUB_ACTIONS") == "true":
        lines += [d.github_annotation() for d in ordered]
    summary = summary_line(ordered, files_checked)
    if colour:
        tint = _RED if errors_in(ordered) else _YELLOW if ordered else _GREEN
        summary = _paint(summary, _BOLD + tint)
    lines.append(summary)
    return "\n".join(lines)
