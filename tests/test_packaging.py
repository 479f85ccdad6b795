"""Packaging: one version, a licence, project URLs and classifiers, and a wheel that works on its own.

The wheel is built with hatchling (no network) and installed into an empty
folder; `digest init`, `check --strict` and `build` then run from that copy,
which proves the default theme and the starter site travel inside the wheel.
"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from conftest import REPO
from generator import __version__
from generator.newsite import SOURCE_URL

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_the_version_is_written_in_one_place():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "generator/__init__.py"
    assert metadata.version("ai-digest") == __version__
    result = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.stdout.strip() == f"ai-digest {__version__}"


def test_the_licence_is_mit_as_the_metadata_says():
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "Permission is hereby granted, free of charge" in text
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]


def test_project_urls_and_classifiers():
    urls = PROJECT["urls"]
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    assert urls["Source"] == SOURCE_URL  # the starter's requirements.txt points there too
    assert all(u.startswith("https://") for u in urls.values())
    classifiers = PROJECT["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # the SPDX `license` says it


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [built] = out.glob("*.whl")
    return built


def test_the_wheel_carries_metadata_licence_theme_and_starter(wheel):
    assert wheel.name == f"ai_digest-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = email.message_from_bytes(zf.read(f"ai_digest-{__version__}.dist-info/METADATA"))
    assert meta["Version"] == __version__ and meta["License-Expression"] == "MIT"
    assert f"ai_digest-{__version__}.dist-info/licenses/LICENSE" in names
    assert any(u.startswith("Source, ") for u in meta.get_all("Project-URL"))
    assert "generator/_layouts/base.html" in names
    assert {"generator/starter/site.yaml", "generator/starter/workflows/ingest.yml", "generator/starter/gitignore"} <= names


def test_a_site_made_and_built_by_the_installed_wheel(wheel, tmp_path):
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--target", str(target), str(wheel)], check=True, capture_output=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(target)  # ahead of the checkout's editable install

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)

    where = subprocess.run([sys.executable, "-c", "import generator; print(generator.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    assert run("init", "site-from-wheel", cwd=tmp_path).returncode == 0
    site = tmp_path / "site-from-wheel"
    checked = run("check", "--strict", cwd=site)
    assert checked.returncode == 0, checked.stderr
    built = run("build", "--no-search", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "site/briefs/welcome/index.html").is_file()
