"""Bring an assembled site (generator.assemble.Site) up to date with a few changed briefs, in place.

`assemble` builds the whole structure from every brief; a preview save changes
one or two. `apply_briefs` removes the old versions and inserts the new ones
where `assemble` would have put them (every list stays in sort-key order),
fixes the issues, tag and source groups, previous/next links and action
counts they touch, and says which weeks changed. The result equals what
`assemble` gives for the same briefs (tests/test_serve_session.py checks it).
The cost grows with the changed briefs and the groups they sit in, not with
the site.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from generator.assemble import Group, Issue, Site
from generator.model import Brief, Editorial, Page, Week
from generator.slugs import slugify


@dataclass
class Touched:
    """What a change reached, so the renderer can forget its cached views of it."""

    weeks: set[Week] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)  # briefs whose view must be made anew
    groups_reordered: bool = False


def _key(b: Brief) -> tuple:
    return b.sort_key


def _remove(items: list[Brief], brief: Brief) -> int:
    i = bisect.bisect_left(items, brief.sort_key, key=_key)
    if i < len(items) and items[i] is brief:
        del items[i]
        return i
    i = items.index(brief)  # never expected; keeps the list right if two keys were ever equal
    del items[i]
    return i


def _insert(items: list[Brief], brief: Brief) -> int:
    i = bisect.bisect_left(items, brief.sort_key, key=_key)
    items.insert(i, brief)
    return i


def _index(items: list[Brief], brief: Brief) -> int:
    i = bisect.bisect_left(items, brief.sort_key, key=_key)
    return i if i < len(items) and items[i] is brief else items.index(brief)


def apply_briefs(site: Site, removed: list[Brief], added: list[Brief], editorials: dict[Week, Editorial],
                 aliases: dict[str, str]) -> Touched:
    """Replace `removed` (objects now in the site) by `added`; drafts already filtered by the caller."""
    touched = Touched()
    recheck: dict[str, Brief] = {}  # briefs whose previous/next may have changed
    gone = {id(r) for r in removed}
    pools = {"tag": {g.slug: g for g in site.tags}, "source": {g.slug: g for g in site.sources}}
    changed: dict[tuple[str, str], Group] = {}
    for r in removed:
        for b in site.neighbours.pop(r.slug, (None, None)):
            if b is not None:
                recheck[b.slug] = b
        _remove(site.briefs, r)
        _remove(site.issue_of[r.week].briefs, r)
        touched.weeks.add(r.week)
        for kind, name in _group_names(r, aliases):
            group = pools[kind][slugify(name)]
            _remove(group.briefs, r)
            changed[(kind, group.slug)] = group
        for imp in r.implications:
            site.action_counts[imp.action] -= 1
        site.source_slug.pop(r.slug, None)
        if site.by_slug.get(r.slug) is r:
            del site.by_slug[r.slug]
    for a in added:
        site.by_slug[a.slug] = a
        _insert(site.briefs, a)
        issue = site.issue_of.get(a.week)
        if issue is None:
            issue = site.issue_of[a.week] = Issue(a.week, [], editorials.get(a.week))
        _insert(issue.briefs, a)
        touched.weeks.add(a.week)
        for kind, name in _group_names(a, aliases):
            slug = slugify(name)
            group = pools[kind].get(slug)
            if group is None:
                group = pools[kind][slug] = Group(name, slug)
            _insert(group.briefs, a)
            changed[(kind, slug)] = group
            if kind == "source":
                site.source_slug[a.slug] = slug
        for imp in a.implications:
            site.action_counts[imp.action] += 1
        touched.slugs.add(a.slug)
        recheck[a.slug] = a
    for a in added:  # the new briefs' final neighbours, after every insertion
        i = _index(site.briefs, a)
        for j in (i - 1, i + 1):
            if 0 <= j < len(site.briefs):
                recheck[site.briefs[j].slug] = site.briefs[j]
    for slug, brief in recheck.items():
        if id(brief) in gone:
            continue
        i = _index(site.briefs, brief)
        older = site.briefs[i + 1] if i + 1 < len(site.briefs) else None
        newer = site.briefs[i - 1] if i > 0 else None
        site.neighbours[slug] = (older, newer)
    _fix_issues(site, touched)
    touched.groups_reordered = _fix_groups(site, pools, changed, aliases)
    return touched


def _group_names(b: Brief, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """As assemble groups them: once per tag as written (two spellings of one slug: listed twice), and the source."""
    return [("tag", t) for t in b.tags] + [("source", aliases.get(b.source.name.casefold(), b.source.name))]


def _fix_issues(site: Site, touched: Touched) -> None:
    """Drop emptied weeks, place new ones, relink previous/next."""
    changed = False
    for week in list(touched.weeks):
        issue = site.issue_of.get(week)
        if issue is None:
            continue
        if not issue.briefs:
            del site.issue_of[week]
            site.issues.remove(issue)
            changed = True
        elif not any(i is issue for i in site.issues):
            keys = [(-i.week.year, -i.week.number) for i in site.issues]
            site.issues.insert(bisect.bisect_left(keys, (-week.year, -week.number)), issue)
            changed = True
    if changed:
        for issue in site.issues:
            issue.previous = issue.next = None
        for newer, older in zip(site.issues, site.issues[1:]):
            newer.previous, older.next = older, newer
        touched.weeks.update(i.week for i in site.issues)  # their neighbours' summaries show on them


def _fix_groups(site: Site, pools: dict, changed: dict, aliases: dict[str, str]) -> bool:
    """Emptied groups go; a group is named by the spelling its newest brief uses; keep the name order."""
    reorder = False
    listed = {"tag": {id(g) for g in site.tags}, "source": {id(g) for g in site.sources}}
    for (kind, slug), group in changed.items():
        if not group.briefs:
            pools[kind].pop(slug, None)
            reorder = True
            continue
        first = group.briefs[0]
        if kind == "tag":
            name = next(t for t in first.tags if slugify(t) == slug)
        else:
            name = aliases.get(first.source.name.casefold(), first.source.name)
        if name != group.name or id(group) not in listed[kind]:
            group.name = name
            reorder = True
    if reorder:
        site.tags[:] = sorted(pools["tag"].values(), key=lambda g: (g.name.lower(), g.slug))
        site.sources[:] = sorted(pools["source"].values(), key=lambda g: (g.name.lower(), g.slug))
    return reorder


def set_editorial(site: Site, week: Week, editorial: Editorial | None) -> None:
    issue = site.issue_of.get(week)
    if issue is not None:
        issue.editorial = editorial


def set_pages(site: Site, pages: list[Page]) -> None:
    """In place: templates hold the same list as `nav_pages`."""
    site.pages[:] = sorted(pages, key=lambda p: p.name)
