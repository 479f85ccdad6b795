"""Per-source results of an ingest run, as plain values for the command to print."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SourceReport:
    """status: "ok", "not_modified" (304: nothing downloaded) or "error" (message says why)."""

    name: str
    location: str
    status: str = "ok"
    message: str = ""
    entries: int = 0
    new: list[str] = field(default_factory=list)  # paths of drafts written (or that would be)
    present: int = 0
    too_old: int = 0
    over_limit: int = 0
    errors: list[str] = field(default_factory=list)  # per-entry problems
    warnings: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status != "error"

    @property
    def error_count(self) -> int:
        return len(self.errors) + (1 if self.status == "error" else 0)


TABLE_COLUMNS = ("new", "present", "too old", "errors")


def table_rows(reports: list[SourceReport]) -> list[tuple[str, int, int, int, int]]:
    return [(r.name, len(r.new), r.present, r.too_old, r.error_count) for r in reports]


def format_table(reports: list[SourceReport]) -> str:
    """A plain-text table: one row per source, then a total row."""
    rows = table_rows(reports)
    total = ("total", *(sum(row[i] for row in rows) for i in range(1, 5)))
    width = max([len("source"), *(len(r[0]) for r in rows), len("total")])
    head = "source".ljust(width) + "".join(f"  {c:>7}" for c in TABLE_COLUMNS)
    lines = [head, "-" * len(head)]
    for row in [*rows]:
        lines.append(row[0].ljust(width) + "".join(f"  {v:>7}" for v in row[1:]))
    if len(rows) > 1:
        lines.append("-" * len(head))
        lines.append(total[0].ljust(width) + "".join(f"  {v:>7}" for v in total[1:]))
    return "\n".join(lines)
