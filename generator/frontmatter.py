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
    closing = _closing_line(text, first_nl)
    if closing is not None:
        start, end = closing
        body_start = end + 1 if end < len(text) else len(text)
        return Split(text[first_nl + 1 : start], 2, text[body_start:], 3 + text.count("\n", first_nl + 1, start))
    raise FrontMatterProblem(
        "front matter is not closed",
        1,
        "add a line containing only '---' after the last field (the opening '---' is on line 1)",
    )


def _closing_line(text: str, first_nl: int) -> tuple[int, int] | None:
    """Where the first line after text[first_nl] that is '---' or '...' (spaces may follow) starts
    and ends (its newline, or the end of the text); None when there is none."""
    dashes = text.find("\n---", first_nl)
    dots = text.find("\n...", first_nl)
    while dashes >= 0 or dots >= 0:
        at = dashes if dots < 0 or 0 <= dashes < dots else dots
        start = at + 1
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if not text[start + 3:end].strip(" "):
            return start, end
        if at == dashes:
            dashes = text.find("\n---", start)
        else:
            dots = text.find("\n...", start)
    return None
