"""Render: pure functions from the assembled site and templates to output files.

Every page kind has one function here. Each returns OutputFiles (a path in
the output and its bytes) and touches no disk; the write stage does that.
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from generator.assemble import Group, Issue, Site
from generator.fragments import BriefView, Fragments, render_fragments
from generator.markdown import first_sentence, html_to_text, render_block
from generator.memo import Signer
from generator.model import Week
from generator.slugs import slugify
from generator.urls import Urls, dest_for


RECENT_FRAGMENTS = 1500  # briefs' fragments kept in memory at once (a few pages' worth of every listing)


@dataclass(frozen=True)
class OutputFile:
    """One file of the output: its bytes, or (when unchanged) the previous build's copy to link."""

    dest_path: str  # relative to the output folder, POSIX style
    data: bytes | None
    signature: str = ""  # hash of everything it was rendered from ("" for files that are always written)
    reuse: str | None = None  # path of an identical file in the previous output
    sha256: str = ""  # of the reused file, as recorded when it was written


@dataclass
class Pager:
    number: int
    count: int
    base: str  # the listing's first page path, e.g. "tags/llms/"

    def url(self, number: int) -> str:
        return Urls.paged(self.base, number)

    @property
    def previous(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None


class Renderer:
    """Holds the templates and the per-brief views; methods render page kinds.

    `previous` maps output paths to what the previous build wrote (see
    generator.cache); a page whose signature matches, and whose file in
    `previous_dir` is untouched, is reused instead of rendered.
    """

    def __init__(self, site: Site, env: jinja2.Environment, *, fingerprints: dict[str, str] | None = None,
                 fragment_source=None, previous: dict | None = None, previous_dir=None, build_key: str = ""):
        self.site = site
        self.env = env
        self.config = site.config
        self.urls = Urls(site.config.base_path, site.config.base_url)
        self.fingerprints = fingerprints if fingerprints is not None else {b.slug: b.slug for b in site.briefs}
        self.fragment_source = fragment_source  # fingerprint -> Fragments | None (e.g. the cache)
        self.new_fragments: dict = {}  # rendered in this build, for the cache
        self.previous = previous or {}
        self.previous_dir = previous_dir
        self.signer = Signer(self.fingerprints)
        self.nav_signature = self.signer.sign([build_key, self.site.pages])
        self.rendered = 0
        self.reused = 0
        self.jobs, self.job = 1, 0  # set by a worker process: it renders every jobs-th file, from job
        self._turn = 0
        # build-wide names are globals, so macros imported without context are compiled once
        env.globals.update(self._common())
        self._card = env.get_template("_card.html")
        self._entry = env.get_template("_entry.html")
        self.views: dict[str, BriefView] = {
            b.slug: BriefView(b, self.urls.link(Urls.brief(b)), self.fingerprints[b.slug], self._load_fragments,
                              f"sources/{site.source_slug.get(b.slug) or slugify(b.source.name)}/")
            for b in site.briefs
        }
        self._issue_views: dict = {}
        self._recent: OrderedDict = OrderedDict()  # fingerprint -> Fragments, the most recently used

    # -- helpers ---------------------------------------------------------------
    def _common(self) -> dict:
        return {
            "site": self.config,
            "link": self.urls.link,
            "absolute": self.urls.absolute,
            "urls": Urls,
            "nav_pages": self.site.pages,
        }

    def _load_fragments(self, view: BriefView) -> Fragments:
        recent = self._recent
        frag = recent.get(view.fingerprint)
        if frag is not None:
            recent.move_to_end(view.fingerprint)
            return frag
        frag = self.fragment_source(view.fingerprint) if self.fragment_source else None
        if frag is None:
            frag = render_fragments(view, self.config, self.urls, self._card, self._entry)
            view._fragments = None
            self.new_fragments[view.fingerprint] = frag
        recent[view.fingerprint] = frag
        if len(recent) > RECENT_FRAGMENTS:
            recent.popitem(last=False)
        return frag

    def page(self, template: str, path: str, *, inputs=None, **context) -> OutputFile | None:
        """Render `template` to `path`. The page is signed by its whole context, or by `inputs`
        when the caller can name a smaller set of values that the context is made from."""
        ctx = dict(context)
        ctx.setdefault("canonical", self.urls.absolute(path))
        ctx.setdefault("page_path", path)
        return self.emit_file(dest_for(path), [template, ctx if inputs is None else inputs],
                              lambda: self.env.get_template(template).render(ctx).encode("utf-8"))

    def emit_file(self, dest: str, inputs, produce, *, shared: bool = False) -> OutputFile | None:
        """A file whose bytes come from produce() and depend only on `inputs` (and the build key).

        Returns None when another worker renders this file (`shared` files are
        always this process's). A file whose inputs are unchanged since the
        previous build comes back as a link to its previous copy.
        """
        if not shared:
            turn = self._turn
            self._turn += 1
            if turn % self.jobs != self.job:
                return None
        signature = self.signer.sign([self.nav_signature, dest, inputs])
        record = self._reusable(dest, signature)
        if record is not None:
            self.reused += 1
            return OutputFile(dest, None, signature, os.path.join(self.previous_dir, dest), record.sha256)
        self.rendered += 1
        return OutputFile(dest, produce(), signature)

    def _reusable(self, dest: str, signature: str):
        record = self.previous.get(dest)
        if record is None or record.signature != signature or self.previous_dir is None or not record.sha256:
            return None
        try:
            st = os.stat(os.path.join(self.previous_dir, dest))
        except OSError:
            return None
        if st.st_size != record.size or st.st_mtime_ns != record.mtime_ns:
            return None  # changed by hand since: render it again
        return record

    def view(self, brief) -> BriefView:
        return self.views[brief.slug]

    def paginate(self, items: list, base: str):
        per = self.config.per_page
        count = max(1, math.ceil(len(items) / per))
        for n in range(1, count + 1):
            yield Pager(n, count, base), items[(n - 1) * per : n * per]

    def issue_view(self, issue: Issue) -> dict:
        cached = self._issue_views.get(issue.week)
        if cached is None:
            cached = self._issue_views[issue.week] = self._make_issue_view(issue)
        return cached

    def _make_issue_view(self, issue: Issue) -> dict:
        editorial_html = (Markup(render_block(issue.editorial.body, self.urls.base_path, heading_shift=1))
                          if issue.editorial else None)
        return {
            "issue": issue,
            "week": issue.week,
            "url": self.urls.link(Urls.issue(issue.week)),
            "editorial_html": editorial_html,
            "teaser": first_sentence(html_to_text(editorial_html)) if editorial_html else "",
            "count": len(issue.briefs),
        }

    # -- page kinds -----------------------------------------------------------
    def render_all(self):
        """Every HTML page, one at a time (so each can be written and dropped)."""
        yield from self.home()
        yield from self.brief_pages()
        yield from self.catalogue()
        yield from self.issue_pages()
        yield from self.group_pages("tag", self.site.tags)
        yield from self.group_pages("source", self.site.sources)
        yield from self.action_pages()
        yield from self.plain_pages()
        yield self.page("search.html", "search/", title="Search")
        yield self.page("404.html", "404.html", title="Page not found", canonical=None)

    def home(self):
        latest = self.site.latest_issue
        latest_slugs = {b.slug for b in latest.briefs} if latest else set()
        recent = [self.view(b) for b in self.site.briefs if b.slug not in latest_slugs][: self.config.per_page]
        yield self.page(
            "home.html", "",
            title=self.config.title,
            latest=self.issue_view(latest) if latest else None,
            latest_briefs=[self.view(b) for b in latest.briefs] if latest else [],
            recent=recent,
            issue_count=len(self.site.issues),
        )

    def brief_pages(self):
        for brief in self.site.briefs:
            older, newer = self.site.neighbours[brief.slug]
            issue = self.site.issue_of[brief.week]
            fp = self.fingerprints
            yield self.page(
                "brief.html", Urls.brief(brief),
                # everything below follows from these: the brief, its neighbours and its week
                inputs=("brief", fp[brief.slug], older and fp[older.slug], newer and fp[newer.slug], brief.week),
                title=brief.title,
                b=self.view(brief),
                older=self.view(older) if older else None,
                newer=self.view(newer) if newer else None,
                issue={"week": issue.week, "url": self.urls.link(Urls.issue(issue.week))},
            )

    def catalogue(self):
        for pager, chunk in self.paginate(self.site.briefs, "briefs/"):
            weeks: list[tuple[Week, list[BriefView]]] = []
            for b in chunk:
                if not weeks or weeks[-1][0] != b.week:
                    weeks.append((b.week, []))
                weeks[-1][1].append(self.view(b))
            title = "All briefs" if pager.number == 1 else f"All briefs, page {pager.number}"
            yield self.page("briefs.html", pager.url(pager.number), title=title, weeks=weeks,
                            pager=pager, total=len(self.site.briefs))

    def issue_pages(self):
        yield self.page("issues.html", "issues/", title="Weekly digests",
                        issues=[self.issue_view(i) for i in self.site.issues])
        for issue in self.site.issues:
            sections = [(name, [self.view(b) for b in briefs])
                        for name, briefs in issue.by_section(self.config.sections)]
            yield self.page(
                "issue.html", Urls.issue(issue.week),
                title=f"Weekly AI Digest: {issue.week.monday.day} {issue.week.monday.strftime('%B')} {issue.week.monday.year}",
                sections=sections,
                older=self.issue_view(issue.previous) if issue.previous else None,
                newer=self.issue_view(issue.next) if issue.next else None,
                **self.issue_view(issue),
            )

    def group_pages(self, kind: str, groups: list[Group]):
        plural = kind + "s"
        yield self.page(f"{plural}.html", f"{plural}/", title="Tags" if kind == "tag" else "Sources", groups=groups)
        for group in groups:
            base = f"{plural}/{group.slug}/"
            for pager, chunk in self.paginate(group.briefs, base):
                title = group.name if pager.number == 1 else f"{group.name}, page {pager.number}"
                yield self.page(f"{kind}.html", pager.url(pager.number), title=title, group=group,
                                briefs=[self.view(b) for b in chunk], pager=pager)

    def action_pages(self):
        yield self.page("actions.html", "actions/", title="Action labels",
                        actions=self.config.actions, counts=self.site.action_counts)
        for action in self.config.actions:
            # (brief, index of the implication): the model says which, the fragments say how
            rows = [(self.view(b), i) for b in self.site.briefs
                    for i, imp in enumerate(b.implications) if imp.action == action.name]
            base = Urls.action(action.name)
            for pager, chunk in self.paginate(rows, base):
                title = action.name if pager.number == 1 else f"{action.name}, page {pager.number}"
                yield self.page("action.html", pager.url(pager.number), title=title, action=action,
                                rows=chunk, pager=pager, total=len(rows))

    def plain_pages(self):
        for p in self.site.pages:
            yield self.page("page.html", f"{p.name}/", title=p.title, p=p,
                            body_html=Markup(render_block(p.body, self.urls.base_path, heading_shift=0)))
