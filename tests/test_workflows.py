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
    "actions/download-artifact": 7,
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
    allowed = {"contents": {"read", "write"}, "pages": {"read", "write"}, "id-token": {"write"},
               "pull-requests": {"read", "write"}}
    for name, job in workflow["jobs"].items():
        for scope, level in (job.get("permissions") or {}).items():
            assert level in allowed.get(scope, set()), f"{path.name}:{name}: {scope}: {level}"


# ---- what each workflow does ----------------------------------------------------------


def test_check_runs_on_pull_requests_with_pip_caches_keyed_on_what_each_job_installs():
    workflow = load("check.yml")
    assert set(triggers(workflow)) == {"pull_request"}
    for job, key in (("content", "requirements/build.txt"), ("tests", "pyproject.toml")):
        setup = next(s for s in steps(workflow, job) if s.get("uses", "").startswith("actions/setup-python@"))
        assert setup["with"]["cache"] == "pip"
        assert setup["with"]["cache-dependency-path"] == key


def test_check_uploads_the_built_site_for_review():
    workflow = load("check.yml")
    upload = next(s for s in steps(workflow, "content") if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"
    assert upload["with"]["if-no-files-found"] == "error"
    assert upload["with"]["include-hidden-files"] is True  # the manifest lists dotfiles too
    commands = run_commands(workflow, "content")
    assert commands.index(".venv/bin/digest build") < commands.index(".venv/bin/digest verify site")


def test_content_is_checked_built_and_previewed_without_waiting_for_the_tests():
    workflow = load("check.yml")
    content = workflow["jobs"]["content"]
    assert "needs" not in content and "if" not in content  # starts at once, on every pull request
    assert content["timeout-minutes"] <= 5  # designed for about a minute; a hung step fails fast
    commands = run_commands(workflow, "content")
    assert commands[0] == "make setup-locked"  # the runtime alone: no browser, no test tools
    assert not any("make test" in c or "pytest" in c or "make setup" == c for c in commands)

    tests = workflow["jobs"]["tests"]
    assert tests["needs"] == "changes"
    assert tests["if"] == "needs.changes.outputs.code == 'true'"
    assert "make test" in run_commands(workflow, "tests")
    changes = workflow["jobs"]["changes"]
    assert changes["permissions"] == {"pull-requests": "read"}
    assert changes["outputs"]["code"] == "${{ steps.files.outputs.code }}"


def run_changes_script(tmp_path: Path, files: list[dict]) -> str:
    """The `changes` job's script, run by bash against a stand-in `gh` that prints `files` as the API would."""
    step = next(s for s in steps(load("check.yml"), "changes") if s.get("id") == "files")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    listing = tmp_path / "files.json"
    listing.write_text(json.dumps(files), encoding="utf-8")
    gh = bin_dir / "gh"
    # --jq is applied here with Python, as gh would apply it.
    gh.write_text(f"""#!{sys.executable}
import json, sys
assert sys.argv[1:4] == ["api", "--paginate", "repos/owner/repo/pulls/7/files"], sys.argv
for f in json.load(open({str(listing)!r})):
    print(f["filename"])
    if f.get("previous_filename"):
        print(f["previous_filename"])
""", encoding="utf-8")
    gh.chmod(0o755)
    output = tmp_path / "output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
           "GITHUB_REPOSITORY": "owner/repo", "PR_NUMBER": "7", "GH_TOKEN": "unused"}
    done = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return output.read_text(encoding="utf-8").strip()


def test_the_tests_are_skipped_only_when_nothing_outside_content_changed(tmp_path):
    brief = {"filename": "content/briefs/2026/a.md"}
    assert run_changes_script(tmp_path, [brief, {"filename": "content/site.yaml"}]) == "code=false"
    assert run_changes_script(tmp_path, [brief, {"filename": "generator/build.py"}]) == "code=true"
    assert run_changes_script(tmp_path, [{"filename": "README.md"}]) == "code=true"
    moved = {"filename": "content/notes.py", "previous_filename": "generator/notes.py"}
    assert run_changes_script(tmp_path, [moved]) == "code=true"
    assert run_changes_script(tmp_path, []) == "code=true"
    many = [{"filename": f"content/briefs/2026/b{i}.md"} for i in range(3000)]
    assert run_changes_script(tmp_path, many) == "code=true"  # the API stops at 3000: assume the worst


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
    # configure-pages reads the Pages settings, which private repositories guard.
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}


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
    assert workflow["permissions"] == {}
    assert ".venv/bin/digest ingest" in run_commands(workflow, "draft")
    script = "\n".join(run_commands(workflow, "propose"))
    assert "gh pr create" in script and "git push" in script
    pr_step = next(s for s in steps(workflow, "propose") if "gh pr create" in s.get("run", ""))
    assert pr_step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_the_job_that_parses_feeds_cannot_write_and_the_job_that_writes_parses_nothing():
    workflow = load("ingest.yml")
    jobs = workflow["jobs"]
    assert set(jobs) == {"draft", "propose", "remember"}
    assert jobs["draft"]["permissions"] == {"contents": "read"}
    assert jobs["propose"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["remember"]["permissions"] == {}
    assert jobs["propose"]["needs"] == "draft"
    assert jobs["propose"]["if"] == "needs.draft.outputs.drafts != '0'"

    # Every program that reads a feed or a draft runs in `draft`: the writing job installs nothing,
    # runs no digest command and no Python, and takes the drafts as an artifact.
    propose = steps(workflow, "propose")
    assert [s["uses"].split("@")[0] for s in propose if "uses" in s] == ["actions/checkout",
                                                                        "actions/download-artifact"]
    script = "\n".join(c for c in run_commands(workflow, "propose") if not c.startswith("#"))
    for program in ("digest", "python3?", "make", "pip", "yq", "jq", "cat", "source", "eval"):
        assert not re.search(rf"(?<![\w-]){program}(?![\w-])", script), f"the job that writes runs {program}"
    download = next(s for s in propose if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["name"] == "drafts"
    upload = [s for s in steps(workflow, "draft") if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert {s["with"]["name"] for s in upload} == {"drafts", "ingest-state"}


# ---- no drift between the workflows, the Makefile, .ci/run and the README --------------


def test_check_runs_the_makefile_commands_in_order():
    _, recipes = makefile()
    workflow = load("check.yml")
    assert recipes["check"] == [".venv/bin/digest check --strict"]
    assert recipes["site"] == [".venv/bin/digest build"]
    expected = ["make setup-locked", recipes["check"][0], recipes["site"][0], ".venv/bin/digest verify site"]
    assert [c for c in run_commands(workflow, "content") if c in expected] == expected
    assert run_commands(workflow, "tests") == ["make setup", "make test"]


def test_what_builds_publishes_or_ingests_installs_only_the_locked_runtime():
    """make setup-locked: pinned versions with hashes, no dependencies resolved, nothing else installed."""
    _, recipes = makefile()
    lock = recipes["setup-locked"]
    assert any("--require-hashes --no-deps -r requirements/build.txt" in line for line in lock)
    assert any("--no-deps --no-build-isolation --no-index ." in line for line in lock)
    assert lock[-1] == ".venv/bin/python -m pip check"  # the lock is complete
    locked_jobs = {("check.yml", "content"), ("publish.yml", "build"), ("publish.yml", "intranet"),
                   ("ingest.yml", "draft")}
    for path in WORKFLOW_FILES:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            commands = run_commands(workflow, name) if "steps" in job else []
            installs = [c for c in commands if c in ("make setup", "make setup-locked")]
            if (path.name, name) in locked_jobs:
                assert installs == ["make setup-locked"], f"{path.name}:{name}"
            elif any(".venv/bin/" in c or c.startswith("make ") for c in commands):
                assert installs == ["make setup"], f"{path.name}:{name} does not install"
            assert not any("pip install" in c for c in commands), f"{path.name}:{name} installs on its own"
    for name in ("publish.yml", "ingest.yml"):
        assert "make setup\n" not in (WORKFLOWS / name).read_text(encoding="utf-8") + "\n", name


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
    assert site_command in run_commands(workflow, "intranet")


def test_ci_entry_point_runs_the_same_test_command_as_the_pull_request_check():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export CI=true" in ci
    assert re.search(r"^make test$", ci, re.M)
    workflow = load("check.yml")
    assert workflow["jobs"]["tests"]["env"]["CI"] == "true"
    assert "make test" in run_commands(workflow, "tests")


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

    workflow = load("ingest.yml")
    names = [s.get("uses", "").split("@")[0] or s.get("run", "") for s in steps(workflow, "draft")]
    restore = names.index("actions/cache/restore")
    ingest = next(i for i, n in enumerate(names) if n.strip() == ".venv/bin/digest ingest")
    assert restore < ingest

    remember = workflow["jobs"]["remember"]
    assert remember["needs"] == ["draft", "propose"]
    # after the pull request is open, or when there was nothing new; never after a failure
    assert "needs.propose.result == 'success' || needs.propose.result == 'skipped'" in remember["if"]
    assert "needs.draft.result == 'success'" in remember["if"]
    assert [s["uses"].split("@")[0] for s in remember["steps"]] == ["actions/download-artifact",
                                                                    "actions/cache/save"]

    cache_steps = [s for s in steps(workflow, "draft") + remember["steps"]
                   if s.get("uses", "").startswith("actions/cache/")]
    assert {s["with"]["path"] for s in cache_steps} == {STATE_PATH}
    assert cache_steps[0]["with"]["restore-keys"] == "ingest-state-"
    assert remember["steps"][0]["with"]["path"] + "/ingest-state.json" == STATE_PATH
