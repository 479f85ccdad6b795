"""docs/editing.md cannot drift: its examples are run through the real tool.

Each `<!-- example: NAME -->` in the guide is followed by an input block and
a ```text block holding `$ digest check FILE` and what the tool prints. The
first example is a whole brief (```markdown); later ones are ```yaml lines
that replace, in that brief, the line starting with the same key (text up to
the first ':'). The test writes the brief into a site made by `digest init`,
runs the command, and compares its output with the guide, character for
character. After an intended change to a message, refresh the guide with
UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_editing_guide.py
and review the diff.

The same file holds the tests of the pre-commit hook and the pull-request
template, the other pieces editors meet before pushing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import REPO, brief_text
from generator import __version__

GUIDE = REPO / "docs" / "editing.md"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
MARKER = re.compile(r"<!-- example: ([\w-]+) -->")


@dataclass
class Example:
    name: str
    kind: str  # "markdown": a whole file; "yaml": lines to put into the first example's file
    given: str
    command: str  # "digest check content/..."
    output: str  # what the guide says the command prints
    output_span: tuple[int, int]  # where that output is in the guide


def examples(text: str) -> list[Example]:
    found = []
    for marker in MARKER.finditer(text):
        given, said = FENCE.search(text, marker.end()), None
        assert given is not None, marker.group(1)
        said = FENCE.search(text, given.end())
        assert said is not None and said.group(1) == "text", f"{marker.group(1)}: no ```text block after the input"
        first, _, rest = said.group(2).partition("\n")
        assert first.startswith("$ digest check "), f"{marker.group(1)}: the transcript starts with '$ digest check'"
        start = said.start(2) + len(first) + 1
        found.append(Example(marker.group(1), given.group(1), given.group(2), first[2:], rest, (start, said.end(2))))
    return found


def apply(base: str, lines: str) -> str:
    out = base.split("\n")
    for line in lines.rstrip("\n").split("\n"):
        key = line[: line.index(":") + 1]
        index = next(i for i, old in enumerate(out) if old.startswith(key))
        out[index] = line
    return "\n".join(out)


@pytest.fixture(scope="module")
def new_site(tmp_path_factory) -> Path:
    parent = tmp_path_factory.mktemp("guide")
    subprocess.run([sys.executable, "-m", "generator", "init", "site"], cwd=parent, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return parent / "site"


def run(command: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(REPO), NO_COLOR="1")
    args = command.split()[1:]  # after "digest"
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_the_guide_has_the_examples_it_promises():
    found = examples(GUIDE.read_text(encoding="utf-8"))
    assert [e.kind for e in found][:1] == ["markdown"] and len(found) >= 5
    assert {"mistyped-label", "colon-in-a-title", "date-format", "control-characters"} <= {e.name for e in found}


def test_every_example_in_the_guide_is_what_the_tool_prints(new_site):
    text = GUIDE.read_text(encoding="utf-8")
    found = examples(text)
    base, path = None, None
    actual: dict[str, str] = {}
    for example in found:
        target = example.command.split()[-1]
        if example.kind == "markdown":
            base, path = example.given, target
            content = base
        else:
            assert base is not None and target == path, example.name
            content = apply(base, example.given)
        (new_site / target).parent.mkdir(parents=True, exist_ok=True)
        (new_site / target).write_text(content, encoding="utf-8")
        actual[example.name] = run(example.command, new_site)
    if os.environ.get("UPDATE_DOCS"):
        for example in sorted(found, key=lambda e: -e.output_span[0]):
            start, end = example.output_span
            text = text[:start] + actual[example.name] + text[end:]
        GUIDE.write_text(text, encoding="utf-8")
        found = examples(text)
    for example in found:
        assert actual[example.name] == example.output, f"docs/editing.md, example {example.name}"


def test_the_finished_brief_in_the_guide_builds(new_site):
    [brief] = [e for e in examples(GUIDE.read_text(encoding="utf-8")) if e.kind == "markdown"]
    target = new_site / brief.command.split()[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(brief.given, encoding="utf-8")
    assert "0 errors, 0 warnings" in run("digest check --strict", new_site)
    assert "built " in run("digest build --no-search", new_site)
    assert (new_site / "site/briefs/ai-recruitment-guidance/index.html").is_file()


def test_the_pre_commit_snippet_in_the_guide_names_this_version():
    text = GUIDE.read_text(encoding="utf-8")
    assert f"rev: v{__version__}" in text
    assert f"rev: v{__version__}" in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


# -- the pre-commit hook -------------------------------------------------------------

def test_the_hook_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest

    [hook] = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "digest-check" and hook["entry"] == "digest check"
    assert hook["language"] == "python"  # pre-commit installs this package for it
    assert hook["require_serial"] is True and hook["pass_filenames"] is True


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
                        "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"})


def test_pre_commit_runs_the_hook_on_the_files_being_committed(tmp_path):
    """Real pre-commit, real Git. The hook is declared `language: system` here only so that pre-commit
    need not download anything: it runs the manifest's entry with this checkout's `digest`."""
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "generator", "init", str(site)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    local = dict(hook, language="system", entry=str(BIN / hook["entry"]))
    (site / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}), encoding="utf-8")
    git("init", "-q", cwd=site)
    git("add", "-A", cwd=site)
    git("commit", "-q", "-m", "New site", cwd=site)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1",
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")

    def pre_commit() -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "pre-commit"), "run", "--color", "never"], cwd=site, env=env,
                              capture_output=True, text=True, timeout=300)

    broken = site / "content/briefs/2026/broken.md"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text(brief_text("Broken", action="Monitr"), encoding="utf-8")
    git("add", "content/briefs/2026/broken.md", cwd=site)
    failed = pre_commit()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "content/briefs/2026/broken.md:12:13: error: implications[0].action: 'Monitr'" in failed.stdout
    assert "1 error, 0 warnings in 1 file" in failed.stdout  # only the staged file

    broken.write_text(brief_text("Broken"), encoding="utf-8")
    git("add", "content/briefs/2026/broken.md", cwd=site)
    passed = pre_commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "digest check" in passed.stdout and "Passed" in passed.stdout


# -- the pull-request template ----------------------------------------------------------

def checklist(path: Path) -> list[str]:
    return re.findall(r"^- \[ \] (.+)$", path.read_text(encoding="utf-8"), re.M)


def test_the_pull_request_template_is_the_editors_checklist():
    ours = checklist(REPO / ".github/pull_request_template.md")
    assert len(ours) >= 5
    joined = " ".join(ours)
    for needed in ("digest check --strict", "digest serve", "source.url", "draft: true", "marking"):
        assert needed in joined
    # sites made by `digest init` get the same checklist
    assert checklist(REPO / "generator/starter/pull_request_template.md") == ours
