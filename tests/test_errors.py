"""Break one thing: every editor mistake is located, explained, and leaves the built site alone.

Each case starts from a valid tiny site that has already been built, changes
one thing, and runs `digest build` and `digest check`. Both must exit 1 with a
message at the exact `path:line:col` naming the field; the build must leave
the previous site/ byte for byte as it was, and nobody sees a traceback.

The brief every case starts from (brief_text in conftest.py), by line:

     1  ---
     2  title: "Base brief"
     3  standfirst: "Why it matters to agencies."
     4  source:
     5    name: Example Source
     6    url: https://example.org/base
     7  published: 2026-03-16
     8  tags: [testing]
     9  key_points:
    10    - "First point."
    11  implications:
    12    - action: Monitor
    13      text: "Agencies could watch this."
    14  (extra lines, if any)
        ---
        A summary of the item.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import SITE_YAML, brief_text, make_project
from generator.cli import main

X = "content/briefs/2026/x.md"
Y = "content/briefs/2026/y.md"
IMPLICATION = '  - action: Monitor\n    text: "Agencies could watch this."\n'
KEY_POINT = '  - "First point."\n'


def base(**kw) -> str:
    kw.setdefault("url", "https://example.org/base")
    return brief_text("Base brief", **kw)


def swap(old: str, new: str, text: str | None = None) -> str:
    text = base() if text is None else text
    assert old in text, old
    return text.replace(old, new, 1)


def site_swap(old: str, new: str) -> str:
    assert old in SITE_YAML, old
    return SITE_YAML.replace(old, new, 1)


@dataclass
class Case:
    id: str
    loc: str  # exact "path:line:col" (or just the path for whole-file problems)
    field: str  # the field named in the message ("" for whole-file problems)
    words: str  # a phrase the message or hint must contain
    files: dict = field(default_factory=dict)  # path -> new text/bytes, or None to delete
    setup: Callable[[Path], None] | None = None  # for what a dict cannot say (links, pipes, sparse files)


def _symlink(target: str, link: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = root / link
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target.replace("{root}", str(root)), path)
    return make


def _sparse(size: int) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        with open(root / X, "r+b") as fh:
            fh.truncate(size)  # a sparse file: huge on paper, nothing to read on disk
    return make


def _empty_content(root: Path) -> None:
    shutil.rmtree(root / "content")
    (root / "content").mkdir()


def _fifo(root: Path) -> None:
    os.mkfifo(root / "content/briefs/2026/pipe.md")


CASES = [
    # --- front matter ------------------------------------------------------------------------
    Case("no-front-matter", f"{X}:1:1", "", "missing front matter", {X: "Just a summary.\n"}),
    Case("front-matter-not-closed", f"{X}:1:1", "", "not closed", {X: swap("---\nA summary", "A summary")}),
    Case("blank-line-before-front-matter", f"{X}:1:1", "", "missing front matter", {X: "\n" + base()}),
    Case("front-matter-only-opening", f"{X}:1:1", "", "not closed", {X: "---\n"}),
    # --- YAML syntax -------------------------------------------------------------------------
    Case("unquoted-colon-in-value", f"{X}:3:27", "", "must be quoted",
         {X: swap('standfirst: "Why it matters to agencies."', "standfirst: Why it matters: agencies")}),
    Case("unclosed-quote", f"{X}:3:14", "", "YAML syntax error", {X: swap('title: "Base brief"', 'title: "Base brief')}),
    Case("bad-indentation", f"{X}:6:7", "", "indented differently from the one above", {X: swap("  url: https", "   url: https")}),
    Case("tab-indentation", f"{X}:5:1", "", "tab", {X: swap("  name: Example", "\tname: Example")}),
    Case("key-is-a-list", f"{X}:14:1", "", "plain name", {X: base(extra="[a, b]: c\n")}),
    # --- duplicates, aliases and other YAML features that have no place here -------------------
    Case("duplicate-key", f"{X}:14:1", "title", "duplicate key 'title' (first defined on line 2)",
         {X: base(extra='title: "Again"\n')}),
    Case("duplicate-nested-key", f"{X}:7:3", "source.name", "duplicate key",
         {X: swap("  url: https://example.org/base\n", "  url: https://example.org/base\n  name: Twice\n")}),
    Case("duplicate-key-in-implication", f"{X}:14:5", "implications[0].action", "duplicate key",
         {X: base(extra="").replace('watch this."\n', 'watch this."\n    action: Decide\n')}),
    Case("anchor", f"{X}:14:10", "caveats", "anchors (&a) are not allowed", {X: base(extra="caveats: &a [x]\n")}),
    Case("alias", f"{X}:14:10", "caveats", "aliases (*k) are not allowed", {X: base(extra="caveats: *k\n")}),
    Case("alias-bomb", f"{X}:14:6", "lol", "anchors (&a) are not allowed",
         {X: base(extra='lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                        + "".join(f"l{i}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
                                  for i in range(9)))}),
    Case("merge-key", f"{X}:5:3", "source", "merge keys",
         {X: swap("source:\n", "source:\n  <<: {name: x}\n").replace("  name: Example Source\n", "")}),
    Case("python-object-tag", f"{X}:14:10", "caveats", "!!python/object/apply:os.system",
         {X: base(extra="caveats: !!python/object/apply:os.system [echo hi]\n")}),
    Case("deep-nesting", f"{X}:14:42", "caveats", "nesting deeper than 32 levels",
         {X: base(extra="caveats: " + "[" * 200 + "]" * 200 + "\n")}),
    Case("two-yaml-documents", "content/site.yaml:16:1", "", "more than one YAML document",
         {"content/site.yaml": SITE_YAML + "---\ntitle: Second\n"}),
    # --- wrong types and values YAML re-types behind the editor's back ----------------------------
    Case("tags-is-a-string", f"{X}:8:7", "tags", "a plain string is not a list", {X: base(tags="ai")}),
    Case("tags-empty", f"{X}:8:7", "tags", "needs at least 1 tags", {X: base(tags="[]")}),
    Case("tag-retyped-number", f"{X}:8:8", "tags[0]", "YAML read '1.10' as number", {X: base(tags="[1.10]")}),
    Case("tag-retyped-boolean", f"{X}:8:17", "tags[1]", "YAML read 'NO' as true/false", {X: base(tags="[testing, NO]")}),
    Case("tag-listed-twice", f"{X}:8:17", "tags[1]", "listed twice", {X: base(tags="[testing, Testing]")}),
    Case("tag-without-letters", f"{X}:8:8", "tags[0]", "no letters or digits", {X: base(tags='["!!!"]')}),
    Case("title-retyped-time", f"{X}:2:8", "title", "YAML read '1:30' as number", {X: swap('title: "Base brief"', "title: 1:30")}),
    Case("title-empty", f"{X}:2:8", "title", "must not be empty", {X: swap('title: "Base brief"', 'title: ""')}),
    Case("title-no-value", f"{X}:2:7", "title", "expected text, got empty value",
         {X: swap('title: "Base brief"', "title:")}),
    Case("title-is-a-list", f"{X}:2:8", "title", "expected text", {X: swap('title: "Base brief"', "title: [a, b]")}),
    Case("draft-no", f"{X}:14:8", "draft", "expected true or false, got 'no'", {X: base(extra="draft: no\n")}),
    Case("draft-yes", f"{X}:14:8", "draft", "expected true or false, got 'yes'", {X: base(extra="draft: yes\n")}),
    Case("draft-quoted", f"{X}:14:8", "draft", "remove the quotes", {X: base(extra='draft: "true"\n')}),
    Case("caveats-is-a-string", f"{X}:14:10", "caveats", "expected a list of caveats", {X: base(extra="caveats: unsure\n")}),
    Case("source-is-a-string", f"{X}:4:9", "source", "expected the source", {X: swap(
        "source:\n  name: Example Source\n  url: https://example.org/base\n", "source: Example Source\n")}),
    # --- missing and unknown fields ----------------------------------------------------------------
    Case("missing-title", f"{X}:1:1", "title", "missing required field", {X: swap('title: "Base brief"\n', "")}),
    Case("missing-standfirst", f"{X}:1:1", "standfirst", "missing required field",
         {X: swap('standfirst: "Why it matters to agencies."\n', "")}),
    Case("missing-published", f"{X}:1:1", "published", "missing required field", {X: swap("published: 2026-03-16\n", "")}),
    Case("missing-tags", f"{X}:1:1", "tags", "missing required field", {X: swap("tags: [testing]\n", "")}),
    Case("missing-key-points", f"{X}:1:1", "key_points", "missing required field",
         {X: swap('key_points:\n  - "First point."\n', "")}),
    Case("missing-source-url", f"{X}:4:1", "source.url", "missing required field",
         {X: swap("  url: https://example.org/base\n", "")}),
    Case("unknown-field", f"{X}:14:1", "tittle", "did you mean 'title'? (allowed: title, standfirst",
         {X: base(extra="tittle: x\n")}),
    Case("unknown-field-case", f"{X}:14:1", "Tags", "did you mean 'tags'?", {X: base(extra="Tags: [x]\n")}),
    Case("unknown-source-field", f"{X}:7:3", "source.autor", "did you mean 'author'? (allowed: name, author, url)",
         {X: swap("  url: https://example.org/base\n", "  url: https://example.org/base\n  autor: Someone\n")}),
    Case("unknown-implication-field", f"{X}:14:5", "implications[0].txt", "did you mean 'text'?",
         {X: base().replace('watch this."\n', 'watch this."\n    txt: more\n')}),
    # --- dates ----------------------------------------------------------------------------------
    Case("date-does-not-exist", f"{X}:7:12", "published", "'2026-02-30' is not a real date", {X: base(published="2026-02-30")}),
    Case("date-other-format", f"{X}:7:12", "published", "write 2026-03-16", {X: base(published="16/03/2026")}),
    Case("date-unpadded", f"{X}:7:12", "published", "write 2026-03-06", {X: base(published="2026-3-6")}),
    Case("date-in-words", f"{X}:7:12", "published", "write 2026-03-16", {X: base(published="16 March 2026")}),
    Case("datetime-not-date", f"{X}:7:12", "published", "write only the date: 2026-03-16",
         {X: base(published="2026-03-16 10:30:00")}),
    Case("date-empty", f"{X}:7:11", "published", "date must be YYYY-MM-DD", {X: swap("published: 2026-03-16", "published:")}),
    Case("updated-before-published", f"{X}:14:10", "updated", "is before published", {X: base(extra="updated: 2026-03-01\n")}),
    Case("issue-not-a-week", f"{X}:14:8", "issue", "not an ISO week", {X: base(extra="issue: 2026-W60\n")}),
    Case("issue-retyped-number", f"{X}:14:8", "issue", "YAML read '202611' as number", {X: base(extra="issue: 202611\n")}),
    # --- choices ----------------------------------------------------------------------------------
    Case("unknown-action", f"{X}:12:13", "implications[0].action",
         "'Monitr' is not an action; did you mean 'Monitor'? (actions: Implement, Decide, Consider, Monitor)",
         {X: base(action="Monitr")}),
    Case("action-lower-case", f"{X}:12:13", "implications[0].action", "did you mean 'Monitor'?", {X: base(action="monitor")}),
    Case("unknown-section", f"{X}:14:10", "section", "did you mean 'Research & Safety'?",
         {X: base(extra="section: Research and Safety\n")}),
    Case("unknown-jurisdiction", f"{X}:14:15", "jurisdiction", "use one of AU, Global, Multi",
         {X: base(extra="jurisdiction: Australia\n")}),
    Case("classification-above-site", f"{X}:14:17", "classification", "above the site's marking",
         {X: base(extra="classification: SECRET\n")}),
    Case("classification-misspelt", f"{X}:14:17", "classification", "did you mean 'OFFICIAL'?",
         {X: base(extra="classification: Official\n")}),
    # --- list sizes ----------------------------------------------------------------------------------
    Case("key-points-empty", f"{X}:9:13", "key_points", "needs at least 1 key points",
         {X: swap('key_points:\n  - "First point."\n', "key_points: []\n")}),
    Case("key-points-too-many", f"{X}:10:3", "key_points", "has 7 key points; at most 6",
         {X: swap(KEY_POINT, KEY_POINT * 7)}),
    Case("key-points-a-string", f"{X}:9:13", "key_points", "a plain string is not a list",
         {X: swap('key_points:\n  - "First point."\n', "key_points: First point.\n")}),
    Case("implications-empty", f"{X}:11:15", "implications", "needs at least 1 implication",
         {X: swap("implications:\n" + IMPLICATION, "implications: []\n")}),
    Case("implications-too-many", f"{X}:12:3", "implications", "has 7 implications; at most 6",
         {X: swap(IMPLICATION, IMPLICATION * 7)}),
    Case("implications-a-string", f"{X}:11:15", "implications", "expected a list of implications",
         {X: swap("implications:\n" + IMPLICATION, "implications: Monitor\n")}),
    Case("implication-without-action", f"{X}:12:5", "implications[0].action", "missing required field",
         {X: swap("  - action: Monitor\n    text:", "  - text:")}),
    Case("implication-without-text", f"{X}:12:5", "implications[0].text", "missing required field",
         {X: swap('    text: "Agencies could watch this."\n', "")}),
    # --- links and slugs ---------------------------------------------------------------------------
    Case("url-javascript", f"{X}:6:8", "source.url", "'javascript:' links are not allowed", {X: base(url="javascript:alert(1)")}),
    Case("url-data", f"{X}:6:8", "source.url", "'data:' links are not allowed", {X: base(url="data:text/html,hi")}),
    Case("url-file", f"{X}:6:8", "source.url", "'file:' links are not allowed", {X: base(url="file:///etc/passwd")}),
    Case("url-smb", f"{X}:6:8", "source.url", "'smb:' links are not allowed", {X: base(url="smb://server/share")}),
    Case("url-protocol-relative", f"{X}:6:8", "source.url", "add the scheme: https://host/item", {X: base(url="//host/item")}),
    Case("url-no-scheme", f"{X}:6:8", "source.url", "starting with https://", {X: base(url="example.org/item")}),
    Case("url-with-space", f"{X}:6:8", "source.url", "remove the spaces", {X: base(url='"https://example.org/a b"')}),
    Case("slug-dot-dot", f"{X}:14:7", "slug", "no '/', '..'", {X: base(extra="slug: ../../etc\n")}),
    Case("slug-slash", f"{X}:14:7", "slug", "one URL segment", {X: base(extra="slug: a/b\n")}),
    Case("slug-percent-escape", f"{X}:14:7", "slug", "%-escapes", {X: base(extra="slug: '%2e%2e'\n")}),
    Case("slug-look-alike", f"{X}:14:7", "slug", "U+0430 CYRILLIC SMALL LETTER A", {X: base(extra="slug: b\u0430se\n")}),
    Case("slug-upper-case", f"{X}:14:7", "slug", "lower-case letters", {X: base(extra="slug: Base-Brief\n")}),
    # --- body -----------------------------------------------------------------------------------
    Case("empty-body", f"{X}:14:1", "body", "the summary (the text after the front matter) is empty", {X: base(body="")}),
    Case("blank-body", f"{X}:14:1", "body", "is empty", {X: base(body="  \n\n   ")}),
    Case("placeholder-left-in", f"{X}:3:13", "standfirst", "TODO placeholder",
         {X: swap('standfirst: "Why it matters to agencies."', 'standfirst: "TODO: one sentence."')}),
    # --- across files ---------------------------------------------------------------------------
    Case("same-slug-twice", f"{Y}:14:7", "slug", f"'x' is used by 2 briefs: {X} and {Y}",
         {Y: brief_text("Other brief", url="https://example.org/other", extra="slug: x\n")}),
    Case("same-url-twice", f"{Y}:6:8", "source.url", f"is used by 2 briefs: {X} and {Y}",
         {Y: brief_text("Other brief", url="https://example.org/base/")}),
    Case("two-editorials-one-week", "content/issues/2026-w11.md", "", "two editorials for week 2026-W11",
         {"content/issues/2026-W11.md": "First.\n", "content/issues/2026-w11.md": "Second.\n"}),
    # --- editorials and pages ---------------------------------------------------------------------
    Case("editorial-bad-file-name", "content/issues/week-11.md", "", "must be its ISO week", {"content/issues/week-11.md": "Text.\n"}),
    Case("editorial-unknown-field", "content/issues/2026-W11.md:2:1", "titel", "did you mean 'title'?",
         {"content/issues/2026-W11.md": "---\ntitel: Hi\n---\nText.\n"}),
    Case("editorial-empty", "content/issues/2026-W11.md:3:1", "body", "editorial text is empty",
         {"content/issues/2026-W11.md": "---\ntitle: Hi\n---\n"}),
    Case("page-without-title", "content/pages/about.md:1:1", "title", "missing required field",
         {"content/pages/about.md": "---\n---\nAbout us.\n"}),
    Case("page-reserved-name", "content/pages/tags.md", "", "reserved URL", {"content/pages/tags.md": "---\ntitle: Tags\n---\nx\n"}),
    # --- bytes and files ------------------------------------------------------------------------
    Case("not-utf8", f"{X}:15:7", "", "byte 0xff at byte offset", {X: base().encode().replace(b"summary", b"summ\xffary")}),
    Case("utf16-file", f"{X}:1:1", "", "the file is UTF-16", {X: base().encode("utf-16")}),
    Case("over-1-mib", X, "", "the limit is 1,048,576", {X: base() + "x" * (1024 * 1024)}),
    Case("sparse-50-mb", X, "", "file is 52,428,800 bytes", setup=_sparse(50 * 1024 * 1024)),
    Case("symlink-outside", "content/briefs/2026/link.md", "", "points outside content/", setup=_symlink("/etc/hostname", "content/briefs/2026/link.md")),
    Case("symlink-loop", "content/briefs/2026/loop.md", "", "broken or loops", setup=_symlink("loop.md", "content/briefs/2026/loop.md")),
    Case("symlink-folder-outside", "content/briefs/elsewhere", "", "points outside content/", setup=_symlink("{root}", "content/briefs/elsewhere")),
    Case("named-pipe", "content/briefs/2026/pipe.md", "", "not a regular file", setup=_fifo),
    # --- the site settings and the content folder ---------------------------------------------------
    Case("site-yaml-missing", "content/site.yaml", "", "site.yaml is missing", {"content/site.yaml": None}),
    Case("site-yaml-empty", "content/site.yaml:1:1", "", "site.yaml is empty", {"content/site.yaml": ""}),
    Case("site-yaml-syntax", "content/site.yaml:2:20", "", "YAML syntax error",
         {"content/site.yaml": site_swap("description: Briefs for testing.", "description: Briefs: for testing.")}),
    Case("site-yaml-unknown-key", "content/site.yaml:16:1", "titel", "did you mean 'title'?", {"content/site.yaml": SITE_YAML + "titel: x\n"}),
    Case("site-yaml-base-url", "content/site.yaml:3:11", "base_url", "not an absolute http(s) URL",
         {"content/site.yaml": site_swap("base_url: https://intranet.example.gov.au/digest/", "base_url: intranet/digest")}),
    Case("site-yaml-timezone", "content/site.yaml:6:11", "timezone", "not a known time zone",
         {"content/site.yaml": site_swap("timezone: Australia/Sydney", "timezone: Australia/Sidney")}),
    Case("site-yaml-per-page", "content/site.yaml:8:11", "per_page", "expected a whole number",
         {"content/site.yaml": site_swap("per_page: 20", "per_page: twenty")}),
    Case("site-yaml-duplicate-key", "content/site.yaml:16:1", "title", "duplicate key", {"content/site.yaml": SITE_YAML + "title: Again\n"}),
    Case("site-yaml-action-twice", "content/site.yaml:13:12", "actions[3].name", "listed twice",
         {"content/site.yaml": site_swap("{name: Monitor,", "{name: Decide,")}),
    Case("content-folder-empty", "content/site.yaml", "", "site.yaml is missing", setup=_empty_content),
    Case("no-briefs", "content/briefs", "", "no briefs found", {X: None, Y: None}),
]


def tree_hash(folder: Path) -> str:
    """One hash over every name and byte below `folder`."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file() and not path.is_symlink():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def built_template(tmp_path_factory) -> Path:
    """A valid two-brief site, built once; each case works on a copy."""
    root = make_project(tmp_path_factory.mktemp("valid") / "site-root", {
        X: base(),
        Y: brief_text("Other brief", url="https://example.org/other"),
    })
    assert main(["build", "--root", str(root), "--no-search"]) == 0
    assert main(["check", "--root", str(root), "--strict"]) == 0
    return root


def apply(case: Case, root: Path) -> None:
    for rel, data in case.files.items():
        path = root / rel
        if data is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    if case.setup:
        case.setup(root)


def the_line(err: str, case: Case) -> str:
    """The first report line at the case's location."""
    head = f"{case.loc}: error: " + (f"{case.field}: " if case.field else "")
    lines = [line for line in err.splitlines() if line.startswith(f"{case.loc}: ")]
    assert lines, f"no message at {case.loc}:\n{err}"
    assert lines[0].startswith(head), f"expected {head!r}:\n{err}"
    return lines[0]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_located_and_the_built_site_is_untouched(case, built_template, tmp_path, capsys):
    root = tmp_path / "site-root"
    shutil.copytree(built_template, root, symlinks=True)
    before = tree_hash(root / "site")
    capsys.readouterr()
    apply(case, root)

    assert main(["build", "--root", str(root), "--no-search"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert case.words in the_line(err, case)
    assert "nothing written" in err
    assert tree_hash(root / "site") == before
    assert not list(root.glob(".site.tmp-*")) and not list(root.glob(".site.old-*"))

    assert main(["check", "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert case.words in the_line(err, case)
    assert err.rstrip().splitlines()[-1].startswith(tuple(f"{n} error" for n in range(1, 10)))


# ---- an error in a template met by a worker process ---------------------------------

WORKERS = r"""
import sys
from pathlib import Path
from generator import produce
from generator.build import BuildOptions, build_site
from generator.diagnostics import ContentError
produce.PARALLEL_FROM = 2  # every batch of pages in two worker processes
root = Path(sys.argv[1])
try:
    build_site(BuildOptions(root=root, out=root / "site", search=False, jobs=2))
except ContentError as exc:
    print([(d.path, d.line, d.message) for d in exc.diagnostics])
"""


def test_a_template_error_in_a_worker_names_the_template_and_line(tmp_path):
    import subprocess
    import sys

    root = make_project(tmp_path / "site", {f"content/briefs/b{n}.md": brief_text(f"Brief {n}", url=f"https://example.org/{n}")
                                            for n in range(6)})
    shutil.copytree(Path(__file__).resolve().parent.parent / "layouts", root / "layouts")
    tag = root / "layouts" / "tag.html"
    lines = tag.read_text(encoding="utf-8").splitlines(keepends=True)
    main_at = lines.index("{% block main %}\n")
    lines.insert(main_at + 1, "{{ missing_name.attribute }}\n")
    tag.write_text("".join(lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", WORKERS, str(root)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr([("layouts/tag.html", main_at + 2, "template error: 'missing_name' is undefined")])


def test_content_errors_cross_processes_with_their_diagnostics():
    import pickle

    from generator.diagnostics import ContentError, Diagnostic

    error = ContentError([Diagnostic("content/briefs/b.md", 3, 1, "error", "title", "missing title", "add one")])
    back = pickle.loads(pickle.dumps(error))
    assert back.diagnostics == error.diagnostics and str(back) == str(error)
