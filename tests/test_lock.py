"""requirements/build.txt, the lock the workflows install from, is in sync with pyproject.toml.

Every runtime dependency (and every package its extras bring) and the build
backend are pinned to one version that satisfies pyproject's range, every
pin carries sha256 hashes (pip's --require-hashes refuses anything else), no
test tool is in it, and it was made by the command `make lock` runs.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import REPO
from test_workflows import makefile

LOCK = REPO / "requirements" / "build.txt"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$")


def locked() -> dict[str, tuple[Version, list[str], str | None]]:
    """name -> (version, hashes, marker) for every requirement in the lock."""
    pins: dict[str, tuple[Version, list[str], str | None]] = {}
    current = None
    for raw in LOCK.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            assert current is not None, f"a hash before any requirement: {raw}"
            algorithm, _, digest = line.removeprefix("--hash=").rstrip(" \\").partition(":")
            assert algorithm == "sha256" and re.fullmatch(r"[0-9a-f]{64}", digest), raw
            pins[current][1].append(digest)
            continue
        match = PIN.match(line)
        assert match, f"{LOCK.name}: not an exact pin: {raw!r}"
        current = canonicalize_name(match["name"])
        assert current not in pins, f"{current} is pinned twice"
        pins[current] = (Version(match["version"]), [], match["marker"])
    return pins


def test_every_pin_is_exact_and_hashed():
    pins = locked()
    assert pins
    assert {name for name, (_, hashes, _) in pins.items() if not hashes} == set()


def test_every_runtime_dependency_and_the_build_backend_is_pinned_within_its_range():
    pins = locked()
    wanted = [Requirement(r) for r in PYPROJECT["project"]["dependencies"] + PYPROJECT["build-system"]["requires"]]
    problems = []
    for req in wanted:
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req} is not in {LOCK.name}")
        elif not req.specifier.contains(pins[name][0], prereleases=True):
            problems.append(f"{req}: {LOCK.name} pins {pins[name][0]}, outside the range")
    assert problems == [], "run `make lock`:\n" + "\n".join(problems)


def test_what_the_extras_bring_is_pinned_too():
    """pagefind[bin] brings pagefind-bin: an install with --no-deps must find it in the lock."""
    pins = locked()
    env = default_environment()
    for text in PYPROJECT["project"]["dependencies"]:
        req = Requirement(text)
        for extra in req.extras:
            for dep in map(Requirement, metadata.requires(req.name) or []):
                if dep.marker is not None and dep.marker.evaluate({**env, "extra": extra}) \
                        and not dep.marker.evaluate({**env, "extra": ""}):
                    assert canonicalize_name(dep.name) in pins, f"{req} needs {dep.name}, which is not locked"


def test_the_lock_holds_no_test_or_development_tool():
    pins = locked()
    tools = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["test"]}
    runtime = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    backend = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["build-system"]["requires"]}
    assert (tools - runtime - backend) & set(pins) == set()  # the backend is locked on purpose: it installs the project


def test_the_lock_was_made_by_make_lock():
    _, recipes = makefile()
    [compile_command] = [line for line in recipes["lock"] if " pip compile " in line]
    command = compile_command.removeprefix(".venv/bin/")
    header = LOCK.read_text(encoding="utf-8").splitlines()[:3]
    assert f"#    {command}" in header, f"{LOCK.name} was not made by `make lock` ({compile_command})"
    sources = (REPO / "requirements" / "build.in").read_text(encoding="utf-8")
    backend = [line for line in sources.splitlines() if line and not line.startswith("#")]
    assert backend == PYPROJECT["build-system"]["requires"]  # the backend, as pyproject names it
