"""A brief's fragments packed (for the build cache and for the worker processes that render
listings) and unpacked are the fragments that were packed: every string, every type.

Listings paste unpacked fragments into pages unescaped when they are Markup and escaped when
they are plain strings, so a piece coming back as the wrong one of the two would change pages.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from conftest import REPO
from generator.assemble import assemble
from generator.build import check_site
from generator.fragments import Fragments, ImplicationView, pack, unpack
from generator.render import Renderer
from generator.templates import make_environment


def assert_same(a: Fragments, b: Fragments) -> None:
    assert a == b
    for field in ("summary_html", "card", "entry"):
        assert type(getattr(b, field)) is Markup
    for field in ("summary_text", "citation"):
        assert type(getattr(b, field)) is str
    assert all(type(k) is Markup for k in b.key_points)
    for imp in b.implications:
        assert type(imp) is ImplicationView and type(imp.html) is Markup
        assert type(imp.action) is str and type(imp.action_slug) is str and type(imp.text) is str


def test_every_sample_brief_comes_back_as_it_was_packed():
    checked = check_site(REPO)
    site = assemble(checked.content, checked.config)
    renderer = Renderer(site, make_environment(REPO))
    for brief in site.briefs:
        fragments = renderer.make_fragments(renderer.make_view(brief))
        assert fragments.implications and fragments.card and fragments.entry
        assert_same(fragments, unpack(pack(fragments)))


texts = st.text(st.characters(codec="utf-8"))  # anything a brief may hold, NUL and line separators too


@settings(max_examples=300, deadline=None)
@given(key_points=st.lists(texts, max_size=4), implications=st.lists(st.tuples(texts, texts, texts, texts), max_size=4),
       pieces=st.tuples(texts, texts, texts, texts, texts))
def test_any_text_comes_back_unchanged(key_points, implications, pieces):
    summary_html, summary_text, citation, card, entry = pieces
    fragments = Fragments([Markup(k) for k in key_points],
                          [ImplicationView(a, s, Markup(h), t) for a, s, h, t in implications],
                          Markup(summary_html), summary_text, citation, Markup(card), Markup(entry))
    assert_same(fragments, unpack(pack(fragments)))
