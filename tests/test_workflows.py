"""The GitHub Actions workflows: linted, pinned, least-privilege, and running the
same commands as the Makefile and the README so the three cannot drift apart."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent  # the venv's bin: actionlint, zizmor, shellcheck
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))

SHA_PIN = re.compile(r"^(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})$")
VERSION_COMMENT = re.compile(r"#\s*v(?P<major>\d+)\.\d+\.\d+\s*$")

# The first major version of each action that runs on Node 24 (Node 20 is deprecated).
NODE24_FROM = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/upload-artifact": 6,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/cache/restore": 5,
    "actions/cache/save": 5,
}


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing from {BIN}: run `make setup` (it is in the test extras)"
    return str(path)


def lint_env() -> dict[str, str]:
    # actionlint runs shellcheck on every `run:` script when it finds it on PATH.
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the key `on` as the boolean True.
    return workflow.get("on", workflow.get(True)) or {}


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def run_commands(workflow: dict, job: str) -> list[str]:
    return [line.strip() for step in steps(workflow, job) if "run" in step for line in step["run"].splitlines()]


def uses_lines() -> list[tuple[str, str]]:
    """(file name, raw `uses:` line) for every action reference, comment included."""
    found = []
    for path in WORKFLOW_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip().removeprefix("- ")
            if stripped.startswith("uses:"):
                found.append((path.name, stripped.removeprefix("uses:").strip()))
    return found


# ---- the Makefile, parsed -----------------------------------------------------


def makefile() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(variables, target -> recipe lines with variables expanded)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables: dict[str, str] = {}
    recipes: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("\t") and current:
            recipes[current].append(line.strip())
            continue
        current = None
        assignment = re.match(r"^([A-Z_]+)\s*[:?]?=\s*(.*?)\s*$", line)
        if assignment:
            variables[assignment.group(1)] = assignment.group(2)
            continue
        rule = re.match(r"^([\w./$()-]+)\s*:(?!=)", line)
        if rule and not rule.group(1).startswith("."):
            current = rule.group(1)
            recipes[current] = []

    def expand(s: str) -> str:
        for _ in range(5):
            s = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), s)
        return s

    return variables, {target: [expand(line) for line in lines] for target, lines in recipes.items()}


# ---- linters ---------------------------------------------------------------------


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOW_FILES] == ["check.yml", "ingest.yml", "publish.yml"]


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_actionlint_passes_with_shellcheck(path):
    tool("shellcheck")
    result = subprocess.run(
        [tool("actionlint"), "-no-color", str(path)], cwd=ROOT, env=lint_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def zizmor(target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("zizmor"), "--offline", "--strict-collection", "--format=json", str(target)],
        cwd=ROOT,
        env=lint_env(),
        capture_output=True,
        text=True,
    )


def test_zizmor_finds_nothing_in_the_workflows():
    # Exit codes: 0 no findings, 1 an error, 10-14 the highest severity found.
    result = zizmor(ROOT / ".github")
    findings = json.loads(result.stdout or "[]")
    summary = [(f["ident"], f["determinations"]["severity"], f["desc"]) for f in findings]
    assert result.returncode == 0 and summary == [], f"{summary}\n{result.stderr}"


def test_the_linters_do_catch_a_bad_workflow(tmp_path):
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo \"${{ github.event.pull_request.title }}\" && echo $UNQUOTED\n"
        "        timeout: 5\n",
        encoding="utf-8",
    )

    linted = subprocess.run(
        [tool("actionlint"), "-no-color", str(bad)], cwd=tmp_path, env=lint_env(), capture_output=True, text=True
    )
    assert linted.returncode == 1
    assert 'unexpected key "timeout"' in linted.stdout
    assert "SC2086" in linted.stdout  # shellcheck ran

    audited = zizmor(bad)
    idents = {f["ident"] for f in json.loads(audited.stdout)}
    assert audited.returncode >= 10
    assert {"template-injection", "unpinned-uses", "artipacked", "dangerous-triggers"} <= idents


# ---- pinned, current, least privilege -----------------------------------------------


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment():
    lines = uses_lines()
    assert lines
    for file, ref in lines:
        action_ref, _, comment = ref.partition(" ")
        assert SHA_PIN.match(action_ref), f"{file}: {ref} is not pinned to a full commit SHA"
        assert VERSION_COMMENT.search(comment), f"{file}: {ref} lacks a '# vX.Y.Z' comment"


def test_every_action_is_a_version_that_runs_on_node_24():
    for file, ref in uses_lines():
        action = SHA_PIN.match(ref.split()[0]).group("action")
        assert action in NODE24_FROM, f"{file}: {action} is not a reviewed action"
        major = int(VERSION_COMMENT.search(ref).group("major"))
        assert major >= NODE24_FROM[action], f"{file}: {action} v{major} runs on a deprecated Node"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for _, ref in uses_lines():
        action, _, sha = ref.split()[0].partition("@")
        pins.setdefault(action, set()).add(sha)
    assert {a: s for a, s in pins.items() if len(s) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_checkouts_do_not_keep_the_token(path):
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}:{name}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path):
    # Values reach scripts through env, so neither a secret nor a crafted title
    # becomes shell code, and secrets stay masked.
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), f"{path.name}:{name}: {step.get('name')}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_permissions_are_granted_per_job_and_no_wider_than_needed(path):
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    top = workflow.get("permissions")
    assert top in ({}, {"contents": "read"}), f"{path.name}: top-level permissions {top}"
    allowed = {"contents": {"read", "write"}, "pages": {"write"}, "id-token": {"write"}, "pull-requests": {"write"}}
    for name, job in workflow["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            assert level in allowed.get(scope, set()), f"{path.name}:{name}: {scope}: {level}"


# ---- what each workflow does ----------------------------------------------------------


def test_check_runs_on_pull_requests_with_a_pip_cache_keyed_on_pyproject():
    workflow = load("check.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    setup = next(s for s in steps(workflow, "check") if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"
    assert setup["with"]["cache-dependency-path"] == "pyproject.toml"


def test_check_uploads_the_built_site_for_review():
    workflow = load("check.yml")
    upload = next(s for s in steps(workflow, "check") if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"
    assert upload["with"]["if-no-files-found"] == "error"
    assert upload["with"]["include-hidden-files"] is True  # the manifest lists dotfiles too
    commands = run_commands(workflow, "check")
    assert commands.index("make site") < commands.index(".venv/bin/digest verify site")


def test_publish_deploys_to_pages_with_the_pages_base_url():
    workflow = load("publish.yml")
    assert set(triggers(workflow)) == {"push", "workflow_dispatch"}
    assert triggers(workflow)["push"] == {"branches": ["main"]}

    build = steps(workflow, "build")
    pages = next(s for s in build if s.get("uses", "").startswith("actions/configure-pages@"))
    assert pages["id"] == "pages"
    build_step = next(s for s in build if "digest build" in s.get("run", ""))
    assert build_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert '--base-url "${BASE_URL%/}/"' in build_step["run"]
    upload = next(s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"] == {"path": "site/", "include-hidden-files": True}

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}


def test_publish_never_cancels_a_deployment_half_way():
    workflow = load("publish.yml")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert workflow["concurrency"]["group"]
    assert workflow["permissions"] == {}


def test_publishing_restores_no_cache_a_pull_request_could_have_written():
    workflow = load("publish.yml")
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            assert "cache" not in step.get("with", {}), step


def test_the_intranet_target_is_off_by_default_and_replaces_pages_when_chosen():
    workflow = load("publish.yml")
    jobs = workflow["jobs"]
    assert "vars.DEPLOY_TARGET == 'intranet'" in jobs["intranet"]["if"]
    assert "github.ref == 'refs/heads/main'" in jobs["intranet"]["if"]
    assert jobs["build"]["if"] == "vars.DEPLOY_TARGET != 'intranet'"
    commands = "\n".join(run_commands(workflow, "intranet"))
    assert "rsync " in commands and "StrictHostKeyChecking=yes" in commands
    assert "mv -Tf current.new current" in commands  # one atomic switch
    assert steps(workflow, "intranet")[-1]["if"] == "always()"  # the key is removed whatever happens


def test_every_secret_and_variable_the_publish_workflow_reads_is_documented():
    text = (WORKFLOWS / "publish.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", text))
    assert {"DEPLOY_TARGET", "INTRANET_SSH_KEY", "INTRANET_HOST", "INTRANET_PATH", "INTRANET_KNOWN_HOSTS"} <= names
    docs = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert {name for name in names if f"`{name}`" not in docs} == set()


def test_ingest_runs_on_weekday_mornings_in_sydney_and_opens_a_pull_request():
    workflow = load("ingest.yml")
    on = triggers(workflow)
    assert "workflow_dispatch" in on
    [schedule] = on["schedule"]
    minute, hour, _, _, weekdays = schedule["cron"].split()
    # 21:00 UTC Sunday-Thursday = 07:00 AEST / 08:00 AEDT Monday-Friday.
    assert (minute, hour, weekdays) == ("0", "21", "0-4")

    job = workflow["jobs"]["ingest"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    commands = run_commands(workflow, "ingest")
    assert ".venv/bin/digest ingest" in commands
    script = "\n".join(commands)
    assert "gh pr create" in script and "git push" in script
    pr_step = next(s for s in steps(workflow, "ingest") if "gh pr create" in s.get("run", ""))
    assert pr_step["env"]["GH_TOKEN"] == "${{ github.token }}"


# ---- no drift between the workflows, the Makefile, .ci/run and the README --------------


def test_check_runs_the_makefile_commands_in_order():
    _, recipes = makefile()
    commands = run_commands(load("check.yml"), "check")

    assert recipes["check"] == [".venv/bin/digest check --strict"]
    expected = ["make setup", recipes["check"][0], "make test", "make site"]
    assert [c for c in commands if c in expected] == expected


def test_every_workflow_installs_with_make_setup_and_nothing_else():
    _, recipes = makefile()
    assert "setup" in recipes
    for path in WORKFLOW_FILES:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name in workflow["jobs"]:
            commands = run_commands(workflow, name) if "steps" in workflow["jobs"][name] else []
            if any(".venv/bin/" in c or c.startswith("make ") for c in commands):
                assert "make setup" in commands, f"{path.name}:{name} does not install with make setup"
            assert not any("pip install" in c for c in commands), f"{path.name}:{name} installs on its own"


def test_every_make_target_a_workflow_runs_exists():
    _, recipes = makefile()
    for path in WORKFLOW_FILES:
        for target in re.findall(r"\bmake ([\w-]+)", path.read_text(encoding="utf-8")):
            assert target in recipes, f"{path.name} runs `make {target}`, which the Makefile lacks"


def test_publish_builds_exactly_as_make_site_plus_the_pages_base_url():
    _, recipes = makefile()
    [site_command] = recipes["site"]
    assert site_command == ".venv/bin/digest build"
    workflow = load("publish.yml")
    build_lines = [c for c in run_commands(workflow, "build") if "digest build" in c]
    assert build_lines == [f'{site_command} --base-url "${{BASE_URL%/}}/"']
    assert "make site" in run_commands(workflow, "intranet")


def test_ci_entry_point_runs_the_same_test_command_as_the_pull_request_check():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export CI=true" in ci
    assert re.search(r"^make test$", ci, re.M)
    workflow = load("check.yml")
    assert workflow["jobs"]["check"]["env"]["CI"] == "true"
    assert "make test" in run_commands(workflow, "check")


def test_readme_names_the_same_commands_as_the_makefile_and_workflows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    _, recipes = makefile()
    assert "make test" in readme
    assert "make serve" in readme
    for target in set(re.findall(r"\bmake ([a-z][\w-]*)", readme)):
        assert target in recipes, f"README.md names `make {target}`, which the Makefile lacks"
    from generator.cli import COMMANDS

    code = "\n".join(re.findall(r"`([^`\n]+)`", readme) + re.findall(r"```[^\n]*\n(.*?)```", readme, re.S))
    for command in re.findall(r"(?:^|[\s/$])digest ([a-z]+)\b", code, re.M):
        assert command in COMMANDS, f"README.md names `digest {command}`, which does not exist"


def test_ingest_keeps_its_state_between_runs_and_saves_it_only_after_the_pull_request():
    from generator.ingest.state import STATE_PATH

    names = [s.get("uses", "").split("@")[0] or s.get("run", "") for s in steps(load("ingest.yml"), "ingest")]
    restore = names.index("actions/cache/restore")
    ingest = next(i for i, n in enumerate(names) if n.strip() == ".venv/bin/digest ingest")
    pull_request = next(i for i, n in enumerate(names) if "gh pr create" in n)
    save = names.index("actions/cache/save")
    assert restore < ingest < pull_request < save

    cache_steps = [s for s in steps(load("ingest.yml"), "ingest") if s.get("uses", "").startswith("actions/cache/")]
    assert {s["with"]["path"] for s in cache_steps} == {STATE_PATH}
    assert cache_steps[0]["with"]["restore-keys"] == "ingest-state-"
