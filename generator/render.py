"""Render: pure functions from the assembled site and templates to output files.

Every page kind has one function here. Each returns OutputFiles (a path in
the output and its bytes) and touches no disk; the write stage does that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from generator.assemble import Group, Issue, Site
from generator.fragments import BriefView, make_view
from generator.markdown import first_sentence, html_to_text, render_block
from generator.model import Week
from generator.urls import Urls, dest_for


@dataclass(frozen=True)
class OutputFile:
    dest_path: str  # relative to the output folder, POSIX style
    data: bytes


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
    """Holds the templates and the per-brief views; methods render page kinds."""

    def __init__(self, site: Site, env: jinja2.Environment):
        self.site = site
        self.env = env
        self.config = site.config
        self.urls = Urls(site.config.base_path, site.config.base_url)
        self.views: dict[str, BriefView] = {}
        # build-wide names are globals, so macros imported without context are compiled once
        env.globals.update(self._common())
        card = env.get_template("_card.html")
        entry = env.get_template("_entry.html")
        for brief in site.briefs:
            view = make_view(brief, self.config, self.urls)
            view.card = Markup(card.render(b=view))
            view.entry = Markup(entry.render(b=view))
            self.views[brief.slug] = view

    # -- helpers ---------------------------------------------------------------
    def _common(self) -> dict:
        return {
            "site": self.config,
            "link": self.urls.link,
            "absolute": self.urls.absolute,
            "urls": Urls,
            "nav_pages": self.site.pages,
        }

    def page(self, template: str, path: str, **context) -> OutputFile:
        ctx = dict(context)
        ctx.setdefault("canonical", self.urls.absolute(path))
        ctx.setdefault("page_path", path)
        html = self.env.get_template(template).render(ctx)
        return OutputFile(dest_for(path), html.encode("utf-8"))

    def view(self, brief) -> BriefView:
        return self.views[brief.slug]

    def paginate(self, items: list, base: str):
        per = self.config.per_page
        count = max(1, math.ceil(len(items) / per))
        for n in range(1, count + 1):
            yield Pager(n, count, base), items[(n - 1) * per : n * per]

    def issue_view(self, issue: Issue) -> dict:
        editorial_html = Markup(render_block(issue.editorial.body, self.urls.base_path)) if issue.editorial else None
        return {
            "issue": issue,
            "week": issue.week,
            "url": self.urls.link(Urls.issue(issue.week)),
            "editorial_html": editorial_html,
            "teaser": first_sentence(html_to_text(editorial_html)) if editorial_html else "",
            "count": len(issue.briefs),
        }

    # -- page kinds -----------------------------------------------------------
    def render_all(self) -> list[OutputFile]:
        out: list[OutputFile] = []
        out += self.home()
        out += self.brief_pages()
        out += self.catalogue()
        out += self.issue_pages()
        out += self.group_pages("tag", self.site.tags)
        out += self.group_pages("source", self.site.sources)
        out += self.action_pages()
        out += self.plain_pages()
        out.append(self.page("search.html", "search/", title="Search"))
        out.append(self.page("404.html", "404.html", title="Page not found", canonical=None))
        return out

    def home(self) -> list[OutputFile]:
        latest = self.site.latest_issue
        latest_slugs = {b.slug for b in latest.briefs} if latest else set()
        recent = [self.view(b) for b in self.site.briefs if b.slug not in latest_slugs][: self.config.per_page]
        return [self.page(
            "home.html", "",
            title=self.config.title,
            latest=self.issue_view(latest) if latest else None,
            latest_briefs=[self.view(b) for b in latest.briefs] if latest else [],
            recent=recent,
            issue_count=len(self.site.issues),
        )]

    def brief_pages(self) -> list[OutputFile]:
        out = []
        for brief in self.site.briefs:
            older, newer = self.site.neighbours[brief.slug]
            issue = self.site.issue_of[brief.week]
            out.append(self.page(
                "brief.html", Urls.brief(brief),
                title=brief.title,
                b=self.view(brief),
                older=self.view(older) if older else None,
                newer=self.view(newer) if newer else None,
                issue=self.issue_view(issue),
            ))
        return out

    def catalogue(self) -> list[OutputFile]:
        out = []
        for pager, chunk in self.paginate(self.site.briefs, "briefs/"):
            weeks: list[tuple[Week, list[BriefView]]] = []
            for b in chunk:
                monday_week = b.week
                if not weeks or weeks[-1][0] != monday_week:
                    weeks.append((monday_week, []))
                weeks[-1][1].append(self.view(b))
            title = "All briefs" if pager.number == 1 else f"All briefs, page {pager.number}"
            out.append(self.page("briefs.html", pager.url(pager.number), title=title, weeks=weeks,
                                 pager=pager, total=len(self.site.briefs)))
        return out

    def issue_pages(self) -> list[OutputFile]:
        out = [self.page("issues.html", "issues/", title="Weekly digests",
                         issues=[self.issue_view(i) for i in self.site.issues])]
        for issue in self.site.issues:
            sections = [(name, [self.view(b) for b in briefs])
                        for name, briefs in issue.by_section(self.config.sections)]
            out.append(self.page(
                "issue.html", Urls.issue(issue.week),
                title=f"Weekly AI Digest: {issue.week.monday.day} {issue.week.monday.strftime('%B')} {issue.week.monday.year}",
                sections=sections,
                older=self.issue_view(issue.previous) if issue.previous else None,
                newer=self.issue_view(issue.next) if issue.next else None,
                **self.issue_view(issue),
            ))
        return out

    def group_pages(self, kind: str, groups: list[Group]) -> list[OutputFile]:
        plural = kind + "s"
        out = [self.page(f"{plural}.html", f"{plural}/", title="Tags" if kind == "tag" else "Sources", groups=groups)]
        for group in groups:
            base = f"{plural}/{group.slug}/"
            for pager, chunk in self.paginate(group.briefs, base):
                title = group.name if pager.number == 1 else f"{group.name}, page {pager.number}"
                out.append(self.page(f"{kind}.html", pager.url(pager.number), title=title, group=group,
                                     briefs=[self.view(b) for b in chunk], pager=pager))
        return out

    def action_pages(self) -> list[OutputFile]:
        out = [self.page("actions.html", "actions/", title="Action labels",
                         actions=self.config.actions, counts=self.site.action_counts)]
        for action in self.config.actions:
            rows = [(self.view(b), imp) for b in self.site.briefs
                    for imp in self.view(b).implications if imp.action == action.name]
            base = Urls.action(action.name)
            for pager, chunk in self.paginate(rows, base):
                title = action.name if pager.number == 1 else f"{action.name}, page {pager.number}"
                out.append(self.page("action.html", pager.url(pager.number), title=title, action=action,
                                     rows=chunk, pager=pager, total=len(rows)))
        return out

    def plain_pages(self) -> list[OutputFile]:
        return [self.page("page.html", f"{p.name}/", title=p.title, p=p,
                          body_html=Markup(render_block(p.body, self.urls.base_path)))
                for p in self.site.pages]
