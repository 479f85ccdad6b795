"""Split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

from dataclasses import dataclass


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
    pos = first_nl + 1
    line_no = 2
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        line = text[pos:end].rstrip(" ")
        if line in ("---", "..."):
            body_start = end + 1 if nl >= 0 else len(text)
            return Split(text[first_nl + 1 : pos], 2, text[body_start:], line_no + 1)
        if nl < 0:
            break
        pos = nl + 1
        line_no += 1
    raise FrontMatterProblem(
        "front matter is not closed",
        1,
        "add a line containing only '---' after the last field (the opening '---' is on line 1)",
    )
