"""Control characters: refused where they are written, so every feed the build writes parses.

A BEL or ESC in a title (easily written as the YAML escapes \\a and \\e) used to pass
`digest check` and give a feed.xml that no feed reader accepts. Now any C0 or C1
control character other than tab and line feed, typed or escaped, in any text of
briefs, editorials, pages, site.yaml and sources.yaml is an error at its line and
column; and whatever the build accepts gives well-formed feeds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SITE_YAML, brief_text, build
from generator.build import check_site
from generator.cli import main
from generator.controlchars import BAD, escapes_in_double_quoted, may_hold, visible
from generator.diagnostics import errors_in

HIJACKED = brief_text("Agents \\a and \\e hijacked")  # the YAML escapes, as an editor would type them


def written_feeds(site: Path) -> tuple[list[Path], list[Path]]:
    """Every Atom and JSON feed in a built site, found by looking rather than by a list of names."""
    return sorted(site.rglob("*.xml")), sorted(site.rglob("*.json"))


def assert_feeds_parse(site: Path) -> int:
    xml_files, json_files = written_feeds(site)
    assert site / "feed.xml" in xml_files and site / "feed.json" in json_files
    for path in xml_files:
        ET.parse(path)  # raises ParseError on a single stray control character
    for path in json_files:
        json.loads(path.read_bytes())
    return len(xml_files)


def test_the_sample_site_feeds_all_parse(sample_site):
    count = assert_feeds_parse(sample_site)
    assert count > 10  # the site feed, every tag's feed and the sitemap


def test_a_title_with_bel_and_esc_escapes_fails_check_at_file_line_col(project, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = project({"content/briefs/2026/hijacked.md": HIJACKED})
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert err == (
        "content/briefs/2026/hijacked.md:2:16: error: title: 2 control characters: U+0007 (BEL), U+001B (ESC)"
        " in the text; written \\a and \\e; remove them: control characters are invisible, and they make"
        " feed.xml unreadable to feed readers\n"
        '    title: "Agents \\a and \\e hijacked"\n'
        "                   ^\n"
        "1 error, 0 warnings in 2 files\n"
    )


def test_the_build_refuses_it_and_keeps_the_previous_site(project):
    root = project({"content/briefs/2026/ok.md": brief_text("Fine", url="https://example.org/ok")})
    build(root)
    before = (root / "site/feed.xml").read_bytes()
    (root / "content/briefs/2026/hijacked.md").write_text(HIJACKED, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(root), "--no-search"],
                            capture_output=True, text=True, cwd=REPO, env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert result.returncode == 1, result.stderr
    assert "content/briefs/2026/hijacked.md:2:16: error: title: 2 control characters" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "site/feed.xml").read_bytes() == before
    assert_feeds_parse(root / "site")


@pytest.mark.parametrize("escape", ["\\0", "\\a", "\\b", "\\v", "\\f", "\\r", "\\e", "\\x1b", "\\x7f", "\\x9b",
                                    "\\u0085", "\\N", "\\U0000001F", "\\uFFFE"])
def test_every_control_escape_is_an_error_at_the_escape(project, escape):
    root = project({"content/briefs/2026/x.md": brief_text(f"Before {escape} after")})
    [d] = check_site(root).diagnostics
    assert (d.path, d.line, d.col, d.field, d.severity) == ("content/briefs/2026/x.md", 2, 16, "title", "error")
    assert f"written {escape};" in d.hint


def test_tab_and_newline_escapes_are_text(project):
    root = project({"content/briefs/2026/x.md": brief_text("Tab\\there, new\\nline")})
    assert check_site(root).diagnostics == []


def test_escapes_are_found_in_nested_fields_and_on_later_lines_of_a_value(project):
    text = brief_text("Fine").replace('  - "First point."', '  - "First point,\n    then \\e[31m red"')
    root = project({"content/briefs/2026/x.md": text})
    [d] = check_site(root).diagnostics
    assert (d.line, d.col, d.field) == (11, 10, "key_points[0]")
    assert d.source_line == "    then \\e[31m red\""


def test_typed_control_characters_are_errors_at_their_column_and_never_echoed(project, capsys):
    root = project({
        # in the front matter: YAML cannot go on, but the position is exact
        "content/briefs/2026/a.md": brief_text("Typed \x07 bell"),
        # in the body: reported, and the rest of the file is still checked
        "content/briefs/2026/b.md": brief_text("B", action="Monitr", body="Red \x1b[31mtext\x1b[0m here."),
        "content/issues/2026-W11.md": "No front matter, but a \x0c form feed.\n",
        "content/pages/about.md": "---\ntitle: About\n---\nA \x9b C1 control.\n",
    })
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    found = {(d.path, d.line, d.col, d.field) for d in check_site(root).diagnostics}
    assert found == {
        ("content/briefs/2026/a.md", 2, 15, ""),
        ("content/briefs/2026/b.md", 12, 13, "implications[0].action"),
        ("content/briefs/2026/b.md", 15, 5, "body"),
        ("content/issues/2026-W11.md", 1, 24, "body"),
        ("content/pages/about.md", 4, 3, "body"),
    }
    assert "2 control characters: U+001B (ESC), U+001B (ESC)" not in err  # repeated ones are named once
    assert "2 control characters: U+001B (ESC) in the text" in err
    assert "control character U+0007 (BEL) in the text" in err
    for raw in "\x07\x1b\x0c\x9b":
        assert raw not in err
    assert "Red \u241b[31mtext\u241b[0m here." in err  # shown as control pictures, same width


def test_site_yaml_and_sources_yaml_are_checked_too(project):
    site_yaml = SITE_YAML.replace("title: Test Digest", 'title: "Test\\x1bDigest"')
    assert site_yaml != SITE_YAML
    root = project({"content/briefs/2026/x.md": brief_text("X")}, site_yaml=site_yaml)
    [d] = check_site(root).diagnostics
    assert (d.path, d.line, d.field) == ("content/site.yaml", 1, "title")
    assert d.source_line[d.col - 1:].startswith("\\x1b")

    root = project({
        "content/briefs/2026/x.md": brief_text("X"),
        "content/sources.yaml": "- name: Example Source\n  feed: https://example.org/feed.xml\n"
                                "  aliases: [\"Ex\\u0007ample\"]\n",
    }, site_yaml=SITE_YAML)
    [d] = check_site(root).diagnostics
    assert (d.path, d.line, d.col, d.field) == ("content/sources.yaml", 3, 16, "[0].aliases[0]")
    assert "written \\u0007" in d.hint

    (root / "content/sources.yaml").write_text("- name: Typed \x1b here\n  feed: https://example.org/f.xml\n",
                                               encoding="utf-8")
    [d] = check_site(root).diagnostics
    assert (d.path, d.line, d.col) == ("content/sources.yaml", 1, 15)


def test_a_line_separator_typed_in_yaml_is_still_a_line_break(project):
    """YAML reads NEL as a line break (the Unicode line separators too); it is no control character there."""
    root = project({"content/briefs/2026/x.md": brief_text("Fine").replace("Why it matters", "Why\x85it matters")})
    assert check_site(root).diagnostics == []


def test_what_check_accepts_builds_into_feeds_that_parse(project):
    odd = "Quotes \" ' < > & ]]> \u2028 \u00a0 \U0001F600 \\\\a"
    root = project({
        "content/briefs/2026/x.md": brief_text(odd.replace('"', '\\"'), body=f"Body {odd} \t tab.").replace(
            "tags: [testing]", 'tags: [testing, "]]> x"]'),
    })
    assert not errors_in(check_site(root).diagnostics)
    build(root)
    assert_feeds_parse(root / "site")
    assert "]]&gt;" in (root / "site/feed.xml").read_text(encoding="utf-8")


def test_the_escape_finder_walks_yaml_double_quotes():
    lines = ['title: "a \\\\a \\" \\a', '  b \\x07\\', 'c \\e"', 'd \\a']
    assert escapes_in_double_quoted(lines, 1, 8) == [(1, 18, "\x07", "\\a"), (2, 5, "\x07", "\\x07"),
                                                     (3, 3, "\x1b", "\\e")]
    assert escapes_in_double_quoted(lines, 1, 1) == []  # not a double-quoted scalar
    assert visible("a\x00b\x7fc\x85d") == "a\u2400b\u2421c\ufffdd"


@settings(max_examples=500, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",))))
def test_the_quick_look_at_the_bytes_never_misses_a_control_character(text):
    found = BAD.search(text.replace("\r", "\n")) is not None
    assert may_hold(text.encode("utf-8")) or not found


def test_the_quick_look_catches_every_bad_character_and_passes_the_rest():
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # not encodable in UTF-8; a file holding one is refused as undecodable
        ch = chr(code)
        expected = BAD.fullmatch(ch) is not None and ch != "\r"
        assert may_hold(f"a{ch}b".encode("utf-8")) == expected, hex(code)
