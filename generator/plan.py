"""Plan: every file the build writes, decided before anything renders.

A PlannedFile names one output file: where it goes (`dest`), what kind of
page it is (`kind`, one of KINDS), what the renderer needs to find its part
of the model (`args`), and the inputs its bytes depend on (`inputs`:
fingerprints of briefs, weeks, names, counts). Its `signature` hashes the
inputs with the build key, so two builds that plan the same signature for a
file write the same bytes, and an incremental build renders exactly the
files whose signature changed.

Page kinds and routes are defined here once. What is indexed for search,
what goes in the sitemap, which URL names a page may not take, and how many
implications lists each page must show all follow from this module.

Listings (all briefs, each tag, source and action) do not shift when a brief
arrives. The listing's own URL (`tags/llms/`) shows the newest `per_page`
items; its archive pages `tags/llms/page/N/` are numbered from the oldest, so
archive page N always holds the same items once it is full, and adding a
brief changes only the front page and the newest archive page.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from generator.urls import Urls, dest_for


@dataclass(frozen=True)
class PageKind:
    name: str
    template: str | None  # the layout it renders with (None: built as data)
    indexed: bool = False  # Pagefind indexes it
    in_sitemap: bool = False  # an HTML page readers land on
    lists_per_brief: bool = False  # shows one implications list (and the disclaimer) per brief it holds


KINDS: dict[str, PageKind] = {k.name: k for k in (
    PageKind("home", "home.html", in_sitemap=True),
    PageKind("brief", "brief.html", indexed=True, in_sitemap=True, lists_per_brief=True),
    PageKind("briefs", "briefs.html", in_sitemap=True),
    PageKind("issues", "issues.html", in_sitemap=True),
    PageKind("issue", "issue.html", indexed=True, in_sitemap=True, lists_per_brief=True),
    PageKind("tags", "tags.html", in_sitemap=True),
    PageKind("tag", "tag.html", in_sitemap=True),
    PageKind("sources", "sources.html", in_sitemap=True),
    PageKind("source", "source.html", in_sitemap=True),
    PageKind("actions", "actions.html", in_sitemap=True),
    PageKind("action", "action.html", in_sitemap=True),
    PageKind("page", "page.html", in_sitemap=True),
    PageKind("search", "search.html", in_sitemap=True),
    PageKind("404", "404.html"),
    PageKind("atom", "feed.xml"),
    PageKind("json-feed", None),
    PageKind("email-html", "email.html"),
    PageKind("email-text", "email.txt"),
    PageKind("sitemap", "sitemap.xml"),
    PageKind("robots", None),
    PageKind("asset", None),
)}

# top-level names the routes below use (and the search index's folders): a page may not take them
RESERVED = frozenset({"briefs", "issues", "tags", "sources", "actions", "search", "assets", "page",
                      "pagefind", "pagefind-shards", "404.html", "feed.xml", "feed.json", "sitemap.xml", "robots.txt"})

FEED_SIZE = 50


@dataclass(frozen=True)
class Pager:
    """Where a listing page sits among its front page and archive pages."""

    base: str  # the listing's front page, e.g. "tags/llms/"
    number: int  # 0 for the front page, else the archive page (1 = oldest)
    count: int  # archive pages (not shown by the default templates: it changes as briefs arrive)
    previous: str | None  # the newer page's path
    next: str | None  # the older page's path

    @property
    def front(self) -> bool:
        return self.number == 0

    def url(self, number: int) -> str:
        return archive_path(self.base, number)


def archive_path(base: str, number: int) -> str:
    return base if number == 0 else f"{base}page/{number}/"


def listing(base: str, items: list, per: int) -> list[tuple[Pager, list]]:
    """items newest first -> (pager, items on that page): the front page, then archive pages oldest first."""
    n = len(items)
    if n <= per:
        return [(Pager(base, 0, 0, None, None), items)]
    count = math.ceil(n / per)
    oldest_first = items[::-1]
    pages = []
    older_of_front = (n - per - 1) // per + 1  # the archive page holding the item just older than the front's last
    pages.append((Pager(base, 0, count, None, archive_path(base, older_of_front)), items[:per]))
    for k in range(1, count + 1):
        chunk = oldest_first[(k - 1) * per:k * per][::-1]
        newer = archive_path(base, k + 1) if k < count else base
        older = archive_path(base, k - 1) if k > 1 else None
        pages.append((Pager(base, k, count, newer, older), chunk))
    return pages


@dataclass(frozen=True)
class PlannedFile:
    dest: str  # path in the output, POSIX style ("briefs/x/index.html")
    kind: str  # a key of KINDS
    args: tuple  # what the renderer needs to find the page's part of the model
    signature: str  # hash of the build key and every input the bytes depend on


@dataclass
class Plan:
    files: list[PlannedFile]
    by_dest: dict[str, PlannedFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for f in self.files:
            if f.dest in self.by_dest:
                raise ValueError(f"two planned files write {f.dest} ({self.by_dest[f.dest].kind}, {f.kind})")
            self.by_dest[f.dest] = f

    def of_kind(self, *kinds: str) -> list[PlannedFile]:
        return [f for f in self.files if f.kind in kinds]

    def indexed(self) -> list[PlannedFile]:
        """The files Pagefind indexes (page kinds marked indexed)."""
        return [f for f in self.files if KINDS[f.kind].indexed]

    def folders(self) -> list[str]:
        """Every folder the output needs, parents before children."""
        found: set[str] = set()
        for f in self.files:
            d = f.dest.rpartition("/")[0]
            while d and d not in found:
                found.add(d)
                d = d.rpartition("/")[0]
        return sorted(found)


def expected_lists(site) -> dict[str, int]:
    """How many implications lists each page must at least show, from the model alone: a brief
    page one, an issue page and its email edition one per brief. A template that drops a list
    and its marker is caught."""
    expected = {dest_for(Urls.brief(b)): 1 for b in site.briefs}
    expected.update({dest_for(Urls.issue(i.week)): len(i.briefs) for i in site.issues})
    expected.update({Urls.issue(i.week) + "email.html": len(i.briefs) for i in site.issues})
    return expected


def _place(pager: Pager) -> tuple:
    """What a listing page shows of its place: not the archive's page count, which grows."""
    return (pager.number, pager.previous, pager.next)


class _Signer:
    def __init__(self, key: str):
        self.key = key.encode()

    def __call__(self, kind: str, dest: str, inputs) -> str:
        h = hashlib.blake2b(self.key, digest_size=16)
        h.update(f"{kind}\0{dest}\0{inputs!r}".encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def make_plan(site, key: str, fingerprints: dict[str, str], text_hashes: dict[str, str],
              assets: dict[str, str]) -> Plan:
    """Every output file of `site`.

    key: the build key (templates, settings, generator code); fingerprints:
    brief slug -> hash of its source; text_hashes: hashes of editorials and
    pages by source path; assets: asset dest -> hash of its bytes.
    """
    sign = _Signer(key)
    fp = fingerprints
    per = site.config.per_page
    files: list[PlannedFile] = []

    def add(kind: str, path: str, args: tuple, inputs) -> None:
        dest = dest_for(path)
        files.append(PlannedFile(dest, kind, args, sign(kind, dest, inputs)))

    def fps(briefs) -> tuple:
        return tuple(fp[b.slug] for b in briefs)

    def issue_summary(issue) -> tuple | None:  # what a link to an issue shows: dates, count, teaser
        if issue is None:
            return None
        return (issue.week.slug, len(issue.briefs), issue.editorial and text_hashes[issue.editorial.src_path])

    nav = hashlib.blake2b(repr(tuple((p.name, p.title) for p in site.pages)).encode(), digest_size=8).hexdigest()
    latest = site.latest_issue
    latest_slugs = {b.slug for b in latest.briefs} if latest else set()
    recent = [b for b in site.briefs if b.slug not in latest_slugs][:per]
    add("home", "", (), (nav, issue_summary(latest), fps(latest.briefs) if latest else (), fps(recent),
                         len(site.issues)))
    for brief in site.briefs:
        older, newer = site.neighbours[brief.slug]
        add("brief", Urls.brief(brief), (brief.slug,),
            (nav, fp[brief.slug], older and fp[older.slug], newer and fp[newer.slug], brief.week.slug))
    for pager, chunk in listing("briefs/", site.briefs, per):
        add("briefs", archive_path("briefs/", pager.number), (pager, tuple(b.slug for b in chunk)),
            (nav, _place(pager), fps(chunk), len(site.briefs) if pager.front else None))
    add("issues", "issues/", (), (nav, tuple(issue_summary(i) for i in site.issues)))
    for issue in site.issues:
        inputs = (fps(issue.briefs), issue_summary(issue), issue_summary(issue.previous), issue_summary(issue.next))
        add("issue", Urls.issue(issue.week), (issue.week,), (nav, inputs))
        add("email-html", Urls.issue(issue.week) + "email.html", (issue.week,), inputs)
        add("email-text", Urls.issue(issue.week) + "email.txt", (issue.week,), inputs)
    for kind, groups in (("tag", site.tags), ("source", site.sources)):
        plural = kind + "s"
        add(plural, f"{plural}/", (), (nav, tuple((g.name, g.slug, len(g.briefs)) for g in groups)))
        for gi, group in enumerate(groups):
            base = f"{plural}/{group.slug}/"
            for pager, chunk in listing(base, group.briefs, per):
                add(kind, archive_path(base, pager.number), (gi, pager, tuple(b.slug for b in chunk)),
                    (nav, group.name, _place(pager), fps(chunk), len(group.briefs) if pager.front else None))
    add("actions", "actions/", (), (nav, tuple(sorted(site.action_counts.items()))))
    rows_of: dict[str, list] = {action.name: [] for action in site.config.actions}
    for b in site.briefs:
        for i, imp in enumerate(b.implications):
            if imp.action in rows_of:
                rows_of[imp.action].append((b.slug, i))
    for action in site.config.actions:
        rows = rows_of[action.name]
        base = Urls.action(action.name)
        for pager, chunk in listing(base, rows, per):
            add("action", archive_path(base, pager.number), (action.name, pager, tuple(chunk)),
                (nav, _place(pager), tuple((fp[s], i) for s, i in chunk), len(rows) if pager.front else None))
    for page in site.pages:
        add("page", f"{page.name}/", (page.name,), (nav, text_hashes[page.src_path]))
    add("search", "search/", (), (nav,))
    add("404", "404.html", (), (nav,))
    add("atom", "feed.xml", (None,), fps(site.briefs[:FEED_SIZE]))
    add("json-feed", "feed.json", (), fps(site.briefs[:FEED_SIZE]))
    for gi, group in enumerate(site.tags):
        add("atom", Urls.tag(group.name) + "feed.xml", (gi,), (group.name, fps(group.briefs[:FEED_SIZE])))
    lastmod = {dest_for(Urls.brief(b)): (b.updated or b.published).isoformat() for b in site.briefs}
    html = sorted(f.dest for f in files if KINDS[f.kind].in_sitemap)
    entries = tuple((d, lastmod.get(d)) for d in html)
    add("sitemap", "sitemap.xml", (entries,), entries)
    add("robots", "robots.txt", (), ())
    for dest, digest in sorted(assets.items()):
        add("asset", dest, (dest,), digest)
    return Plan(files)


def by_period(files: list[PlannedFile], site) -> list[PlannedFile]:
    """`files` in order of the newest brief each shows, newest first (stable otherwise).

    Rendered in this order, the tag, source, action, issue and email pages of
    the same weeks come together, so a brief's fragments, kept decoded only for
    a while, are unpacked about once rather than once per kind of listing."""
    rank = {b.slug: i for i, b in enumerate(site.briefs)}

    def newest(f: PlannedFile) -> int:
        args = f.args
        if f.kind in ("briefs", "tag", "source") and args[-1]:
            return rank.get(args[-1][0], 0)
        if f.kind == "action" and args[-1]:
            return rank.get(args[-1][0][0], 0)
        if f.kind in ("issue", "email-html", "email-text"):
            issue = site.issue_of.get(args[0])
            return rank.get(issue.briefs[0].slug, 0) if issue and issue.briefs else 0
        return 0
    return sorted(files, key=newest)


__all__ = ["KINDS", "by_period", "RESERVED", "Plan", "PlannedFile", "PageKind", "Pager", "make_plan", "listing",
           "expected_lists", "FEED_SIZE"]
