"""Run from anywhere inside a site, check just some files, and colour on a terminal.

Every command looks for the site root upwards from the current folder, as git
looks for .git, and text reports give paths from the current folder so they
can be opened as shown. `digest check FILE...` reports what concerns those
files, including the site-wide rules they take part in. Errors and warnings
are coloured on a terminal only; NO_COLOR turns colour off, FORCE_COLOR on.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SITE_YAML, brief_text, make_project

FEED = REPO / "tests/fixtures/feeds/atom-research-blog.xml"
ESC = "\x1b["


def digest(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR")}
    environment.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def site(tmp_path) -> Path:
    return make_project(tmp_path / "team-site", {
        "content/briefs/2026/good.md": brief_text("Good", url="https://example.org/good"),
        "content/briefs/2026/typo.md": brief_text("Typo", action="Monitr", url="https://example.org/typo"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout the digest.\n",
    })


# -- finding the site root ---------------------------------------------------------

def test_check_from_a_subfolder_finds_the_site_and_gives_paths_from_here(site):
    here = site / "content/briefs/2026"
    result = digest("check", cwd=here)
    assert result.returncode == 1
    assert result.stderr.startswith("typo.md:12:13: error: implications[0].action: 'Monitr' is not an action")
    assert result.stderr.endswith("1 error, 0 warnings in 4 files\n")

    from_pages = digest("check", cwd=site / "content/pages")
    assert from_pages.stderr.startswith("../briefs/2026/typo.md:12:13: error:")


def test_build_new_and_verify_from_a_subfolder_work_on_the_site_root(site):
    (site / "content/briefs/2026/typo.md").unlink()
    here = site / "content/pages"
    built = digest("build", "--no-search", cwd=here)
    assert built.returncode == 0, built.stderr
    assert "into ../../site" in built.stdout
    assert (site / "site/briefs/good/index.html").is_file()
    assert not (here / "site").exists()

    verified = digest("verify", cwd=here)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("verified ") and "in ../../site" in verified.stdout

    made = digest("new", "brief", "Written from a subfolder", cwd=here)
    assert made.returncode == 0, made.stderr
    shown = made.stdout.strip()
    assert shown.startswith("../briefs/") and shown.endswith("/written-from-a-subfolder.md")
    assert (here / shown).is_file()


def test_ingest_from_a_subfolder_writes_into_the_site(site):
    here = site / "content/briefs"
    result = digest("ingest", "--dry-run", str(FEED), cwd=here)
    assert result.returncode == 0, result.stderr
    assert "content/briefs/" in result.stdout + result.stderr


def test_root_overrides_the_search_and_no_site_is_a_plain_error(site, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert digest("check", "--root", str(site), cwd=elsewhere).returncode == 1
    lost = digest("check", cwd=elsewhere)
    assert lost.returncode == 1
    assert "no content/ folder here" in lost.stderr and str(elsewhere) in lost.stderr
    assert "Traceback" not in lost.stderr


def test_the_nearest_site_wins(site):
    inner = make_project(site / "content/pages/nested-site", {"content/briefs/2026/x.md": brief_text("X")})
    # a folder inside content/ is an odd place for a site, but the nearest one is the one meant
    result = digest("check", "--format", "json", cwd=inner / "content")
    assert result.returncode == 0, result.stderr


# -- digest check FILE... ------------------------------------------------------------

def test_check_files_reports_only_those_files(site):
    only_good = digest("check", "content/briefs/2026/good.md", cwd=site)
    assert only_good.returncode == 0, only_good.stderr
    assert only_good.stderr == "0 errors, 0 warnings in 1 file\n"

    both = digest("check", "content/briefs/2026/good.md", "content/briefs/2026/typo.md", cwd=site)
    assert both.returncode == 1
    assert both.stderr.startswith("content/briefs/2026/typo.md:12:13: error:")
    assert both.stderr.endswith("1 error, 0 warnings in 2 files\n")


def test_check_files_includes_the_site_wide_rules_the_file_takes_part_in(site):
    # copy.md takes good.md's URL: the clash is reported on one of them (the later by path) and names both
    (site / "content/briefs/2026/copy.md").write_text(
        brief_text("Copy", url="https://example.org/good"), encoding="utf-8")
    for name in ("good.md", "copy.md"):
        result = digest("check", name, cwd=site / "content/briefs/2026")
        assert result.returncode == 1, name
        assert "good.md:6:8: error: source.url: 'https://example.org/good' is used by 2 briefs" in result.stderr
    assert digest("check", "content/pages/about.md", cwd=site).returncode == 0


def test_check_files_always_reports_a_broken_site_yaml_and_site_yaml_checks_everything(site):
    assert digest("check", "content/site.yaml", cwd=site).returncode == 1  # typo.md, via the actions
    (site / "content/site.yaml").write_text(SITE_YAML.replace("per_page: 20", "per_page: many"), encoding="utf-8")
    result = digest("check", "content/pages/about.md", cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith("content/site.yaml:8:11: error: per_page:")


def test_check_files_refuses_what_is_not_a_content_file(site, tmp_path):
    (tmp_path / "stray.md").write_text("x", encoding="utf-8")
    for args, message in ((["content/briefs/2026/nope.md"], "content/briefs/2026/nope.md: no such file"),
                          ([str(tmp_path / "stray.md")], "is not inside the site's content/ folder"),
                          (["content/briefs"], "is a folder")):
        result = digest("check", *args, cwd=site)
        assert result.returncode == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_check_files_json_lists_only_their_problems(site):
    result = digest("check", "--format", "json", "content/briefs/2026/typo.md", cwd=site)
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)
    assert problem["path"] == "content/briefs/2026/typo.md" and problem["line"] == 12


# -- colour ----------------------------------------------------------------------------

def run_in_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """Run digest with stdout and stderr on a real pseudo-terminal; return what the terminal received."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR")}
    environment.update(PYTHONPATH=str(REPO), TERM="xterm", **env)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, env=environment,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            raise AssertionError("digest wrote nothing for 60 s")
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8")


def test_errors_are_coloured_on_a_terminal(site):
    seen = run_in_terminal(["check"], cwd=site)
    assert f"{ESC}1mcontent/briefs/2026/typo.md:12:13:{ESC}0m {ESC}1;31merror:{ESC}0m implications[0]" in seen
    assert f"{ESC}1;31m1 error, 0 warnings in 4 files{ESC}0m" in seen


def test_warnings_are_coloured_yellow(site):
    (site / "content/briefs/2026/typo.md").unlink()
    (site / "content/notes.txt").write_text("scratch\n", encoding="utf-8")
    seen = run_in_terminal(["check"], cwd=site)
    assert f"{ESC}1;33mwarning:{ESC}0m unknown file in content/" in seen


def test_no_color_is_honoured_on_a_terminal(site):
    seen = run_in_terminal(["check"], cwd=site, NO_COLOR="1")
    assert "typo.md:12:13: error:" in seen and ESC not in seen
    assert ESC not in run_in_terminal(["check"], cwd=site, NO_COLOR="1", FORCE_COLOR="1")


def test_no_colour_into_a_pipe_unless_forced_and_never_in_json(site):
    assert ESC not in digest("check", cwd=site).stderr
    assert f"{ESC}1;31merror:{ESC}0m" in digest("check", cwd=site, FORCE_COLOR="1").stderr
    forced_json = digest("check", "--format", "json", cwd=site, FORCE_COLOR="1")
    assert ESC not in forced_json.stdout + forced_json.stderr
    json.loads(forced_json.stdout)


def test_the_build_colours_its_errors_too(site):
    seen = run_in_terminal(["build", "--no-search"], cwd=site / "content")
    assert f"{ESC}1;31merror:{ESC}0m" in seen and "briefs/2026/typo.md:12:13:" in seen
