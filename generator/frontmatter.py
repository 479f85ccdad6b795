"""Split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLOSING = re.compile(r"^(?:---|\.\.\.) *$", re.M)  # the line that closes the front matter


@dataclass(frozen=True)
class Split:
    yaml_text: str
    yaml_first_line: int  # file line number of the first YAML line (1-based)
    body: str
    body_first_line: int  # file line number of the first body line (1-based)


class FrontMatterProblem(Exception):
    def __init__(self, message: str, line: int, hint: str):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


def normalise_newlines(text: str) -> str:
    """Drop a UTF-8 byte-order mark and turn CRLF/CR line endings into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> Split:
    """`---` on the first line, YAML, then `---` (or `...`) alone on a line, then the body."""
    if not text.startswith("---") or text[:4].rstrip(" \n") != "---":
        first = text.split("\n", 1)[0]
        hint = "start the file with a line containing only '---', then the fields, then another '---'"
        if first.strip() == "---":
            hint = "the first line must be exactly '---' with nothing before it"
        raise FrontMatterProblem("missing front matter", 1, hint)
    first_nl = text.find("\n")
    if first_nl < 0:
        raise FrontMatterProblem("front matter is not closed", 1, "add a line containing only '---' after the fields")
    if text[:first_nl].rstrip(" ") != "---":
        raise FrontMatterProblem("missing front matter", 1, "the first line must be exactly '---'")
    closing = _CLOSING.search(text, first_nl + 1)
    if closing is not None:
        start, end = closing.span()
        body_start = end + 1 if end < len(text) else len(text)
        return Split(text[first_nl + 1 : start], 2, text[body_start:], 3 + text.count("\n", first_nl + 1, start))
    raise FrontMatterProblem(
        "front matter is not closed",
        1,
        "add a line containing only '---' after the last field (the opening '---' is on line 1)",
    )
