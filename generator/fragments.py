"""Fragments: each brief's Markdown rendered to HTML once, reused by every page.

A BriefView is what templates see of a brief: the model plus its HTML pieces
and plain-text forms (for the citation block and feeds). The card (for
listings) and the entry (for issue pages) are rendered here, once per brief,
and pasted into each listing as safe Markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator import DISCLAIMER
from generator.config import SiteConfig
from generator.dates import long_date
from generator.markdown import html_to_text, render_block, render_inline
from generator.model import Brief
from generator.slugs import slugify
from generator.urls import Urls


@dataclass(frozen=True)
class ImplicationView:
    action: str
    action_slug: str
    html: Markup
    text: str


@dataclass
class BriefView:
    brief: Brief
    url: str  # link under the base path
    key_points: list[Markup]
    implications: list[ImplicationView]
    summary_html: Markup
    summary_text: str
    citation: str
    card: Markup = Markup("")
    entry: Markup = Markup("")

    def __getattr__(self, name):  # templates read brief fields straight through: view.title
        return getattr(self.brief, name)

    @property
    def actions(self) -> list[str]:
        """Distinct action labels of this brief, in order of first use."""
        seen: list[str] = []
        for imp in self.implications:
            if imp.action not in seen:
                seen.append(imp.action)
        return seen


def citation_text(brief: Brief, summary_text: str, implications: list[ImplicationView], config: SiteConfig) -> str:
    """The plain-text citation, in the reference service's order.

    The retrieval date is the brief's own (updated, else published) date; on
    the page a script replaces it with the reader's date at copy time.
    """
    lines = [
        f"\"{brief.title}\"",
        f"Source: {brief.source.display}",
        f"Published: {long_date(brief.published)}",
        f"URL: {brief.source.url}",
        summary_text,
        f"Implications for {config.audience}:",
    ]
    lines += [f"- [{imp.action}] {imp.text}" for imp in implications]
    lines.append(f"Retrieved from {config.title}, {long_date(brief.updated or brief.published)}.")
    return "\n".join(lines)


def make_view(brief: Brief, config: SiteConfig, urls: Urls) -> BriefView:
    base = urls.base_path
    key_points = [Markup(render_inline(k, base)) for k in brief.key_points]
    implications = []
    for imp in brief.implications:
        html = render_inline(imp.text, base)
        implications.append(ImplicationView(imp.action, slugify(imp.action), Markup(html), html_to_text(html)))
    summary_html = render_block(brief.body, base)
    summary_text = html_to_text(summary_html)
    return BriefView(
        brief=brief,
        url=urls.link(Urls.brief(brief)),
        key_points=key_points,
        implications=implications,
        summary_html=Markup(summary_html),
        summary_text=summary_text,
        citation=citation_text(brief, summary_text, implications, config),
    )


__all__ = ["BriefView", "ImplicationView", "make_view", "citation_text", "DISCLAIMER"]
