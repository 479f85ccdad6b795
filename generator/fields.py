"""Field checks shared by site.yaml, briefs, editorials and pages.

A Checker reads typed values out of a YamlDoc and records a Diagnostic, with
the exact line and column of the offending key or value, for every problem.
The same rules apply everywhere: unknown keys are errors with a did-you-mean
and the allowed list; a value YAML re-typed behind the editor's back
(`draft: no`, a tag `1.10`, a bare `1:30`) is an error with a quoting hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any, Iterable

from generator import controlchars
from generator.diagnostics import Diagnostic
from generator.yamlsrc import Path, YamlDoc, path_str, tag_name

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STR = "tag:yaml.org,2002:str"


def did_you_mean(value: str, options: Iterable[str]) -> str:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    if value.lower() in lowered and lowered[value.lower()] != value:
        return lowered[value.lower()]
    match = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if not match:
        match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
        match = [lowered[m] for m in match]
    return match[0] if match else ""


def choice_hint(value: str, options: list[str], kind: str) -> tuple[str, str]:
    """("'Monitr' is not an action", "did you mean 'Monitor'? (actions: ...)")"""
    guess = did_you_mean(value, options)
    listing = f"({kind}s: {', '.join(options)})"
    hint = f"did you mean '{guess}'? {listing}" if guess else f"use one of {listing[1:-1].split(': ', 1)[1]}"
    return f"'{value}' is not a{'n' if kind[0] in 'aeiou' else ''} {kind}", hint


_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y%m%d")


def guess_iso_date(text: str) -> str | None:
    """The YYYY-MM-DD an editor probably meant: '16/3/2026' (Australian order) -> '2026-03-16'."""
    cleaned = text.strip().replace(",", "")
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def control_characters(src_path: str, lines: list[str], first: int = 1, last: int | None = None, *,
                       field: str = "", allow_nel: bool = False) -> list[Diagnostic]:
    """An error for every line (first..last) that holds a control character typed as it is."""
    return [Diagnostic(src_path, line, col, "error", field, f"{controlchars.describe(chars)} in the text",
                       controlchars.hint(len(chars)), lines[line - 1])
            for line, col, chars in controlchars.raw_in_lines(lines, first, last, allow_nel=allow_nel)]


class Checker:
    def __init__(self, doc: YamlDoc, src_path: str, lines: list[str]):
        self.doc = doc
        self.src_path = src_path
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []
        # YAML refuses control characters typed as they are, so a value can only hold one written as
        # an escape in double quotes: with no backslash in the file, no value needs looking at.
        self.escapes = "\\" in "\n".join(lines)

    # -- reporting -----------------------------------------------------------
    def _line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def error(self, path: Path, message: str, hint: str = "", *, at_key: bool = False, severity: str = "error") -> None:
        line, col = self.doc.key_position(path) if at_key else self.doc.pos(path)
        self.diagnostics.append(
            Diagnostic(self.src_path, line, col, severity, path_str(path), message, hint, self._line_text(line))
        )

    def warn(self, path: Path, message: str, hint: str = "", *, at_key: bool = False) -> None:
        self.error(path, message, hint, at_key=at_key, severity="warning")

    # -- structure -------------------------------------------------------------
    def mapping(self, path: Path, value: Any, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"expected {what} (a mapping of 'key: value' lines), got {self.describe(path, value)}")
        return None

    def unknown_keys(self, path: Path, mapping: dict, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in mapping:
            if key not in allowed:
                guess = did_you_mean(str(key), allowed)
                hint = (f"did you mean '{guess}'? " if guess else "") + f"(allowed: {', '.join(allowed)})"
                self.error(path + (key,), f"unknown field '{key}'", hint, at_key=True)

    def required(self, path: Path, mapping: dict, keys: Iterable[str]) -> None:
        """A missing field is reported at its parent key, or at line 1 for a top-level field."""
        for key in keys:
            if key in mapping:
                continue
            line, col = self.doc.key_position(path) if path else (1, 1)
            self.diagnostics.append(
                Diagnostic(self.src_path, line, col, "error", path_str(path + (key,)),
                           "missing required field", f"add a line '{key}: ...'", self._line_text(line))
            )

    # -- typed values ----------------------------------------------------------
    def describe(self, path: Path, value: Any) -> str:
        scalar = self.doc.scalars.get(path)
        if scalar is not None:
            return f"{tag_name(scalar.tag)} '{scalar.text}'" if scalar.text else tag_name(scalar.tag)
        if isinstance(value, list):
            return "a list"
        if isinstance(value, dict):
            return "a mapping"
        return type(value).__name__

    def string(self, path: Path, value: Any, *, allow_empty: bool = False) -> str | None:
        scalar = self.doc.scalars.get(path)
        if isinstance(value, str) and scalar is not None and scalar.tag == _STR:
            text = value.strip()
            if self.escapes and controlchars.BAD.search(value):
                self._control_characters(path, value)
                return None
            if not text and not allow_empty:
                self.error(path, "must not be empty", "write a value or remove the field")
                return None
            return text
        if scalar is not None and not scalar.quoted and scalar.text:
            self.error(path, f"expected text, but YAML read '{scalar.text}' as {tag_name(scalar.tag)}",
                       f"quote it: \"{scalar.text}\"")
        else:
            self.error(path, f"expected text, got {self.describe(path, value)}")
        return None

    def _control_characters(self, path: Path, value: str) -> None:
        """Report control characters in a value at the escape that wrote the first of them."""
        chars = controlchars.BAD.findall(value)
        line, col = self.doc.pos(path)
        escapes = controlchars.escapes_in_double_quoted(self.lines, line, col)
        if escapes:
            line, col = escapes[0][0], escapes[0][1]
        hint = controlchars.hint(len(chars), [e[3] for e in escapes])
        self.diagnostics.append(Diagnostic(self.src_path, line, col, "error", path_str(path),
                                           f"{controlchars.describe(chars)} in the text", hint, self._line_text(line)))

    def string_list(self, path: Path, value: Any, *, min_items: int = 0, max_items: int | None = None, what: str = "items") -> list[str] | None:
        if not isinstance(value, list):
            got = self.describe(path, value)
            hint = "write a list: one '- item' per line, or [a, b]"
            if isinstance(value, str):
                hint = f"write a list, e.g. [{value}] — a plain string is not a list"
            self.error(path, f"expected a list of {what}, got {got}", hint)
            return None
        out: list[str] = []
        ok = True
        for i, item in enumerate(value):
            s = self.string(path + (i,), item)
            if s is None:
                ok = False
            else:
                out.append(s)
        if len(value) < min_items:
            self.error(path, f"needs at least {min_items} {what}, has {len(value)}", f"add {what}")
            return None
        if max_items is not None and len(value) > max_items:
            self.error(path, f"has {len(value)} {what}; at most {max_items} allowed", "keep the most important ones")
            return None
        return out if ok else None

    def boolean(self, path: Path, value: Any) -> bool | None:
        scalar = self.doc.scalars.get(path)
        if isinstance(value, bool) and scalar is not None and scalar.text.lower() in ("true", "false"):
            return value
        typed = scalar.text if scalar else self.describe(path, value)
        if scalar is not None and scalar.quoted and scalar.text.strip().lower() in ("true", "false"):
            hint = f"remove the quotes: {scalar.text.strip().lower()}"
        else:
            hint = "write true or false (YAML would also read yes/no/on/off as true/false, which is easy to misread)"
        self.error(path, f"expected true or false, got '{typed}'", hint)
        return None

    def integer(self, path: Path, value: Any, minimum: int = 1, maximum: int = 10_000) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
            return value
        self.error(path, f"expected a whole number from {minimum} to {maximum}, got {self.describe(path, value)}")
        return None

    def date(self, path: Path, value: Any) -> dt.date | None:
        scalar = self.doc.scalars.get(path)
        if isinstance(value, dt.datetime):
            self.error(path, f"expected a date, got a date and time '{scalar.text if scalar else value}'",
                       f"write only the date: {value.date().isoformat()}")
            return None
        if isinstance(value, dt.date):
            if scalar is not None and not ISO_DATE.match(scalar.text):
                self.error(path, f"date must be YYYY-MM-DD, got '{scalar.text}'", f"write {value.isoformat()}")
                return None
            return value
        if isinstance(value, str) and ISO_DATE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.error(path, f"'{value}' is not a real date", "use an existing calendar date as YYYY-MM-DD")
                return None
        shown = scalar.text if scalar is not None else self.describe(path, value)
        guess = guess_iso_date(shown) if isinstance(shown, str) else None
        self.error(path, f"date must be YYYY-MM-DD, got '{shown}'", f"write {guess}" if guess else "e.g. 2026-03-16")
        return None

    def choice(self, path: Path, value: Any, options: list[str], kind: str) -> str | None:
        text = self.string(path, value)
        if text is None:
            return None
        if text not in options:
            message, hint = choice_hint(text, options, kind)
            self.error(path, message, hint)
            return None
        return text
