"""Markdown: fixture cases in tests/fixtures/markdown/cases.md, plus safety properties.

The fixture file uses markdown-it-py's format: a title line, the input
between `.` lines, the expected HTML between `.` lines. Each case runs as
its own test, named by its line number in the file, so a failure points at
the case. Titles starting with `inline:` are rendered as inline Markdown.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from generator.markdown import first_sentence, html_to_text, render_block, render_inline
from generator.urls import is_safe_href, is_site_relative
from htmlquery import parse_html

CASES = Path(__file__).parent / "fixtures" / "markdown" / "cases.md"
BASE_PATH = "/digest/"


def render_case(title: str, source: str) -> str:
    if title.startswith("inline:"):
        return render_inline(source.rstrip("\n"), BASE_PATH) + "\n"
    return render_block(source, BASE_PATH)


@pytest.mark.parametrize("line,title,source,expected", read_fixture_file(CASES),
                         ids=[f"{c[0] + 1}-{c[1][:40]}" for c in read_fixture_file(CASES)])
def test_case(line, title, source, expected):
    assert render_case(title, source) == expected, f"{CASES.name}:{line + 1}: {title}"


def test_the_fixture_file_has_the_cases_that_matter():
    titles = [c[1] for c in read_fixture_file(CASES)]
    assert len(titles) >= 30
    xss = [t for t in titles if t.startswith("xss:")]
    for scheme in ("javascript", "data", "vbscript", "file", "smb", "protocol-relative", "backslash"):
        assert any(scheme in t for t in xss), scheme
    assert "table" in titles and "outside image becomes a link" in titles


# -- properties over any input ------------------------------------------------------

DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "svg", "math", "base", "link", "meta"}
PIECES = list("<>[]()!:/\\\"'=&#*_`|-ajvscriptdhmlfo \n\t.;1") + [
    "javascript:", "data:", "vbscript:", "smb:", "<script>", "](", "![", "//", "/\\", "onerror=", "&#106;", "https://x.org/"]
markdownish = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def assert_safe(html: str) -> None:
    doc = parse_html(html, strict=False)
    for node in doc.iter():
        assert node.tag not in DANGEROUS_TAGS, html
        assert not [a for a in node.attrs if a.lower().startswith("on")], html
        for attr in ("href", "src"):
            if node.get(attr) is not None:
                assert is_safe_href(node.get(attr)), html
        if node.tag == "img":
            assert is_site_relative(node.get("src", "")), html  # never a request to another origin


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_any_block_markdown_renders_safe_html(text):
    assert_safe(render_block(text, BASE_PATH))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_inline_markdown_renders_safe_html(text):
    assert_safe(render_inline(text, BASE_PATH))


# -- plain text helpers (citations, teasers) -----------------------------------------

def test_html_to_text_unescapes_and_collapses_space():
    assert html_to_text("<p>Fish &amp; chips</p>\n<p>and   more</p>") == "Fish & chips and more"


@given(st.lists(st.sampled_from(["<p>", "</p>", "<em>", "<li>", "&amp;", "&nbsp;", "a", "b c", " ", "  ", "\n", "\t",
                                 "\u00a0", "\u2009", "\u3000", "\x1c", "\x85", "\u200b", "\r\n"]), max_size=20))
def test_html_to_text_collapses_exactly_the_whitespace_a_regex_would(pieces):
    import html
    import re

    from generator import markdown

    fragment = "".join(pieces)
    stripped = html.unescape(markdown._TAGS.sub("", markdown._BLOCK.sub(" ", fragment)))
    assert html_to_text(fragment) == re.sub(r"\s+", " ", stripped).strip()


@pytest.mark.parametrize("text,first", [
    ("One thing. Another thing.", "One thing."),
    ("Version 2.0 is out. More later.", "Version 2.0 is out."),
    ("Some, e.g. this one, matter. Others do not.", "Some, e.g. this one, matter."),
    ("Is it ready? \"Yes,\" they said.", "Is it ready?"),
    ("No full stop at all", "No full stop at all"),
])
def test_first_sentence(text, first):
    assert first_sentence(text) == first


def test_first_sentence_is_cut_at_a_word_when_long():
    long = "word " * 100
    cut = first_sentence(long.strip(), limit=50)
    assert cut.endswith("…") and len(cut) <= 51 and not cut[:-1].endswith(" ")


# -- the faster plain-text scan gives the same HTML as markdown-it's own ---------------

@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES + list("~+-:^#$%@={}>|.,") + ["data-centre", "a+b", "x@y.org", "**b**",
                                                                     "_e_", "[a](/b)", "&amp;", "\\*", "`c`"]),
                max_size=40).map("".join))
def test_the_parser_gives_the_same_html_as_with_markdown_it_s_own_text_stops(text):
    from generator.markdown import make_markdown, stock_markdown

    ours, stock = make_markdown(), stock_markdown()
    env = {"base_path": BASE_PATH}
    assert ours.render(text, dict(env)) == stock.render(text, dict(env))
    assert ours.renderInline(text, dict(env)) == stock.renderInline(text, dict(env))


def test_the_faster_text_stops_are_in_use():
    from generator.markdown import INLINE_STOPS, make_markdown

    assert make_markdown().inline.terminator_re.pattern.count("\\") >= 1
    assert make_markdown().inline.terminator_re.search("data-centre cross-border a+b x@y") is None
    assert all(make_markdown().inline.terminator_re.search(c) for c in INLINE_STOPS)
