"""Assemble: from validated content to the site's structure.

Groups briefs into weekly issues, tags, sources and actions, and works out
the previous/next links. Pure: no I/O, no HTML.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generator.config import SiteConfig
from generator.model import Brief, Content, Editorial, Page, Week
from generator.slugs import slugify


@dataclass
class Issue:
    week: Week
    briefs: list[Brief]  # newest first
    editorial: Editorial | None = None
    previous: "Issue | None" = None  # the week before (older)
    next: "Issue | None" = None  # the week after (newer)

    def by_section(self, sections: tuple[str, ...]) -> list[tuple[str, list[Brief]]]:
        """Briefs grouped in the site's section order; empty sections left out, unsectioned last."""
        groups: dict[str, list[Brief]] = defaultdict(list)
        for b in self.briefs:
            groups[b.section or ""].append(b)
        ordered = [(s, groups[s]) for s in sections if groups.get(s)]
        if groups.get(""):
            ordered.append(("Other items", groups[""]))
        return ordered


@dataclass
class Group:
    """Briefs that share a tag or a source."""

    name: str
    slug: str
    briefs: list[Brief] = field(default_factory=list)


@dataclass
class Site:
    config: SiteConfig
    briefs: list[Brief]  # newest first; drafts included only when building with drafts
    issues: list[Issue]  # newest first
    tags: list[Group]  # by name
    sources: list[Group]  # by name
    pages: list[Page]
    neighbours: dict[str, tuple[Brief | None, Brief | None]]  # slug -> (older, newer)
    issue_of: dict[Week, Issue]
    action_counts: dict[str, int]  # implications per action
    source_slug: dict[str, str] = field(default_factory=dict)  # brief slug -> its source group's slug
    by_slug: dict[str, Brief] = field(default_factory=dict)

    @property
    def latest_issue(self) -> Issue | None:
        return self.issues[0] if self.issues else None


def assemble(content: Content, config: SiteConfig, include_drafts: bool = False,
             source_aliases: dict[str, str] | None = None) -> Site:
    """`source_aliases` (casefolded alias -> name, from sources.yaml) merges one organisation's source pages."""
    aliases = source_aliases or {}
    briefs = sorted((b for b in content.briefs if include_drafts or not b.draft), key=lambda b: b.sort_key)
    by_week: dict[Week, list[Brief]] = defaultdict(list)
    for b in briefs:
        by_week[b.week].append(b)
    issues = [Issue(w, by_week[w], content.editorials.get(w)) for w in sorted(by_week, reverse=True)]
    for newer, older in zip(issues, issues[1:]):
        newer.previous, older.next = older, newer
    neighbours = {}
    for i, b in enumerate(briefs):
        older = briefs[i + 1] if i + 1 < len(briefs) else None
        newer = briefs[i - 1] if i > 0 else None
        neighbours[b.slug] = (older, newer)
    action_counts = {a.name: 0 for a in config.actions}
    for b in briefs:
        for imp in b.implications:
            action_counts[imp.action] += 1
    sources = _groups(briefs, lambda b: (aliases.get(b.source.name.casefold(), b.source.name),))
    return Site(
        config=config,
        briefs=briefs,
        issues=issues,
        tags=_groups(briefs, lambda b: b.tags),
        sources=sources,
        pages=sorted(content.pages, key=lambda p: p.name),
        neighbours=neighbours,
        issue_of={i.week: i for i in issues},
        action_counts=action_counts,
        source_slug={b.slug: g.slug for g in sources for b in g.briefs},
        by_slug={b.slug: b for b in briefs},
    )


def _groups(briefs: list[Brief], keys) -> list[Group]:
    """Group by slug so "AI Safety" and "ai-safety" are one page; the first spelling seen names it."""
    groups: dict[str, Group] = {}
    for b in briefs:
        for name in keys(b):
            slug = slugify(name)
            if slug not in groups:
                groups[slug] = Group(name, slug)
            groups[slug].briefs.append(b)
    return sorted(groups.values(), key=lambda g: (g.name.lower(), g.slug))
