"""Which briefs `digest draft` works on, and which it must not send anywhere.

A brief is waiting for a draft when it is `draft: true` and still holds the
placeholders `digest ingest` writes (standfirst, key points, implications
starting with TODO). Its body is the source's text as ingest found it.
"""

from __future__ import annotations

from generator.config import MARKINGS, SiteConfig
from generator.model import Brief
from generator.validate import PLACEHOLDER


def holds_placeholders(brief: Brief) -> bool:
    texts = [brief.standfirst, *brief.key_points, *(imp.text for imp in brief.implications)]
    return any(t.startswith(PLACEHOLDER) for t in texts)


def source_text(brief: Brief) -> str:
    """The text to summarise: the body, unless it is only ingest's 'no text' placeholder."""
    body = brief.body.strip()
    return "" if body.startswith(PLACEHOLDER) else body


def marking_of(brief: Brief, cfg: SiteConfig) -> str:
    """The brief's protective marking: its own classification, else the site's, else OFFICIAL."""
    return brief.classification or cfg.marking or MARKINGS[0]


def above_limit(brief: Brief, cfg: SiteConfig, limit: str) -> str:
    """A sentence when the brief's marking is above `limit` (so it may not be sent), else ''."""
    marking = marking_of(brief, cfg)
    if MARKINGS.index(marking) <= MARKINGS.index(limit):
        return ""
    why = "its classification" if brief.classification else "the site's marking (the brief has no classification)"
    return (f"is {marking} by {why}, above drafting.max_marking {limit}; it was not sent. "
            "Draft it by hand, or set 'classification:' if it is marked too high")
