"""Fragments: each brief's Markdown rendered to HTML once, reused by every page.

A BriefView is what templates see of a brief: the model plus its HTML pieces
and plain-text forms (for the citation block and feeds). The card (for
listings) and the entry (for issue pages) are rendered here, once per brief,
and pasted into each listing as safe Markup.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, fields
from operator import attrgetter

import lz4.block
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


@dataclass(frozen=True)
class Fragments:
    """The HTML of one brief, rendered once and cached by the brief's fingerprint."""

    key_points: list[Markup]
    implications: list[ImplicationView]
    summary_html: Markup
    summary_text: str
    citation: str
    card: Markup  # the brief in a listing (_card.html)
    entry: Markup  # the brief in an issue page or feed (_entry.html)


class BriefView:
    """What templates see of a brief: its fields, its URL, and its fragments (made on first use)."""

    __slots__ = ("brief", "url", "source_path", "fingerprint", "_loader", "_fragments", "_meta_line", "_meta")

    def __init__(self, brief: Brief, url: str, fingerprint: str, loader, source_path: str = "", meta_line=None):
        self.brief = brief
        self.url = url
        self.source_path = source_path  # its source's page ("sources/dta-media-releases/"), aliases merged
        self.fingerprint = fingerprint
        self._loader = loader
        self._fragments: Fragments | None = None
        self._meta_line = meta_line  # the theme's meta_line macro
        self._meta: Markup | None = None

    @property
    def meta(self) -> Markup:
        """The brief's meta line (the theme's `meta_line(b)` macro), made once: its page, card
        and entry all show it."""
        if self._meta is None:
            self._meta = Markup(self._meta_line(self))
        return self._meta

    @property
    def fragments(self) -> Fragments:
        """Set while the brief is being rendered; otherwise asked of the loader each time,
        which keeps only recently used fragments, so memory does not grow with the site."""
        if self._fragments is not None:
            return self._fragments
        return self._loader(self)

    key_points = property(lambda self: self.fragments.key_points)
    implications = property(lambda self: self.fragments.implications)
    summary_html = property(lambda self: self.fragments.summary_html)
    summary_text = property(lambda self: self.fragments.summary_text)
    citation = property(lambda self: self.fragments.citation)
    card = property(lambda self: self.fragments.card)
    entry = property(lambda self: self.fragments.entry)

    def __getattr__(self, name):  # anything else of the brief, read straight through
        return getattr(self.brief, name)

    @property
    def actions(self) -> list[str]:
        """Distinct action labels of this brief, in order of first use (no HTML needed)."""
        seen: list[str] = []
        for imp in self.brief.implications:
            if imp.action not in seen:
                seen.append(imp.action)
        return seen


def _read_through(view_class, model_class) -> None:
    """Each field and property of `model_class` that `view_class` does not define, as a property
    of `view_class` reading it from `.brief`: templates read brief fields straight through
    (view.title). The property's getter is an attrgetter, which runs in C: a lookup costs about
    0.16 us, against 1 us through __getattr__, which Python calls only after the failed lookup
    has raised AttributeError. A brief page makes 32 such lookups, an email edition over 100."""
    names = [f.name for f in fields(model_class)]
    names += [n for n, v in vars(model_class).items() if isinstance(v, property) and not n.startswith("_")]
    for name in names:
        if not hasattr(view_class, name):
            setattr(view_class, name, property(attrgetter(f"brief.{name}"), doc=f"The brief's {name}."))


_read_through(BriefView, Brief)


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


def render_fragments(view: BriefView, config: SiteConfig, urls: Urls, card_template, entry_template) -> Fragments:
    """All Markdown of a brief to HTML, plus its card and entry. The expensive part of a brief."""
    brief = view.brief
    base = urls.base_path
    key_points = [Markup(render_inline(k, base)) for k in brief.key_points]
    implications = []
    for imp in brief.implications:
        html = render_inline(imp.text, base)
        implications.append(ImplicationView(imp.action, slugify(imp.action), Markup(html), html_to_text(html)))
    summary_html = render_block(brief.body, base)
    summary_text = html_to_text(summary_html)
    partial = Fragments(key_points, implications, Markup(summary_html), summary_text,
                        citation_text(brief, summary_text, implications, config), Markup(""), Markup(""))
    view._fragments = partial  # the card and entry templates read the pieces above
    full = Fragments(*(getattr(partial, f) for f in ("key_points", "implications", "summary_html", "summary_text", "citation")),
                     Markup(card_template.render(b=view)), Markup(entry_template.render(b=view)))
    view._fragments = full
    return full


def pack(fragments: Fragments) -> bytes:
    """A brief's fragments as compact bytes, as the build cache keeps them and worker processes
    hand them over: their strings, marshalled (12.5 KB) and LZ4-compressed (3.2 KB).

    marshal rather than pickle: the pieces are strings in lists and tuples, which marshal
    writes and reads without pickle's per-object machinery (Markup's constructor, the
    dataclasses' state): per brief of a 1,000-brief corpus, 28 us to pack against 56, and 16
    us to unpack against 36. LZ4 rather than zlib: zlib at its fastest level spent 111 us on
    the compression alone, LZ4 12 us. Every brief is packed once and unpacked once or twice
    in a cold build."""
    f = fragments
    return lz4.block.compress(marshal.dumps((
        [str(k) for k in f.key_points],
        [(str(i.action), str(i.action_slug), str(i.html), str(i.text)) for i in f.implications],
        str(f.summary_html), str(f.summary_text), str(f.citation), str(f.card), str(f.entry))))


_markup = str.__new__  # _markup(Markup, s) is Markup(s) for a plain string s, without Markup's Python-level __new__


def unpack(data: bytes) -> Fragments:
    """The Fragments that pack() turned into `data`, equal to the original."""
    key_points, implications, summary_html, summary_text, citation, card, entry = marshal.loads(
        lz4.block.decompress(data))
    return Fragments([_markup(Markup, k) for k in key_points],
                     [ImplicationView(a, slug, _markup(Markup, h), text) for a, slug, h, text in implications],
                     _markup(Markup, summary_html), summary_text, citation, _markup(Markup, card), _markup(Markup, entry))


__all__ = ["BriefView", "Fragments", "ImplicationView", "render_fragments", "citation_text", "pack", "unpack",
           "DISCLAIMER"]
