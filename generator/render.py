"""Render: pure functions from the assembled site and templates to output files.

Every page kind of generator.plan.KINDS has one method here; `render(planned)`
returns the bytes of one planned file and touches no disk (produce.py writes).
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from generator.assemble import Group, Issue, Site
from generator.fragments import BriefView, Fragments, pack, render_fragments, unpack
from generator.markdown import first_sentence, html_to_text, render_block
from generator.model import Week
from generator.slugs import slugify
from generator.templates import compile_ahead
from generator.urls import Urls


RECENT_FRAGMENTS = 2500  # briefs' fragments kept decoded in memory at once (a few pages' worth of every listing)


@dataclass(frozen=True)
class OutputFile:
    """One file of the output: where it goes and its bytes."""

    dest_path: str  # relative to the output folder, POSIX style
    data: bytes


class FragmentStore:
    """Each brief's fragments, by fingerprint: decoded in memory, packed (fragments.pack), packed
    in the cache (`lookup` gives its bytes, or None), or rendered now.

    Keeps at most RECENT_FRAGMENTS decoded (a few pages' worth of every
    listing). `made` collects the ones rendered here, packed, for the cache
    and for the processes that render the listings; `packed` holds those made
    by other processes. One let go of and asked for again is unpacked, never
    rendered twice.
    """

    def __init__(self, lookup=None):
        self.lookup = lookup
        self.held: OrderedDict = OrderedDict()
        self.made: dict[str, bytes] = {}
        self.packed: dict[str, bytes] = {}

    def add(self, packed: dict[str, bytes]) -> None:
        self.packed.update(packed)

    def fragments_made(self) -> dict[str, bytes]:
        """Every brief's fragments rendered so far in this build, packed: here, or in workers that
        have handed theirs over."""
        return {**self.packed, **self.made}

    def get(self, view: "BriefView", make) -> Fragments:
        held = self.held
        fingerprint = view.fingerprint
        frag = held.get(fingerprint)
        if frag is not None:
            held.move_to_end(fingerprint)
            return frag
        data = self.made.get(fingerprint) or self.packed.get(fingerprint)
        if data is not None:
            frag = unpack(data)
        elif self.lookup:
            frag = self._cached(fingerprint)
        if frag is None:
            frag = make(view)
            self.made[fingerprint] = pack(frag)
        held[fingerprint] = frag
        if len(held) > RECENT_FRAGMENTS:
            held.popitem(last=False)
        return frag

    def _cached(self, fingerprint: str) -> Fragments | None:
        data = self.lookup(fingerprint)
        if data is None:
            return None
        try:
            return unpack(data)
        except Exception:  # noqa: BLE001 - a damaged cache entry is a miss: the brief is rendered again
            return None


class Labels(dict):
    """action -> its badge, from the theme's `label(action)` macro, made once per build:
    `labels[a]` in a template is `label(a)` without a macro call per brief."""

    def __init__(self, label):
        super().__init__()
        self.label = label

    def __missing__(self, action: str) -> Markup:
        badge = self[action] = Markup(self.label(action))
        return badge


class _Views(dict):
    """slug -> BriefView, each made on first use."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, slug: str) -> BriefView:
        view = self[slug] = self._make(slug)
        return view


class Renderer:
    """Holds the templates and the per-brief views; `render(planned)` gives a planned file's bytes."""

    PARTS = ("_card.html", "_entry.html")  # a brief in listings, and in issue pages and feeds: loaded at once

    def __init__(self, site: Site, env: jinja2.Environment, *, fingerprints: dict[str, str] | None = None,
                 store: FragmentStore | None = None, assets: dict[str, bytes] | None = None):
        self.site = site
        self.env = env
        self.config = site.config
        self.urls = Urls(site.config.base_path, site.config.base_url)
        self.fingerprints = fingerprints if fingerprints is not None else {b.slug: b.slug for b in site.briefs}
        self.store = store or FragmentStore()
        self.assets = assets or {}
        env.globals.update(self._common())  # build-wide names: macros imported without context compile once
        env.globals["labels"] = Labels(lambda action: self._macros().label(action))
        self._macros_module = None
        self._card, self._entry = (env.get_template(name) for name in self.PARTS)
        self.views = _Views(self._view)  # made when first asked for: a small rebuild needs few
        self._issue_views: dict = {}
        self._emails: tuple = (None, None)
        self._email_shared = None

    # -- helpers ---------------------------------------------------------------
    def _view(self, slug: str) -> BriefView:
        return self.make_view(self.site.by_slug[slug])

    def make_view(self, b) -> BriefView:
        """What templates see of a brief: its fields, links and rendered fragments."""
        return BriefView(b, self.urls.link(Urls.brief(b)), self.fingerprints[b.slug], self._load_fragments,
                         f"sources/{self.site.source_slug.get(b.slug) or slugify(b.source.name)}/", self._meta_line)

    def _meta_line(self, view: BriefView):
        return self._macros().meta_line(view)

    def _macros(self):
        """The theme's _macros.html as a module, made when a page first needs it (so an error
        in it is reported as a template error at its line)."""
        if self._macros_module is None:
            self._macros_module = self.env.get_template("_macros.html").module
        return self._macros_module

    def _common(self) -> dict:
        return {
            "site": self.config,
            "link": self.urls.link,
            "absolute": self.urls.absolute,
            "urls": Urls,
            "nav_pages": self.site.pages,
        }

    def make_fragments(self, view: BriefView) -> Fragments:
        frag = render_fragments(view, self.config, self.urls, self._card, self._entry)
        view._fragments = None
        return frag

    def _load_fragments(self, view: BriefView) -> Fragments:
        return self.store.get(view, self.make_fragments)

    def prepare(self, templates) -> None:
        """Load these templates, and every template they extend, include or import, before any
        page asks for them. The build's parent process does this for the listings' templates while
        its workers render the brief pages, so the workers it forks for the listings find them
        made, rather than each compiling them again. A template that does not compile is left
        for the page that uses it to report, at its line. The modules the listings load on first
        use are imported here too: css-inline alone took each of those workers 13-20 ms."""
        for name in compile_ahead(self.env, templates):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                continue
        for module in ("css_inline", "generator.email", "generator.feeds"):  # css-inline for email.make_inliner
            importlib.import_module(module)

    def render(self, f) -> bytes:
        """The bytes of one planned file (generator.plan.PlannedFile)."""
        return getattr(self, "_" + f.kind.replace("-", "_"))(f.dest, *f.args)

    def page(self, template: str, dest: str, **context) -> bytes:
        path = dest[: -len("index.html")] if dest.endswith("index.html") else dest
        context.setdefault("canonical", self.urls.absolute(path))
        context.setdefault("page_path", path)
        return self.env.get_template(template).render(context).encode("utf-8")

    def view(self, brief) -> BriefView:
        return self.views[brief.slug]

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

    # -- page kinds: one method per kind in generator.plan.KINDS ------------------
    def _home(self, dest):
        latest = self.site.latest_issue
        latest_slugs = {b.slug for b in latest.briefs} if latest else set()
        recent = [self.view(b) for b in self.site.briefs if b.slug not in latest_slugs][: self.config.per_page]
        return self.page(
            "home.html", dest,
            title=self.config.title,
            latest=self.issue_view(latest) if latest else None,
            latest_briefs=[self.view(b) for b in latest.briefs] if latest else [],
            recent=recent,
            issue_count=len(self.site.issues),
        )

    def _brief(self, dest, slug):
        view = self.views[slug]
        brief = view.brief
        older, newer = self.site.neighbours[slug]
        issue = self.site.issue_of[brief.week]
        return self.page(
            "brief.html", dest,
            title=brief.title,
            b=view,
            older=self.view(older) if older else None,
            newer=self.view(newer) if newer else None,
            issue={"week": issue.week, "url": self.urls.link(Urls.issue(issue.week))},
        )

    def _briefs(self, dest, pager, slugs):
        weeks: list[tuple[Week, list[BriefView]]] = []
        for slug in slugs:
            b = self.views[slug]
            if not weeks or weeks[-1][0] != b.brief.week:
                weeks.append((b.brief.week, []))
            weeks[-1][1].append(b)
        title = "All briefs" if pager.front else f"All briefs, page {pager.number}"
        return self.page("briefs.html", dest, title=title, weeks=weeks, pager=pager,
                         total=len(self.site.briefs) if pager.front else None)

    def _issues(self, dest):
        return self.page("issues.html", dest, title="Weekly digests",
                         issues=[self.issue_view(i) for i in self.site.issues])

    def _issue(self, dest, week):
        issue = self.site.issue_of[week]
        sections = [(name, [self.view(b) for b in briefs]) for name, briefs in issue.by_section(self.config.sections)]
        return self.page(
            "issue.html", dest,
            title=f"Weekly AI Digest: {week.monday.day} {week.monday.strftime('%B')} {week.monday.year}",
            sections=sections,
            older=self.issue_view(issue.previous) if issue.previous else None,
            newer=self.issue_view(issue.next) if issue.next else None,
            **self.issue_view(issue),
        )

    def _groups_index(self, dest, kind: str, groups: list[Group]):
        return self.page(f"{kind}s.html", dest, title="Tags" if kind == "tag" else "Sources", groups=groups)

    def _tags(self, dest):
        return self._groups_index(dest, "tag", self.site.tags)

    def _sources(self, dest):
        return self._groups_index(dest, "source", self.site.sources)

    def _group(self, dest, kind: str, group: Group, pager, slugs):
        title = group.name if pager.front else f"{group.name}, page {pager.number}"
        return self.page(f"{kind}.html", dest, title=title, group=group,
                         briefs=[self.views[s] for s in slugs], pager=pager)

    def _tag(self, dest, index, pager, slugs):
        return self._group(dest, "tag", self.site.tags[index], pager, slugs)

    def _source(self, dest, index, pager, slugs):
        return self._group(dest, "source", self.site.sources[index], pager, slugs)

    def _actions(self, dest):
        return self.page("actions.html", dest, title="Action labels",
                         actions=self.config.actions, counts=self.site.action_counts)

    def _action(self, dest, name, pager, rows):
        action = next(a for a in self.config.actions if a.name == name)
        title = name if pager.front else f"{name}, page {pager.number}"
        total = self.site.action_counts.get(name, 0) if pager.front else None
        # (brief, index of the implication): the model says which, the fragments say how
        return self.page("action.html", dest, title=title, action=action,
                         rows=[(self.views[s], i) for s, i in rows], pager=pager, total=total)

    def _page(self, dest, name):
        p = next(p for p in self.site.pages if p.name == name)
        return self.page("page.html", dest, title=p.title, p=p,
                         body_html=Markup(render_block(p.body, self.urls.base_path, heading_shift=0)))

    def _search(self, dest):
        return self.page("search.html", dest, title="Search")

    def _404(self, dest):
        return self.page("404.html", dest, title="Page not found", canonical=None)

    def _atom(self, dest, tag_index):
        from generator.feeds import atom_feed

        if tag_index is None:
            return atom_feed(self, dest, self.site.briefs, self.config.title, "")
        group = self.site.tags[tag_index]
        return atom_feed(self, dest, group.briefs, f"{self.config.title}: {group.name}", Urls.tag(group.name))

    def _json_feed(self, dest):
        from generator.feeds import json_feed

        return json_feed(self)

    def _email_context(self, week):
        from generator.email import email_context

        if self._emails[0] != week:  # email.html and email.txt of one issue share it
            self._emails = (week, email_context(self, self.site.issue_of[week], self._email_kit()))
        return self._emails[1]

    def _email_html(self, dest, week):
        html = self.env.get_template("email.html").render(self._email_context(week))
        return self._email_kit().inline(html).encode("utf-8")

    def _email_kit(self):
        """What every edition this renderer writes shares: the inliner of layouts/email/email.css,
        and which brief templates are the theme's own (generator.email.EmailKit)."""
        if self._email_shared is None:
            from generator.email import EmailKit

            self._email_shared = EmailKit(self.env)
        return self._email_shared

    def _email_text(self, dest, week):
        from generator.email import finish_text

        return finish_text(self.env.get_template("email.txt").render(self._email_context(week))).encode("utf-8")

    def _sitemap(self, dest, entries):
        from generator.feeds import sitemap

        return sitemap(self, entries)

    def _robots(self, dest):
        from generator.feeds import robots

        return robots(self)

    def _asset(self, dest, name):
        return self.assets[name]
