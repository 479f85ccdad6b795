"""Fast paths of the load stage give exactly what the slower, general code gives.

YAML. The fast path of generator.yamlsrc reads front matter exactly as libyaml does, or not at all.

Every document is read both ways: through the fast path, and with libyaml
alone (parse_yaml(fast=False)). When the fast path takes a document, the
values (with their types and key order), the positions of every key and
value and the Scalars must be identical to libyaml's; when libyaml refuses
a document, the fast path must have given it up, so the message comes from
libyaml. Documents: the sample site, a synthetic corpus, the stub `digest
new` writes, what PyYAML's dumper writes, a list of awkward cases, and
random edits of all of these.

Front matter's closing line is found as a line-by-line scan finds it, and
is_http_url's shortcut for plain links agrees with urlsplit.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from generator import yamlsrc
from generator.commands.new import brief_stub, issue_stub
from generator.config import load_config
from generator.frontmatter import normalise_newlines, split_front_matter
from generator.model import Week
from generator.yamlsrc import YamlDoc, YamlProblem, parse_yaml


def same(a, b) -> bool:
    """Equal values of the same types, mappings in the same key order (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b


def fast_only(text: str, first_line: int = 2) -> YamlDoc | None:
    """What the fast path alone makes of `text` (None: it gave the document up)."""
    text = yamlsrc._one_kind_of_line_break(text)
    doc = YamlDoc(data=None)
    return doc if yamlsrc._fast_read(text, first_line - 1, doc) else None


def check(text: str, first_line: int = 2) -> bool:
    """Assert the fast path agrees with libyaml on `text`; True when it took the document."""
    try:
        reference = parse_yaml(text, first_line, fast=False)
    except YamlProblem:
        reference = None
    doc = fast_only(text, first_line)
    if doc is None:
        return False
    assert reference is not None, f"the fast path read a document libyaml refuses: {text!r}"
    assert same(doc.data, reference.data), text
    assert list(doc.value_pos.items()) == list(reference.value_pos.items()), text
    assert list(doc.key_pos.items()) == list(reference.key_pos.items()), text
    assert list(doc.scalars.items()) == list(reference.scalars.items()), text
    return True


def front_matter(path) -> str:
    return split_front_matter(normalise_newlines(path.read_text(encoding="utf-8"))).yaml_text


def sample_documents() -> list[str]:
    return [front_matter(p) for p in sorted((REPO / "content").rglob("*.md"))
            if p.read_text(encoding="utf-8").startswith("---")]


@pytest.fixture(scope="module")
def corpus_documents(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), "300", str(root)], check=True,
                   capture_output=True)
    return [front_matter(p) for p in sorted((root / "content" / "briefs").rglob("*.md"))]


def stubs() -> list[str]:
    cfg, _ = load_config(REPO)
    return [split_front_matter(brief_stub("Rules: what changes", "rules", "2026-03-16", cfg)).yaml_text,
            split_front_matter(brief_stub("Plain title", "plain", "2026-03-16", cfg, source_name="Example",
                                          url="https://example.org/a")).yaml_text,
            split_front_matter(issue_stub(Week(2026, 11))).yaml_text]


def test_the_fast_path_takes_the_sample_site_the_corpus_and_new_briefs_and_agrees(corpus_documents):
    documents = sample_documents() + corpus_documents + stubs()
    assert len(documents) > 300
    taken = [check(text) for text in documents]
    assert all(taken), [text for text, ok in zip(documents, taken) if not ok][:3]


AWKWARD = [
    # empty values, comments and blank lines
    "a:\n", "a:\nb: 1\n", "a:  # c\nb: x\n", "", "# only\n", "a: x\n  # c\nb: y\n", "a:\n\n  b: 1\n", "a:\n  # c\n  b: 1\n",
    "a: x  \n", "a:    x\n", "a: x # y\n", "a: x#y\n", "a: http://x/#y\n", "a: \"x\" # y\n", "a: \"x\"#y\n", "a: 'x'#y\n",
    # nesting and indentation
    "- a\n", "  a: 1\n  b: 2\n", "k:\n- a\n- b\nc: 1\n", "k:\n  - a\n  - b\nc: 1\n", "k:\n  -  a\n  -  b\n",
    "k:\n- a: 1\n  b: 2\n- a: 3\n", "k:\n  - a: 1\n    b: 2\n  - a: 3\nz: 1\n", "- a:\n  - x\n", "a:\n  b:\n    c: 1\n",
    "a: 1\n b: 2\n", "a:\n  b: 1\n c: 2\n", "a:\n  - x\n  b: 1\n", "a:\n- x\n  - y\n", "- - a\n", "-\n  a\n", " - a\n - b\n",
    "a:\n - x\n", "a:\n  - x\n - y\n", "a:\n# c\n- x\n", "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\n",
    # plain scalars over several lines
    "a: foo\n  bar\n", "a: foo\n bar\n  baz\nb: 1\n", "a: foo\n\n  bar\n", "a: foo # c\n  bar\n", "a: x\n# c\n  y\n",
    "a:\n  - x\n    y\n", "a:\n  - x\n   y\n", "a:\n- x\n y\n", "a:\n  b: x\n   y\n  c: 1\n", "a:\n  b: x\n y\n",
    "a: foo\n  - bar\n", "a: foo\n  [bar]\n", "a: foo\n  \"bar\"\n", "a: foo\n  bar: 1\n", "a: foo\n  bar:\n",
    # quoting
    "a: 'it''s'\n", "a: ''\n", "a: \"\"\n", "a: '''\n", "a: \"x\"y\n", "a: \"x\n  y\"\n", "a: 'x\n  y'\n", "a: \"a\\tb\"\n",
    # flow lists
    "a: [a, b]\n", "a: []\n", "a: [ ]\n", "a: [a,b , 'c', \"d e\"]  # x\n", "a: [a, b,]\n", "t: [a, [b]]\n", "t: [a: b]\n",
    "t: [\"a\": b]\n", "t: [a\n", "t: [-a]\n", "t: [a-b, c_d, e.f, 'g']\n", "t: [a b c, d]\n", "a:\n  b: [1,\n    2]\n",
    "a: [1, 2020-01-01, yes, ~, null, 1.5]\n", "a: {b: 1}\n",
    # how YAML types plain scalars
    "a: 1:30\n", "a: 0x1F\n", "a: 2026-02-30\n", "a: 2026-01-01 10:00:00\n", "a: 2026-01-01T10:00:00+10:00\n", "a: =\n",
    "a: <<\n", "a: -1\n", "a: 1e5\n", "a: 1E5\n", "a: .5\n", "a: 0.5.\n", "a: +.inf\n", "a: .nan\n", "a: 0b101\n",
    "a: 0o17\n", "a: 017\n", "a: 1__0\n", "a: 190:20:30\n", "a: True\n", "a: tRue\n", "a: On\n", "a: no\n", "a: Null\n",
    "a: ~\n", "a: 99999999999999999999999\n",
    # what a plain scalar may hold
    "a: b: c\n", "a: b:\n", "a: - x\n", "a: x,y\n", "a: x]y\n", "a: x{y}\n", "a: ?x\n", "a: :x\n", "a: x:\n",
    "a: é\n", "a: \u00a0x\n", "a: x\u00a0\n", "a: \U0001F600 x\n", "a: x\u2028y\n", "a: x\x85y\n", "a: x\ufeffy\n",
    "a: x\x7fy\n", "a: x\ry\n", "a: x\r\n  y\r\n",
    # keys
    "x-y: 1\n", "_a: 1\n", "1: x\n", "no: x\n", "a b: x\n", "a : x\n", "\"a\": x\n", "? a\n: b\n", "<<: {a: 1}\n", "é: 1\n",
    # what the fast path leaves to libyaml
    "a: |\n  x\n", "a: >\n  x\n", "a: &x 1\n", "a: *x\n", "a: !!str 1\n", "a: !x 1\n", "%YAML 1.1\n---\na: 1\n", "--- a\n",
    "a: 1\n--- \nb: 2\n", "a: 1\n...\n", "a:\n\tb: 1\n", "a: b\tc\n", "a: @x\n", "a: `x`\n",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_documents_are_read_as_libyaml_reads_them_or_left_to_it(text):
    check(text)


def test_the_fast_path_keeps_to_what_it_knows():
    for text in ("a: |\n  x\n", "a: &x 1\n", "a: 1\na: 2\n", "a: 2026-02-30\n", "a: \"a\\tb\"\n", "a: {b: 1}\n"):
        assert fast_only(text) is None, text
    for text in ("a: foo\n  bar\n", "a: 'it''s'\n", "k:\n- a: 1\n  b: 2\n", "a: [a, 'b', \"c\"]\n", "a:\n", "a: 1:30\n"):
        assert fast_only(text) is not None, text


def test_the_characters_left_to_libyaml_are_exactly_those_outside_the_printable_ranges():
    printable = [(0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0xD7FF), (0xE000, 0xFEFE), (0xFF00, 0xFFFD), (0x10000, 0x10FFFF)]
    every = "".join(map(chr, range(0x110000)))
    unusual = {m.start() for m in yamlsrc._UNUSUAL.finditer(every)}
    assert unusual == {c for c in range(0x110000) if not any(lo <= c <= hi for lo, hi in printable)}
    assert fast_only("a: caf\u00e9 \u2013 \U0001F600\n") is not None
    assert fast_only("a: x\ufeffy\n") is None and fast_only("a: \u00e9\x07\n") is None


def test_messages_come_from_libyaml_whichever_path_is_asked():
    text = "title: \"x\"\ntags: [a, b]\ntitle: \"y\"\n"
    with pytest.raises(YamlProblem) as fast:
        parse_yaml(text, 2)
    with pytest.raises(YamlProblem) as slow:
        parse_yaml(text, 2, fast=False)
    assert (fast.value.message, fast.value.line, fast.value.col, fast.value.field) == \
        (slow.value.message, slow.value.line, slow.value.col, slow.value.field) == \
        ("duplicate key 'title' (first defined on line 2)", 4, 1, "title")


def test_plain_values_are_typed_the_same_when_seen_again():
    first = parse_yaml("a: 2026-03-16\nb: [yes, 1.10, agents]\n")
    again = parse_yaml("a: 2026-03-16\nb: [yes, 1.10, agents]\n")
    assert first.data == again.data == {"a": dt.date(2026, 3, 16), "b": [True, 1.1, "agents"]}
    assert first.scalars == again.scalars


def test_node_limit_is_libyamls():
    many = "t: [" + ", ".join(["a"] * (yamlsrc.MAX_NODES + 1)) + "]\n"
    assert fast_only(many) is None
    with pytest.raises(YamlProblem, match="too many values"):
        parse_yaml(many)


# ---- random edits ------------------------------------------------------------------------------------

PIECES = ["-", "- ", ":", ": ", "#", " #", "\"", "'", "''", "[", "]", ",", ", ", "{", "}", "\n", "\n  ", "\n    ",
          "\n- ", "\n  - ", "  ", " ", "&a ", "*a", "!!str ", "|", ">", "? ", "%", "@", "\\", "~", "null", "yes", "1",
          "1.5", "2020-01-01", "2026-02-30", "1:30", "<<", "=", ".nan", "-5", "---", "...", "\u00a0", "é", "\U0001F600",
          "key", "tags: [a, b]", "x: y", "\t", "\r", "\x85", "\ufeff", "\x7f", "http://a/#b", "\n# c\n", "\n\n"]


def edited(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        roll = rng.random()
        if roll < 0.55:
            text = text[:pos] + rng.choice(PIECES) + text[pos:]
        elif roll < 0.7:
            text = text[:pos] + text[pos + rng.randint(1, 6):]
        else:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if roll < 0.85:
                lines[i] = " " * rng.randint(0, 5) + lines[i].lstrip(" ")
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


SEEDS = sample_documents()[:12] + stubs() + AWKWARD[:40]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SEEDS), st.randoms(use_true_random=False))
def test_random_edits_of_front_matter(text, rng):
    check(edited(text, rng))


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.dates(),
                    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
                    st.lists(st.sampled_from(["word", "a:b", "#x", "-", "é", "x y", "1.10", "no"]), max_size=30).map(" ".join))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(["a", "key", "no", "1", "x y", "é", "b-c"]), inner, max_size=4),
                      max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "tags", "source", "key_points", "x"]), values, min_size=1, max_size=5),
       st.sampled_from([False, None]), st.sampled_from([20, 60, 100]), st.sampled_from([2, 4]))
def test_what_yaml_dumpers_write(data, flow, width, indent):
    check(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=width, indent=indent))


# ---- the split of front matter and body --------------------------------------------------------------

def split_line_by_line(text: str):
    """The front matter's closing line found as an editor would: line by line (the reference for split_front_matter)."""
    first_nl = text.find("\n")
    pos, line_no = first_nl + 1, 2
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if text[pos:end].rstrip(" ") in ("---", "..."):
            return text[first_nl + 1:pos], 2, text[end + 1 if nl >= 0 else len(text):], line_no + 1
        if nl < 0:
            break
        pos, line_no = nl + 1, line_no + 1
    return None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "--- ", "...", ".. .", "----", " ---", "a: 1", "", " ", "x---", "---x", "\u2028",
                                 "...  ", "\x85"]), max_size=8), st.booleans())
def test_the_closing_line_is_found_as_line_by_line(lines, newline_at_end):
    from generator.frontmatter import FrontMatterProblem

    text = "---\n" + "\n".join(lines) + ("\n" if newline_at_end else "")
    expected = split_line_by_line(text)
    try:
        got = split_front_matter(text)
    except FrontMatterProblem as problem:
        assert expected is None and problem.message == "front matter is not closed"
        return
    assert (got.yaml_text, got.yaml_first_line, got.body, got.body_first_line) == expected


# ---- links -------------------------------------------------------------------------------------------

def is_http_url_by_urlsplit(url: str) -> bool:
    """is_http_url without its shortcut."""
    from urllib.parse import urlsplit

    from generator.validate import _HTTP_START, _SPACE

    if not _HTTP_START.match(url) or _SPACE.search(url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


URL_PIECES = ["http", "https", "HTTP", "://", ":", "//", "/", "?", "#", "@", "[", "]", "::1", "example.org", "a", "-", ".",
              "8080", " ", "\t", "\\", "%20", "é", "xn--", "user:pw@", "javascript:", "\x01", "\n", "ｅ", "＠", "~", "!"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=8), st.sampled_from(["", "http://", "https://", "HTTPS://"]))
def test_the_link_shortcut_agrees_with_urlsplit(pieces, start):
    from generator.validate import is_http_url

    url = start + "".join(pieces)
    assert is_http_url(url) == is_http_url_by_urlsplit(url), url
