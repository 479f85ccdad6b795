"""The model: plain dataclasses for what the site is made of.

Validated content becomes these objects; rendering reads only these. Markdown
is kept as source text here and turned into HTML once per brief by
render_fragments, so every page that shows a brief reuses the same HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week (Monday to Sunday): the unit of a digest issue."""

    year: int
    number: int

    @classmethod
    def of(cls, day: dt.date) -> "Week":
        iso = day.isocalendar()
        return cls(iso[0], iso[1])

    @classmethod
    def parse(cls, text: str) -> "Week | None":
        """'2026-W11' -> Week(2026, 11); None when not a real ISO week."""
        import re

        m = re.fullmatch(r"(\d{4})-[Ww](\d{2})", text.strip())
        if not m:
            return None
        year, number = int(m.group(1)), int(m.group(2))
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            return None
        return cls(year, number)

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)

    @property
    def slug(self) -> str:
        return f"{self.year}-w{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    author: str = ""

    @property
    def display(self) -> str:
        """'Import AI – Substack (Jack Clark)'."""
        return f"{self.name} ({self.author})" if self.author else self.name


@dataclass(frozen=True)
class Implication:
    action: str
    text: str  # inline Markdown


@dataclass(frozen=True)
class Generated:
    """What drafted a brief: `generated:` in its front matter, written by `digest draft`."""

    model: str
    prompt_sha256: str
    date: dt.date


@dataclass(frozen=True)
class Brief:
    slug: str
    title: str
    standfirst: str
    source: Source
    published: dt.date
    week: Week
    tags: tuple[str, ...]
    key_points: tuple[str, ...]  # inline Markdown
    implications: tuple[Implication, ...]
    body: str  # the summary, Markdown
    src_path: str
    section: str = ""
    jurisdiction: str = ""
    caveats: tuple[str, ...] = ()
    draft: bool = False
    updated: dt.date | None = None
    classification: str = ""
    generated: Generated | None = None  # set when a language model drafted the brief
    reviewed_by: str = ""  # the editor who reviewed a generated brief before it was published
    # (line, col, source line) of selected fields ("slug", "tags", "source.url", "draft"), for cross-file messages
    lines: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def sort_key(self) -> tuple:
        """Newest first, then by title and slug for a stable order."""
        return (-self.published.toordinal(), self.title.lower(), self.slug)


@dataclass(frozen=True)
class Editorial:
    """The 'This week at a glance' text of one week (content/issues/YYYY-Www.md)."""

    week: Week
    body: str
    src_path: str
    title: str = ""


@dataclass(frozen=True)
class Page:
    """A plain page such as About (content/pages/about.md -> /about/)."""

    name: str
    title: str
    body: str
    src_path: str


@dataclass
class Content:
    """Everything validated from content/, before any HTML exists."""

    briefs: list[Brief] = field(default_factory=list)
    editorials: dict[Week, Editorial] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)
    source_files: dict[str, str] = field(default_factory=dict)  # src_path -> sha256 of its bytes, for the manifest
