"""The build manifest: deterministic provenance, and `digest verify` catching any drift."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__, manifest
from generator.manifest import (
    MANIFEST_NAME,
    ManifestError,
    build_manifest,
    git_commit,
    hash_tree,
    verify_site,
)

ROOT = Path(__file__).resolve().parent.parent

SITE = {
    "index.html": b"<!doctype html><title>SIMS</title><h1>This week</h1>\n",
    "briefs/model-evaluation-guidance/index.html": b"<h1>Model evaluation guidance</h1>\n",
    "feed.xml": b"<?xml version='1.0' encoding='utf-8'?><feed/>\n",
    "pagefind/pagefind.js": b"export const search = () => [];\n",
}
SOURCES = {
    "content/site.yaml": b"title: SIMS\n",
    "content/briefs/model-evaluation-guidance.md": b"---\ntitle: Model evaluation guidance\n---\nBody.\n",
}
COUNTS = {"briefs": 1, "issues": 0, "pages": 0}


def manifest_for(outputs, **overrides) -> bytes:
    args = dict(
        generator_version="0.1.0",
        source_files=SOURCES,
        output_files=outputs,
        counts=COUNTS,
        git_commit="0123456789abcdef0123456789abcdef01234567",
        source_date_epoch=None,
    )
    args.update(overrides)
    return build_manifest(**args)


def write_site(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (folder / MANIFEST_NAME).write_bytes(manifest_for(hash_tree(folder)))
    return folder


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- build_manifest --------------------------------------------------------


def test_manifest_records_versions_commit_counts_and_every_hash():
    manifest = json.loads(manifest_for(SITE))

    assert manifest["generator"] == {"name": "ai-digest", "version": "0.1.0"}
    assert manifest["git_commit"] == "0123456789abcdef0123456789abcdef01234567"
    assert manifest["counts"] == {"briefs": 1, "issues": 0, "pages": 0}
    assert manifest["outputs"]["index.html"] == sha(SITE["index.html"])
    assert manifest["outputs"]["pagefind/pagefind.js"] == sha(SITE["pagefind/pagefind.js"])
    assert manifest["sources"]["content/site.yaml"] == sha(b"title: SIMS\n")
    assert manifest["output_count"] == 4
    assert manifest["python"].split()[-1].startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")
    assert set(manifest["libraries"]) >= {"markdown-it-py", "jinja2", "pyyaml", "feedparser", "pagefind", "nh3"}
    assert manifest["libraries"]["jinja2"].startswith("3.")


def test_library_versions_are_what_importlib_metadata_reads():
    from importlib import metadata

    expected = {}
    for name in manifest.LIBRARIES:
        try:
            expected[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected[name] = None
    assert manifest.library_versions() == expected
    assert expected["jinja2"] and expected["markdown-it-py"]  # installed here, so found by folder name


def test_library_versions_take_the_first_folder_on_the_path_and_any_spelling(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, names in ((first, ["Markdown_It.Py-4.0.1.dist-info", "notes.txt"]),
                          (second, ["markdown_it_py-9.9.dist-info", "jinja2-3.0.0.dist-info"])):
        for name in names:
            (folder / name).mkdir(parents=True)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])

    assert manifest.library_versions(("markdown-it-py", "jinja2", "not-installed-anywhere")) == {
        "markdown-it-py": "4.0.1", "jinja2": "3.0.0", "not-installed-anywhere": None}


def test_the_python_version_is_what_platform_says():
    import platform

    assert manifest._python_version() == f"{platform.python_implementation()} {platform.python_version()}"


def test_same_inputs_give_byte_identical_manifests_whatever_the_order():
    shuffled = dict(reversed(list(SITE.items())))
    first = manifest_for(SITE)
    again = manifest_for(shuffled, source_files=dict(reversed(list(SOURCES.items()))))

    assert first == again
    assert first.endswith(b"\n")
    assert list(json.loads(first)["outputs"]) == sorted(SITE)


def test_no_build_time_unless_source_date_epoch_is_set():
    plain = json.loads(manifest_for(SITE))
    dated = json.loads(manifest_for(SITE, source_date_epoch="1773100800"))

    assert "built_at" not in plain and "source_date_epoch" not in plain
    assert dated["built_at"] == "2026-03-10T00:00:00Z"
    assert dated["source_date_epoch"] == 1773100800


def test_malformed_source_date_epoch_is_named_in_the_error():
    with pytest.raises(ManifestError, match="SOURCE_DATE_EPOCH: 'last tuesday'"):
        manifest_for(SITE, source_date_epoch="last tuesday")


def test_precomputed_hashes_and_bytes_give_the_same_manifest():
    as_hashes = {path: sha(data) for path, data in SITE.items()}

    assert manifest_for(as_hashes) == manifest_for(SITE)


def test_manifest_never_lists_itself():
    outputs = {**SITE, MANIFEST_NAME: b"{}"}

    assert MANIFEST_NAME not in json.loads(manifest_for(outputs))["outputs"]


def test_a_value_that_is_neither_bytes_nor_a_hash_is_rejected():
    with pytest.raises(ManifestError, match="index.html"):
        manifest_for({"index.html": "not a digest"})


# ---- hash_tree, git_commit -----------------------------------


def test_hash_tree_keys_are_posix_paths_relative_to_the_folder(tmp_path):
    write_site(tmp_path, SITE)

    tree = hash_tree(tmp_path)

    assert list(tree) == sorted(SITE)
    assert tree["briefs/model-evaluation-guidance/index.html"] == sha(
        SITE["briefs/model-evaluation-guidance/index.html"]
    )


def test_git_commit_is_none_outside_a_checkout(tmp_path):
    assert git_commit(tmp_path) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_commit_names_head_and_marks_uncommitted_changes(tmp_path):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.gov.au",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.gov.au",
    }

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "content").mkdir()
    (tmp_path / "content/site.yaml").write_text("title: SIMS\n")
    git("add", "content")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "HEAD")

    assert git_commit(tmp_path) == head

    (tmp_path / "content/site.yaml").write_text("title: Changed\n")

    assert git_commit(tmp_path) == f"{head}-dirty"


# ---- verify_site ------------------------------------------------------------


def test_a_fresh_site_verifies(tmp_path):
    write_site(tmp_path, SITE)

    assert verify_site(tmp_path) == []


def test_a_changed_byte_fails(tmp_path):
    write_site(tmp_path, SITE)
    page = tmp_path / "index.html"
    data = bytearray(page.read_bytes())
    data[-2] ^= 0x01
    page.write_bytes(bytes(data))

    problems = verify_site(tmp_path)

    assert len(problems) == 1
    assert problems[0].startswith("changed: index.html")


def test_a_missing_file_fails(tmp_path):
    write_site(tmp_path, SITE)
    (tmp_path / "pagefind/pagefind.js").unlink()

    assert verify_site(tmp_path) == ["missing: pagefind/pagefind.js"]


def test_an_extra_file_fails(tmp_path):
    write_site(tmp_path, SITE)
    (tmp_path / "briefs/planted.html").write_bytes(b"<script>alert(1)</script>")

    assert verify_site(tmp_path) == [f"extra: briefs/planted.html (not in {MANIFEST_NAME})"]


def test_a_folder_without_a_manifest_fails(tmp_path):
    (tmp_path / "index.html").write_bytes(b"<h1>hi</h1>")

    assert verify_site(tmp_path) == [f"{MANIFEST_NAME}: missing (not a digest build, or the manifest was removed)"]


def test_a_corrupt_manifest_fails(tmp_path):
    write_site(tmp_path, SITE)
    (tmp_path / MANIFEST_NAME).write_text('{"outputs": ')

    [problem] = verify_site(tmp_path)

    assert problem.startswith(f"{MANIFEST_NAME}: not valid JSON")


# ---- digest verify, the command ----------------------------------------------


def digest(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_verify_command_reports_success_and_failure(tmp_path):
    site = write_site(tmp_path / "site", SITE)

    ok = digest("verify", str(site))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("verified 4 files")
    assert "0123456789abcdef0123456789abcdef01234567" in ok.stdout

    (site / "feed.xml").write_bytes(b"<feed>tampered</feed>")
    (site / "index.html").unlink()
    bad = digest("verify", str(site))
    assert bad.returncode == 1
    assert "changed: feed.xml" in bad.stderr
    assert "missing: index.html" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_verify_command_defaults_to_site_folder(tmp_path):
    write_site(tmp_path / "site", SITE)

    result = digest("verify", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verified 4 files in site")


def test_verify_command_on_a_missing_folder_fails_cleanly(tmp_path):
    result = digest("verify", str(tmp_path / "nowhere"))

    assert result.returncode == 1
    assert "no such folder" in result.stderr
    assert "Traceback" not in result.stderr


# ---- end to end: a real build, then verify --------------------------------------

def sample_copy(dest: Path) -> Path:
    for folder in ("content", "layouts"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, dest / folder)
    return dest


def test_a_real_build_writes_a_manifest_that_verifies_and_catches_tampering(tmp_path):
    root = sample_copy(tmp_path / "root")
    out = tmp_path / "out"

    built = digest("build", "--root", str(root), "--out", str(out))
    assert built.returncode == 0, built.stderr

    manifest = json.loads((out / MANIFEST_NAME).read_bytes())
    assert manifest["generator"]["version"] == __version__
    assert manifest["git_commit"] is None  # a copy outside any Git checkout
    assert manifest["sources"]["content/site.yaml"] == sha((root / "content/site.yaml").read_bytes())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(manifest["outputs"]) == on_disk - {MANIFEST_NAME}  # the search index too, when built
    assert "index.html" in manifest["outputs"]
    assert set(manifest["counts"]) >= {"briefs", "issues", "pages"}

    verified = digest("verify", str(out))
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"verified {len(manifest['outputs'])} files")

    (out / "robots.txt").write_bytes((out / "robots.txt").read_bytes() + b"\n")
    tampered = digest("verify", str(out))
    assert tampered.returncode == 1
    assert "changed: robots.txt" in tampered.stderr


def test_the_same_content_gives_the_same_manifest_in_another_folder(tmp_path):
    first = digest("build", "--root", str(sample_copy(tmp_path / "a")), "--out", str(tmp_path / "out-a"))
    second = digest("build", "--root", str(sample_copy(tmp_path / "b")), "--out", str(tmp_path / "out-b"))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr

    assert (tmp_path / "out-a" / MANIFEST_NAME).read_bytes() == (tmp_path / "out-b" / MANIFEST_NAME).read_bytes()


@pytest.mark.parametrize("outputs", [{}, {"b/index.html": "0" * 64, "a ü/ä.html": "f" * 64, 'q"\\/x': "1" * 64}])
def test_the_manifest_text_is_json_dumps_with_two_spaces_and_sorted_keys(outputs):
    """The fast writer of the two big maps gives exactly what json.dumps would."""
    data = {"outputs": outputs, "sources": {"content/z.md": "a" * 64, "content/é.md": "b" * 64},
            "counts": {"pages": 3}, "generated": {}, "git_commit": None, "manifest_version": 1}
    assert manifest.dumps(data) == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
