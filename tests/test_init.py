"""`digest init [DIR]`: a new site that `digest check --strict` and `digest build` accept as written.

The starter's workflows pass the same linters as the project's own (actionlint
with ShellCheck, zizmor), use the same pinned actions, and run only what a
site has: the `digest` command installed from requirements.txt.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from generator import __version__
from generator.newsite import LAYOUT, SOURCE_URL, starter_files

BIN = Path(sys.executable).parent
EXPECTED = [".github/pull_request_template.md", ".github/workflows/check.yml", ".github/workflows/ingest.yml", ".github/workflows/publish.yml",
            ".gitignore", "content/briefs/{year}/welcome.md", "content/pages/about.md", "content/site.yaml",
            "content/sources.yaml", "requirements.txt"]


def digest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def new_site(tmp_path_factory) -> Path:
    parent = tmp_path_factory.mktemp("init")
    result = digest("init", "our-digest", cwd=parent)
    assert result.returncode == 0, result.stderr
    return parent / "our-digest"


def test_init_writes_the_promised_files(new_site):
    year = dt.date.today().year
    written = sorted(str(p.relative_to(new_site)) for p in new_site.rglob("*") if p.is_file())
    assert written in (sorted(e.format(year=y) for e in EXPECTED) for y in (year - 1, year, year + 1))


def test_the_new_site_passes_check_strict_with_nothing_to_say(new_site):
    result = digest("check", "--strict", cwd=new_site)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"0 errors, 0 warnings in \d+ files\n", result.stderr)


def test_the_new_site_builds_with_search_and_verifies(new_site):
    built = digest("build", cwd=new_site)
    assert built.returncode == 0, built.stderr
    assert "1 briefs" in built.stdout or "1 brief" in built.stdout
    assert "search:" in built.stdout
    site = new_site / "site"
    assert (site / "about/index.html").is_file()
    assert (site / "briefs/welcome/index.html").is_file()
    verified = digest("verify", cwd=new_site)
    assert verified.returncode == 0, verified.stderr


def test_the_gitignore_keeps_build_output_out_of_git(new_site):
    digest("build", "--no-search", cwd=new_site)
    subprocess.run(["git", "init", "-q"], cwd=new_site, check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=new_site,
                            capture_output=True, text=True, check=True).stdout
    listed = sorted(line[3:] for line in status.splitlines())
    assert (new_site / "site").is_dir() and (new_site / ".digest-cache").is_dir()
    # nothing the build left behind shows up: only the files init wrote
    assert listed == sorted(starter_files(dt.date.today()))


def test_init_never_overwrites_and_says_what_is_there(new_site):
    before = {p: p.read_bytes() for p in new_site.rglob("*.md")}
    result = digest("init", cwd=new_site)
    assert result.returncode == 1
    assert "already has content/site.yaml" in result.stderr and "nothing was written" in result.stderr
    assert {p: p.read_bytes() for p in new_site.rglob("*.md")} == before


def test_init_into_an_existing_folder_without_a_site(tmp_path):
    (tmp_path / "README.md").write_text("Our team's repository.\n", encoding="utf-8")
    result = digest("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "content/site.yaml").is_file()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "Our team's repository.\n"
    assert "next: set title and base_url" in result.stdout


def test_init_on_a_file_is_a_plain_error(tmp_path):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    result = digest("init", "taken", cwd=tmp_path)
    assert result.returncode == 1
    assert "exists and is not a folder" in result.stderr and "Traceback" not in result.stderr


def test_requirements_pin_this_version():
    text = starter_files(dt.date(2026, 3, 16))["requirements.txt"].decode()
    assert f"\nai-digest=={__version__}\n" in text
    assert f"git+{SOURCE_URL}@v{__version__}" in text
    assert "@" not in text.replace(f"git+{SOURCE_URL}@v{__version__}", "").replace("ai-digest @", "")


def test_the_starter_has_no_unfilled_markers():
    for path, data in starter_files(dt.date(2026, 3, 16)).items():
        assert not re.search(r"@[A-Z_]+@", data.decode()), path
    assert set(LAYOUT.values()) == {str(p.relative_to(REPO / "generator/starter"))
                                    for p in (REPO / "generator/starter").rglob("*") if p.is_file()}


# -- the starter's workflows ------------------------------------------------------

def starter_workflows(new_site: Path) -> list[Path]:
    return sorted((new_site / ".github/workflows").glob("*.yml"))


def lint_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}


def test_the_starter_workflows_pass_actionlint_with_shellcheck(new_site):
    assert (BIN / "shellcheck").exists()
    result = subprocess.run([str(BIN / "actionlint"), "-no-color", *map(str, starter_workflows(new_site))],
                            cwd=new_site, env=lint_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_in_the_starter_workflows(new_site):
    result = subprocess.run([str(BIN / "zizmor"), "--offline", "--strict-collection", "--format=json",
                             str(new_site / ".github")], cwd=new_site, env=lint_env(), capture_output=True, text=True)
    findings = [(f["ident"], f["desc"]) for f in json.loads(result.stdout or "[]")]
    assert result.returncode == 0 and findings == [], f"{findings}\n{result.stderr}"


def uses(workflow: Path) -> set[str]:
    return set(re.findall(r"uses: (\S+@[0-9a-f]{40})", workflow.read_text(encoding="utf-8")))


def test_the_starter_pins_the_actions_the_project_pins(new_site):
    ours = set().union(*(uses(p) for p in (REPO / ".github/workflows").glob("*.yml")))
    ours_by_action = {u.split("@")[0]: u for u in ours}
    for workflow in starter_workflows(new_site):
        for use in uses(workflow):
            action = use.split("@")[0]
            if action in ours_by_action:  # the same commit as the project's own workflows
                assert use == ours_by_action[action], f"{workflow.name}: {use} vs {ours_by_action[action]}"
        text = workflow.read_text(encoding="utf-8")
        assert "uses:" in text and not re.search(r"uses: \S+@(?![0-9a-f]{40}\b)", text)


def test_the_starter_workflows_run_only_what_a_site_has(new_site):
    for workflow in starter_workflows(new_site):
        text = workflow.read_text(encoding="utf-8")
        assert "make " not in text and ".venv" not in text and "pytest" not in text, workflow.name
        data = yaml.safe_load(text)
        runs = [s.get("run", "") for job in data["jobs"].values() for s in job.get("steps", [])]
        if any("digest " in r for r in runs):
            assert any("pip install --requirement requirements.txt" in r for r in runs), workflow.name


def test_the_ingest_job_that_reads_feeds_cannot_write(new_site):
    data = yaml.safe_load((new_site / ".github/workflows/ingest.yml").read_text(encoding="utf-8"))
    jobs = data["jobs"]
    readers = [name for name, job in jobs.items() if any("digest ingest" in s.get("run", "") for s in job["steps"])]
    assert readers == ["draft"]
    assert jobs["draft"]["permissions"] == {"contents": "read"}
    writer = jobs["propose"]
    assert writer["permissions"] == {"contents": "write", "pull-requests": "write"}
    # it does not even install the tool, so it cannot parse what the feeds said
    assert not any("pip install" in s.get("run", "") or "setup-python" in s.get("uses", "") for s in writer["steps"])
    assert data["permissions"] == {}
