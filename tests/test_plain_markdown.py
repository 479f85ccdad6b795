"""Plain paragraphs, lists and inline items render exactly as markdown-it-py renders them.

generator.plain_markdown writes the HTML of plain Markdown itself and gives up
(None) on anything else, which then goes to markdown-it-py. Wherever it does not
give up, its HTML must be markdown-it-py's, byte for byte: on random documents built
from the pieces that matter (words, emphasis with every spacing, links to good and
bad addresses, block markers, entities, underscores, tabs), on the sample site and
on a synthetic corpus. It must also take the plain shapes briefs are made of, or
the fast path would quietly stop paying for itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from conftest import REPO
from generator import plain_markdown
from generator.markdown import make_markdown, plain_is_enough, render_block, render_inline
from generator.plain_markdown import render_plain_inline, render_plain_paragraphs
from generator.urls import is_safe_href

BASES = ["/", "/digest/"]


def markdown_it_block(text: str, base: str) -> str:
    return make_markdown().render(text, {"base_path": base, "heading_shift": 2})


def markdown_it_inline(text: str, base: str) -> str:
    return make_markdown().renderInline(text, {"base_path": base})


def assert_same_or_refused_block(text: str) -> None:
    for base in BASES:
        ours = render_plain_paragraphs(text, base)
        assert ours is None or ours == markdown_it_block(text, base), repr(text)


def assert_same_or_refused_inline(text: str) -> None:
    for base in BASES:
        ours = render_plain_inline(text, base)
        assert ours is None or ours == markdown_it_inline(text, base), repr(text)


# -- random documents from the pieces that matter ------------------------------------

# Random documents are built with a seeded random.Random that Hypothesis hands out (and
# replays on failure): they must be plain often enough to take the fast path and awkward
# often enough to test refusing, and building them with nested strategies was 50 times slower.

PLAIN_WORDS = ["word", "Data", "x9", "a", "R&D", "café", "“quoted”", "(paren)", "e.g.", "2026", "don't", '"q"',
               "a>b", "wow!", "50%", "a:b", "é", "Б", "x\u00a0y", "~x~", "-", "#tag", "1)", "3.5", "a/b", "x=y"]
BETWEEN_MARKS = ["word", "Data", "x9", "a", "R&D", "café", "2026", "don't", "a>b", "a:b", "é", "Б", "x\u00a0y", "3.5",
                 "a/b", "x=y", "ǅ", "٣", "½"]  # words that start and end with a letter or digit
AWKWARD_WORDS = ["a&amp;b", "&copy;", "&#42;", "&", "snake_case", "a|b", "\\*", "`c`", "<b>", "]", "[", "\u00a0",
                 "!", "\t", "x\u2028y", "a*b", "\x00", "\r", "\n", "\n\n", "-", "  "]
GOOD_ADDRESSES = ["https://example.org", "https://example.org/a/b", "http://x.gov.au/p?q=1#f", "/briefs/x/",
                  "/a%20b", "https://example.org:8080/x", "/x#top", "https://a-b.example/x.y_z~/", "/?q=a+b"]
BAD_ADDRESSES = ["/50%", "//host/x", "smb://host/x", "javascript:alert(1)", "mailto:a@b.org", "HTTPS://EXAMPLE.ORG",
                 "https://Example.org/", "https://xn--bcher-kva.example/", "https://bücher.example/", "a/b", "../x",
                 "/a b", "/a(b)", "/a_b*c", "https://example.org/a&amp;b", "</x>", "/x \"title\"", "/x 'title'", "",
                 "/x#a:b", "/x?a=b&c=d", "https://e.org/%zz", "/é", "/x\\y", "/digest/x"]
AWKWARD_MARKS = ["_", "__", "****", "*_", "**_"]
AWKWARD_PUNCTUATION = list(".,;:!?()\"'*_[]&<>|#\\`~-+=") + ["", " ", "  "]
AWKWARD_STARTS = ["* ", "+ ", "1. ", "2) ", "# ", "> ", "    ", " ", "\t", "-", "***", "---", "===", "[x]: /y",
                  "| a | b |", "|---|", "```", "~~~", "<div>", "-  ", "**", "*"]


class Writer:
    """Random Markdown; half the documents are tidy (awkward pieces fifty times rarer)."""

    def __init__(self, rng):
        self.rng = rng
        self.scale = 1 if rng.random() < 0.5 else 50

    def rarely(self, one_in: int) -> bool:
        return self.rng.randrange(one_in * self.scale) == 0

    def pick(self, common, rare, one_in: int):
        return self.rng.choice(rare if self.rarely(one_in) else common)

    def phrase(self) -> str:
        return " ".join(self.pick(PLAIN_WORDS, AWKWARD_WORDS, 40) for _ in range(self.rng.randint(1, 4)))

    def space(self) -> str:
        return self.pick([""], [" ", "  ", "\t"], 20)

    def emphasis(self) -> str:
        mark = self.pick(["*", "**", "***"], AWKWARD_MARKS, 8)
        close = self.pick([mark], ["*", "**", "***", ""], 8)
        inside = (" ".join(self.rng.choice(BETWEEN_MARKS) for _ in range(self.rng.randint(1, 3))) if not self.rarely(3)
                  else self.phrase() if not self.rarely(8) else self.link())
        return self.space() + mark + self.space() + inside + self.space() + close + self.space()

    def link(self) -> str:
        roll = self.rng.randrange(10)
        label = (self.phrase() if roll < 5 else self.emphasis() if roll < 8 else self.space() + self.phrase() + self.space()
                 if roll < 9 else self.rng.choice(["", "*a*", "[a]", "a]b", "`a`", "a_b", "<a>", "!", "&", "&amp;"]))
        address = self.pick(GOOD_ADDRESSES, BAD_ADDRESSES, 6)
        return self.pick([""], ["!", "("], 8) + f"[{label}]({address})" + self.rng.choice(["", ".", ")", "x"])

    def inline(self) -> str:
        pieces = []
        for n in range(self.rng.randint(1, 6)):
            roll = self.rng.randrange(10 if n else 9)  # punctuation only after the first piece
            pieces.append(self.phrase() if roll < 5 else self.emphasis() if roll < 7 else self.link() if roll < 9
                          else self.pick(list(".,;:!?"), AWKWARD_PUNCTUATION, 2))
        return " ".join(pieces)

    def line(self) -> str:
        if self.rarely(5):
            return self.rng.choice(["", "", " "])
        return self.pick(["", "", "", "- "], AWKWARD_STARTS, 10) + self.inline() + self.pick([""], [" ", "  ", "\\"], 10)

    def document(self) -> str:
        return "\n".join(self.line() for _ in range(self.rng.randint(1, 6)))


@settings(max_examples=3000, deadline=None)
@given(st.randoms(use_true_random=False))
def test_a_document_renders_as_markdown_it_renders_it_or_is_refused(rng):
    assert_same_or_refused_block(Writer(rng).document())


@settings(max_examples=3000, deadline=None)
@given(st.randoms(use_true_random=False))
def test_an_inline_item_renders_as_markdown_it_renders_it_or_is_refused(rng):
    assert_same_or_refused_inline(Writer(rng).inline())


def test_random_documents_take_the_fast_path_often_enough_to_test_it():
    import random

    rng = random.Random(7)
    documents = [Writer(rng).document() for _ in range(1000)]
    items = [Writer(rng).inline() for _ in range(1000)]
    taken = sum(render_plain_paragraphs(d, "/") is not None for d in documents)
    items_taken = sum(render_plain_inline(i, "/") is not None for i in items)
    assert 120 <= taken <= 850 and 300 <= items_taken <= 850, (taken, items_taken)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_at_all_renders_as_markdown_it_renders_it_or_is_refused(text):
    assert_same_or_refused_block(text)
    assert_same_or_refused_inline(text)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(plain_markdown._ADDRESS, fullmatch=True))
def test_an_address_taken_directly_is_one_markdown_it_keeps_as_it_is_and_we_allow(address):
    assert normalizeLink(address) == address
    assert is_safe_href(address) and make_markdown().validateLink(address)


# -- what it must take, and what it must leave to markdown-it ------------------------------

TAKEN = [
    "Plain words, nothing else.",
    "Words with *emphasis* and **strong** and ***both*** (**in brackets**), *then* a stop.",
    "**Lead** words, then [a link](https://example.org/a-b_c/?x=1#top) and [a page](/briefs/x/).",
    "Two lines\nof one paragraph.\n\nAnd a second paragraph & some \"quotes\" > marks!",
    "Before a list.\n\n- one **point**\n- [two](/b/)\n- three\n\nAfter the list.",
    "2026 was a year; R&D rose 50% in it.",
]
REFUSED = [
    "snake_case", "*a*b", "a**b**", "** a**", "**a **", "*a* b*", "&amp;", "&copy; x", "\\*", "`code`", "<b>x</b>",
    "# Heading", "> quote", "1. item", "* item", "+ item", "- a\n\n- b", "a  \nb", " indented", "trailing ",
    "| a | b |\n|---|---|", "![alt](/i.png)", "[a](javascript:x)", "[a](//host/)", "[a](/b \"title\")", "[a]",
    "[a]: /b", "Para\n- item", "- item\nlazy", "line\n===", "3. point", "a\tb", "- \u00a0 item", "- \u2003x",
]


@pytest.mark.parametrize("text", TAKEN)
def test_plain_shapes_are_taken_and_match(text):
    for base in BASES:
        assert render_plain_paragraphs(text, base) == markdown_it_block(text, base)


@pytest.mark.parametrize("text", [t for t in TAKEN if "\n" not in t])
def test_plain_inline_items_are_taken_and_match(text):
    for base in BASES:
        assert render_plain_inline(text, base) == markdown_it_inline(text, base)


@pytest.mark.parametrize("text", REFUSED)
def test_anything_more_is_left_to_markdown_it(text):
    assert render_plain_paragraphs(text, "/") is None
    assert render_block(text, "/") == markdown_it_block(text, "/")
    if "\n" not in text:
        assert render_inline(text, "/") == markdown_it_inline(text, "/")


def test_the_fast_path_is_on_for_the_parser_we_configure():
    """If a markdown-it-py release changes its rules, the fast path turns itself off: this says so.
    Read the release's changes, re-run these tests against it, then update markdown.RULES."""
    assert plain_is_enough(), make_markdown().get_active_rules()


# -- real documents: the sample site and a synthetic corpus ------------------------------

def briefs_in(root: Path):
    import yaml

    for path in sorted((root / "content" / "briefs").rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        inline = list(meta.get("key_points") or []) + [i["text"] for i in meta.get("implications") or []]
        yield path, body, inline


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "300", str(root)], check=True,
                   capture_output=True)
    return root


@pytest.mark.parametrize("site", ["sample", "synthetic"])
def test_real_briefs_render_the_same_and_most_take_the_fast_path(site, synthetic):
    root = REPO if site == "sample" else synthetic
    bodies = taken = items = items_taken = 0
    for path, body, inline in briefs_in(root):
        bodies += 1
        for base in BASES:
            assert render_block(body, base) == markdown_it_block(body, base), path
        taken += render_plain_paragraphs(body, "/") is not None
        for text in inline:
            items += 1
            assert render_inline(text, "/") == markdown_it_inline(text, "/"), path
            items_taken += render_plain_inline(text, "/") is not None
    assert bodies >= 20
    assert taken >= 0.8 * bodies and items_taken >= 0.9 * items, (taken, bodies, items_taken, items)
