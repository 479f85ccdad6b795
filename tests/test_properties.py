"""Whatever an editor types, the result is a valid build or clean diagnostics, never a crash.

Random front-matter mappings (through yaml.safe_dump), random YAML text and
random bytes go through the loader and `digest check`; random subsets of the
sample briefs always build.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, SITE_YAML, brief_text, build, make_project
from generator.build import check_site
from generator.diagnostics import Diagnostic, errors_in, format_report
from generator.frontmatter import FrontMatterProblem, split_front_matter
from generator.validate import BRIEF_FIELDS
from generator.yamlsrc import YamlProblem, parse_yaml

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# whole builds: fewer examples, each one renders a site
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = dt.date(2026, 11, 29)

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text,
    st.dates(), st.datetimes(), st.sampled_from(["Monitor", "Monitr", "no", "1.10", "1:30", "2026-02-30",
                                                  "https://example.org/x", "javascript:alert(1)", "AU", "TODO"]),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=12)
VALID = yaml.safe_load(brief_text("Valid", url="https://example.org/valid").split("---\n")[1])


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def dump(mapping) -> str:
    return yaml.dump(mapping, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


def assert_clean(diagnostics) -> None:
    """Diagnostics are well-formed values that format without trouble."""
    for d in diagnostics:
        assert isinstance(d, Diagnostic)
        assert d.severity in ("error", "warning")
        assert d.line >= 0 and d.col >= 0
        assert d.message
    report = format_report(list(diagnostics), 1)
    assert "Traceback" not in report


def site(tmp: Path) -> Path:
    root = tmp / "root"
    if not root.exists():
        make_project(root, {"content/briefs/2026/other.md": brief_text("Other", url="https://example.org/other")})
    return root


@FAST
@given(overrides=st.dictionaries(st.sampled_from(BRIEF_FIELDS + ["tittle", "Tags", ""]), values, max_size=4),
       drop=st.sets(st.sampled_from(sorted(VALID))), body=text)
def test_random_front_matter_gives_a_brief_or_clean_diagnostics(tmp_path, overrides, drop, body):
    mapping = {k: v for k, v in VALID.items() if k not in drop}
    mapping.update(overrides)
    root = site(tmp_path)
    (root / "content/briefs/2026/x.md").write_text("---\n" + dump(mapping) + "---\n" + body + "\n", encoding="utf-8")
    result = check_site(root, today=TODAY)
    assert_clean(result.diagnostics)
    if not errors_in(result.diagnostics):
        slugs = {b.slug for b in result.content.briefs}
        assert "x" in slugs or mapping.get("slug") in slugs


@FAST
@given(source=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_random_yaml_text_parses_or_is_a_located_problem(source):
    try:
        doc = parse_yaml(source, 2)
    except YamlProblem as p:
        assert p.message and p.line >= 2 and p.col >= 1
        return
    for line, col in list(doc.value_pos.values()) + list(doc.key_pos.values()):
        assert 2 <= line <= doc.end_line + 1 and col >= 1  # an empty value at the very end sits just past it


YAMLISH = st.lists(st.sampled_from([
    "title: x", "  - a", "- b", "tags: [a, b]", "a: &x 1", "b: *x", "<<: {}", "? k", ": v", "k: 'q", '"', "\t- t",
    "published: 2026-02-30", "draft: no", "deep: [[[[", "]]]]", "{a: 1}", "---", "...", "!!python/name:os.system",
    "key:", "  nested: 1", "    deeper: 2", "x: |", "  block", "#c", "",
]), max_size=12).map("\n".join)


@FAST
@given(source=YAMLISH)
def test_yaml_shaped_text_parses_or_is_a_located_problem(source):
    try:
        parse_yaml(source, 2)
    except YamlProblem as p:
        assert p.message and p.line >= 2 and p.col >= 1


@FAST
@given(data=st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_split_front_matter_returns_or_raises_its_own_problem(data):
    try:
        split = split_front_matter(data)
    except FrontMatterProblem as p:
        assert p.line == 1 and p.hint
        return
    assert split.yaml_first_line == 2 and split.body_first_line > 2


@FAST
@given(mapping=st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10),
                               values, max_size=6))
def test_safe_dumped_mappings_read_back_as_yaml_reads_them(mapping):
    # CR and the Unicode line separators are made plain first (see the regression test below)
    dumped = dump(mapping).replace("\r", "\n").translate({0x85: " ", 0x2028: " ", 0x2029: " "})
    try:
        doc = parse_yaml(dumped)
    except YamlProblem as p:  # only what we refuse on purpose: nesting past the cap
        assert "nesting" in p.message
        return
    assert doc.data == yaml.safe_load(dumped)


@FAST
@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"---\n", brief_text("B").encode()[:120]]))
def test_random_bytes_as_a_brief_give_clean_diagnostics(tmp_path, data, prefix):
    root = site(tmp_path)
    (root / "content/briefs/2026/x.md").write_bytes(prefix + data)
    result = check_site(root, today=TODAY)
    assert_clean(result.diagnostics)
    assert errors_in(result.diagnostics) or len(result.content.briefs) == 2


@FAST
@given(data=st.binary(max_size=300) | text.map(lambda s: s.encode("utf-8")))
def test_random_site_yaml_gives_clean_diagnostics(tmp_path, data):
    root = site(tmp_path)
    (root / "content/site.yaml").write_bytes(data)
    result = check_site(root, today=TODAY)
    assert_clean(result.diagnostics)
    assert errors_in(result.diagnostics)


SAMPLE_BRIEFS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "content/briefs").rglob("*.md"))


@SLOW
@given(chosen=st.sets(st.sampled_from(SAMPLE_BRIEFS), min_size=1))
def test_any_subset_of_the_sample_briefs_builds(chosen):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("briefs"))
        for rel in chosen:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / rel, root / rel)
        report = build(root)
        published = [rel for rel in chosen if "draft: true" not in (REPO / rel).read_text(encoding="utf-8")]
        assert report.briefs == len(published)
        for rel in published:
            assert (root / "site/briefs" / Path(rel).stem / "index.html").is_file()


@SLOW
@given(titles=st.lists(text.filter(lambda s: s.strip()), min_size=1, max_size=4),
       tags=st.lists(st.from_regex(r"[a-z][a-z0-9 -]{0,12}", fullmatch=True), min_size=1, max_size=3, unique=True),
       body=text)
def test_valid_briefs_with_any_titles_build_into_feeds_that_parse(tmp_path, titles, tags, body):
    root = tmp_path / "gen"
    shutil.rmtree(root, ignore_errors=True)
    files = {}
    for i, title in enumerate(titles):
        mapping = dict(VALID, title=title, tags=tags, source={"name": "S", "url": f"https://example.org/{i}"})
        files[f"content/briefs/2026/b{i}.md"] = "---\n" + dump(mapping) + f"---\nBody *text*. {body}\n"
    make_project(root, files, site_yaml=SITE_YAML)
    result = check_site(root, today=TODAY)
    if errors_in(result.diagnostics):  # e.g. two tags that make one URL, or a control character: reported, not built
        assert_clean(result.diagnostics)
        return
    report = build(root)
    assert report.briefs == len(titles)
    for path in (root / "site").rglob("*.xml"):  # whatever check accepts gives feeds every reader can parse
        ET.parse(path)
    json.loads((root / "site/feed.json").read_bytes())


def test_regression_unicode_line_separators_do_not_shift_line_numbers(tmp_path):
    """Text pasted from the web can carry U+2028; libyaml counts it as a line break, we do not."""
    root = site(tmp_path)
    text = brief_text("Pasted\u2028title", action="Monitr").replace("Why it matters", "Why\x85it matters")
    (root / "content/briefs/2026/x.md").write_text(text, encoding="utf-8")
    [d] = check_site(root, today=TODAY).diagnostics
    assert (d.line, d.col, d.field) == (12, 13, "implications[0].action")
    assert d.source_line == "  - action: Monitr"


_URL_PART = st.sampled_from(["https://", "HTTP://", "example.org", "EXAMPLE.org", "/", "//", "a", "A", "?", "q=1",
                              "#", "frag", "\t", "\n", " ", ":8080", "%2F"])


@given(st.lists(_URL_PART, max_size=8), st.lists(_URL_PART, max_size=8))
@settings(max_examples=400, deadline=None)
def test_urls_the_clash_check_treats_as_one_share_a_bucket(a, b):
    """The cheap bucket never separates two URLs the exact comparison (urlsplit) would call the same."""
    from generator.validate import _normal_url, _url_bucket

    a, b = "https://example.org/" + "".join(a), "".join(b) or "https://example.org/"
    for x, y in ((a, b), (a, a.upper()), (a, a.rstrip("/") + "/"), (a, a + "#x")):
        if _normal_url(x) == _normal_url(y):
            assert _url_bucket(x) == _url_bucket(y), (x, y)
