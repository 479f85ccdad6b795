"""`digest check` as editors and CI see it: the exact report, exit codes, JSON, annotations, warnings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SITE_YAML, brief_text
from generator.cli import main

EXACT_BRIEF = """\
---
title: "Exact"
standfirst: "Why it matters."
implications:
  - action: Monitor
    text: "Watch."
  - action: Monitr
    text: "Watch more."
source:
  name: Example Source
  url: https://example.org/exact
published: 2026-03-16
tags: [testing]
key_points: ["One."]
draft: no
---
Body.
"""


def check(root: Path, *extra: str) -> int:
    return main(["check", "--root", str(root), *extra])


def test_the_report_is_exact_sorted_and_ends_with_a_summary(project, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = project({"content/briefs/2026/x.md": EXACT_BRIEF, "content/notes.txt": "scratch\n"})
    assert check(root) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "content/briefs/2026/x.md:7:13: error: implications[1].action: 'Monitr' is not an action;"
        " did you mean 'Monitor'? (actions: Implement, Decide, Consider, Monitor)\n"
        "      - action: Monitr\n"
        "                ^\n"
        "content/briefs/2026/x.md:15:8: error: draft: expected true or false, got 'no';"
        " write true or false (YAML would also read yes/no/on/off as true/false, which is easy to misread)\n"
        "    draft: no\n"
        "           ^\n"
        "content/notes.txt: warning: unknown file in content/ (not built); briefs go in content/briefs/**/*.md,"
        " editorials in content/issues/YYYY-Www.md, pages in content/pages/*.md\n"
        "2 errors, 1 warning in 3 files\n"
    )


def test_every_problem_in_every_file_is_reported_in_one_run(project, capsys):
    root = project({
        "content/briefs/2026/a.md": brief_text("A", action="Monitr", extra="draft: no\n"),
        "content/briefs/2026/b.md": brief_text("B", published="2026-02-30"),
        "content/briefs/2026/c.md": brief_text("C", tags="ai"),
        "content/issues/2026-W11.md": "---\ntitel: x\n---\nText.\n",
    })
    assert check(root) == 1
    err = capsys.readouterr().err
    locations = [line.split(": ", 1)[0] for line in err.splitlines() if ": error: " in line]
    assert locations == [
        "content/briefs/2026/a.md:12:13",
        "content/briefs/2026/a.md:14:8",
        "content/briefs/2026/b.md:7:12",
        "content/briefs/2026/c.md:8:7",
        "content/issues/2026-W11.md:2:1",
    ]
    assert err.splitlines()[-1] == "5 errors, 0 warnings in 5 files"


def test_a_clean_site_exits_0_and_check_writes_nothing(project, capsys):
    root = project({"content/briefs/2026/x.md": brief_text()})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert check(root) == 0
    assert capsys.readouterr().err == "0 errors, 0 warnings in 2 files\n"
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


WARNINGS = {
    "content/briefs/2026/a.md": brief_text("A", tags="[ai-safety, testing]"),
    "content/briefs/2026/b.md": brief_text("B", tags="[ai-safety]"),
    "content/briefs/2026/c.md": brief_text("C", tags="[ai safety]"),
    "content/briefs/2026/d.md": brief_text("D").replace('"Why it matters to agencies."', '"' + "a" * 360 + '"'),
    "content/briefs/2026/e.md": brief_text("E", published="2099-01-01", extra="draft: true\n"),
    "content/briefs/2026/f.md": brief_text("F", published="2025-12-01", extra="draft: true\n"),
    "content/drafts.txt": "notes\n",
}


def test_warnings_do_not_fail_the_check_but_strict_makes_them_fatal(project, capsys):
    root = project(WARNINGS)
    assert check(root) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert [w.split(": warning: ")[0] for w in warnings] == [
        "content/briefs/2026/c.md:8:7",
        "content/briefs/2026/d.md:3:13",
        "content/briefs/2026/e.md:7:12",
        "content/briefs/2026/f.md:14:8",
        "content/drafts.txt",
    ]
    assert "tag 'ai safety' is used only here and is one edit away from 'ai-safety'" in warnings[0]
    assert "standfirst is 360 characters; keep it under 300" in warnings[1]
    assert "2099-01-01 is in the future" in warnings[2] and "Australia/Sydney" in warnings[2]
    assert "this draft is 105 days older than the newest published brief" in warnings[3]
    assert "unknown file" in warnings[4]
    assert err.splitlines()[-1] == "0 errors, 5 warnings in 8 files"
    assert check(root, "--strict") == 1


def test_json_gives_one_object_per_problem_on_stdout(project, capsys):
    root = project({"content/briefs/2026/x.md": EXACT_BRIEF})
    assert check(root, "--format", "json") == 1
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert [(d["path"], d["line"], d["col"], d["severity"], d["field"]) for d in data] == [
        ("content/briefs/2026/x.md", 7, 13, "error", "implications[1].action"),
        ("content/briefs/2026/x.md", 15, 8, "error", "draft"),
    ]
    assert data[0]["message"] == "'Monitr' is not an action"
    assert data[0]["hint"].startswith("did you mean 'Monitor'?")
    assert data[0]["source_line"] == "  - action: Monitr"


def test_github_actions_also_gets_annotations(project, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    root = project({"content/briefs/2026/x.md": EXACT_BRIEF})
    assert check(root) == 1
    err = capsys.readouterr().err
    assert ("::error file=content/briefs/2026/x.md,line=7,col=13::implications[1].action: 'Monitr' is not an action;"
            " did you mean 'Monitor'? (actions: Implement, Decide, Consider, Monitor)") in err.splitlines()


def test_bom_and_crlf_are_accepted_and_positions_still_count_lines(project, capsys):
    good = ("\ufeff" + brief_text("Windows")).replace("\n", "\r\n")
    bad = ("\ufeff" + brief_text("Windows bad", action="Monitr")).replace("\n", "\r\n")
    root = project({"content/briefs/2026/x.md": good.encode("utf-8")})
    assert check(root) == 0
    (root / "content/briefs/2026/y.md").write_bytes(bad.encode("utf-8"))
    assert check(root) == 1
    assert "content/briefs/2026/y.md:12:13: error: implications[0].action:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["check", "--no-such-option"],
    ["check", "--format", "xml"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_a_root_that_does_not_exist_is_a_usage_error(tmp_path, capsys):
    assert check(tmp_path / "nowhere") == 2
    assert "is not a folder" in capsys.readouterr().err


def test_a_folder_without_content_says_where_it_looked(tmp_path, capsys):
    assert check(tmp_path) == 1
    err = capsys.readouterr().err
    assert "content/site.yaml: error: site.yaml is missing" in err
    assert "content: error: no content/ folder here" in err


@pytest.mark.parametrize("out", [".", "content", "layouts", "..", "content/briefs/.."])
def test_build_refuses_an_out_folder_that_holds_the_sources(project, capsys, out):
    root = project({"content/briefs/2026/x.md": brief_text(), "layouts/.keep": ""})
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert main(["build", "--root", str(root), "--out", str(root / out), "--no-search"]) == 2
    assert "refusing to write the site into" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_check_in_a_subprocess_exits_1_without_a_traceback(project):
    root = project({"content/briefs/2026/x.md": EXACT_BRIEF})
    proc = subprocess.run([sys.executable, "-m", "generator", "check", "--root", str(root)],
                          capture_output=True, text=True, cwd=REPO, env={**os.environ, "GITHUB_ACTIONS": ""})
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith("content/briefs/2026/x.md:7:13: error: implications[1].action:")
    assert proc.stderr.splitlines()[-1] == "2 errors, 0 warnings in 2 files"
