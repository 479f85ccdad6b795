"""Provenance: the build manifest that says which inputs produced which bytes.

`build_manifest` turns hashes (or raw bytes) of the source and output files,
and the base URL the site was built for, into deterministic JSON: sorted
keys, no build time unless SOURCE_DATE_EPOCH is set, paths relative and
POSIX style. The same commit built with the same
tool versions gives a byte-identical manifest on any machine.

`verify_site` recomputes the output hashes of a built folder and lists every
changed, missing and extra file. The manifest never lists itself.

Pure functions apart from `hash_tree`, `git_commit` and
`verify_site`, which read files or ask Git, and never print.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Union

MANIFEST_NAME = "build-manifest.json"
MANIFEST_VERSION = 1

# The libraries whose versions can change the output bytes.
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "jinja2", "pyyaml", "feedparser", "pagefind", "nh3", "css-inline", "lz4")

FileData = Union[bytes, str]  # raw bytes, or an already computed sha256 hex digest


class ManifestError(ValueError):
    """Input that cannot go into a manifest (for example a malformed SOURCE_DATE_EPOCH)."""


_HEX64 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(path: str, value: FileData) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return sha256_hex(bytes(value))
    if isinstance(value, str) and _HEX64.fullmatch(value):
        return value
    raise ManifestError(f"{path}: expected file bytes or a sha256 hex digest, got {value!r:.40}")


def _digests(files: Mapping[str, FileData]) -> dict[str, str]:
    out: dict[str, str] = {}
    hex64 = _HEX64.fullmatch
    for path, value in files.items():
        key = path.replace("\\", "/").lstrip("/")
        out[key] = value if value.__class__ is str and hex64(value) else _digest(key, value)
    return dict(sorted(out.items()))


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str | None]:
    """Each library's installed version, None when it is not installed: what
    importlib.metadata.version answers, read from the names of the `.dist-info` folders on
    sys.path (`jinja2-3.1.6.dist-info`), the first found winning, as it does. Importing
    importlib.metadata and reading each library's METADATA file cost every build 50 ms; a
    listing of each folder on the path costs about one. A library installed another way
    (an .egg-info, two .dist-info folders in one place) is asked of importlib.metadata."""
    wanted = {_project_key(name): name for name in names}
    versions: dict[str, str | None] = {}
    unsure: list[str] = []
    for folder in sys.path:
        try:
            listing = os.listdir(folder or ".")
        except OSError:
            continue
        here: dict[str, list[str]] = {}
        for item in listing:
            if item.endswith(".dist-info"):
                project, _, version = item[: -len(".dist-info")].rpartition("-")
                name = wanted.get(_project_key(project))
                if name is not None and name not in versions and name not in unsure:
                    here.setdefault(name, []).append(version)
        for name, found in here.items():
            if len(found) == 1 and found[0]:
                versions[name] = found[0]
            else:
                unsure.append(name)
    missing = [name for name in names if name not in versions]
    if missing:
        from importlib import metadata

        for name in missing:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = None
    return {name: versions[name] for name in names}


def _project_key(name: str) -> str:
    """A project's name as the packaging standards compare them: case and runs of -_. ignored."""
    return re.sub(r"[-_.]+", "-", name).lower()


_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython"}


def _python_version() -> str:
    """"CPython 3.11.7": what platform.python_implementation() and python_version() answer,
    without importing platform (3 ms)."""
    name = sys.implementation.name
    return f"{_IMPLEMENTATIONS.get(name, name)} {sys.version.split()[0]}"


def build_time(source_date_epoch: str | None) -> str | None:
    """SOURCE_DATE_EPOCH (seconds since 1970, UTC) as ISO 8601, or None when unset."""
    if source_date_epoch is None or source_date_epoch.strip() == "":
        return None
    text = source_date_epoch.strip()
    if not text.isdigit():
        raise ManifestError(
            f"SOURCE_DATE_EPOCH: {source_date_epoch!r} is not a whole number of seconds since 1970-01-01 UTC"
        )
    moment = datetime.fromtimestamp(int(text), tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_manifest(
    *,
    generator_version: str,
    source_files: Mapping[str, FileData],
    output_files: Mapping[str, FileData],
    counts: Mapping[str, int],
    git_commit: str | None,
    source_date_epoch: str | None,
    python_version: str | None = None,
    libraries: Mapping[str, str | None] | None = None,
    generated: Mapping[str, Mapping[str, str]] | None = None,
    base_url: str | None = None,
) -> bytes:
    """The manifest as UTF-8 JSON bytes. `output_files` must not include the manifest itself.

    `generated` maps each published brief that a language model drafted (by
    source path) to its model, prompt_sha256, date and reviewer. `base_url` is the
    URL the site was built for: every link starts with its path, so
    `digest serve --site` serves the folder there.
    """
    outputs = _digests(output_files)
    outputs.pop(MANIFEST_NAME, None)
    manifest: dict[str, object] = {
        "manifest_version": MANIFEST_VERSION,
        "generator": {"name": "ai-digest", "version": generator_version},
        "python": python_version or _python_version(),
        "libraries": dict(sorted((libraries if libraries is not None else library_versions()).items())),
        "git_commit": git_commit,
        "counts": {str(k): int(v) for k, v in sorted(counts.items())},
        "sources": _digests(source_files),
        "outputs": outputs,
        "output_count": len(outputs),
        "generated": {path.replace("\\", "/"): dict(sorted(record.items()))
                      for path, record in sorted((generated or {}).items())},
    }
    if base_url is not None:
        manifest["base_url"] = base_url
    built_at = build_time(source_date_epoch)
    if built_at is not None:
        manifest["source_date_epoch"] = int(source_date_epoch.strip())  # type: ignore[union-attr]
        manifest["built_at"] = built_at
    return dumps(manifest).encode("utf-8")


def dumps(manifest: dict) -> str:
    """json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + newline, byte for byte,
    with the two big maps of path -> hash ("sources", "outputs") written by the C string encoder
    (the indenting encoder is pure Python: a second for a site of ten thousand briefs)."""
    flat = {k: manifest[k] for k in ("sources", "outputs") if isinstance(manifest.get(k), dict)}
    shell = {k: (f"\x00{k}\x00" if k in flat else v) for k, v in manifest.items()}
    text = json.dumps(shell, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    enc = json.encoder.encode_basestring
    for key, mapping in flat.items():
        if mapping and all(isinstance(v, str) for v in mapping.values()):
            block = "{\n" + ",\n".join(f"    {enc(k)}: {enc(v)}" for k, v in sorted(mapping.items())) + "\n  }"
        else:
            block = json.dumps(mapping, sort_keys=True, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        text = text.replace(json.dumps(f"\x00{key}\x00"), block, 1)
    return text


def generated_briefs(briefs, include_drafts: bool) -> dict[str, dict[str, str]]:
    """Source path -> {model, prompt_sha256, date, reviewed_by} of each built brief a model drafted."""
    return {
        b.src_path: {"model": b.generated.model, "prompt_sha256": b.generated.prompt_sha256,
                     "date": b.generated.date.isoformat(), "reviewed_by": b.reviewed_by}
        for b in briefs
        if b.generated is not None and (include_drafts or not b.draft)
    }


# ---- reading files ---------------------------------------------------------


def hash_tree(directory: Path, *, exclude: tuple[str, ...] = (MANIFEST_NAME,)) -> dict[str, str]:
    """sha256 of every file under `directory`, keyed by POSIX path relative to it.

    `exclude` names top-level paths to leave out (by default the manifest).
    """
    directory = Path(directory)
    hashes: dict[str, str] = {}
    for path in directory.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(directory).as_posix()
        if rel in exclude:
            continue
        hashes[rel] = sha256_hex(path.read_bytes())
    return dict(sorted(hashes.items()))


def git_commit(root: Path) -> str | None:
    """HEAD of the Git checkout holding `root`, with "-dirty" when files under root differ from it.

    None when `root` is not in a Git checkout or Git is not installed.
    """
    import subprocess

    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    head = git("rev-parse", "--verify", "--quiet", "HEAD")
    if not head or not head.strip():
        return None
    commit = head.strip()
    status = git("status", "--porcelain", "--", ".")
    if status is None:
        return None
    return f"{commit}-dirty" if status.strip() else commit


def read_manifest(site_dir: Path) -> tuple[dict | None, str | None]:
    """(manifest, None) or (None, problem) for the manifest in `site_dir`."""
    path = Path(site_dir) / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, f"{MANIFEST_NAME}: missing (not a digest build, or the manifest was removed)"
    except OSError as err:
        return None, f"{MANIFEST_NAME}: cannot read ({err.strerror})"
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"{MANIFEST_NAME}: not valid JSON ({err})"
    outputs = manifest.get("outputs") if isinstance(manifest, dict) else None
    if not isinstance(outputs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in outputs.items()
    ):
        return None, f"{MANIFEST_NAME}: no 'outputs' table of path -> sha256"
    return manifest, None


def compare_outputs(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """Problems, one line each, sorted by path: changed, missing and extra files."""
    problems: list[tuple[str, str]] = []
    for path, digest in expected.items():
        if path not in actual:
            problems.append((path, f"missing: {path}"))
        elif actual[path] != digest:
            problems.append(
                (path, f"changed: {path} (sha256 {actual[path][:12]}…, manifest says {digest[:12]}…)")
            )
    for path in actual:
        if path not in expected:
            problems.append((path, f"extra: {path} (not in {MANIFEST_NAME})"))
    return [text for _, text in sorted(problems)]


def verify_site(site_dir: Path) -> list[str]:
    """Every way the folder differs from its manifest; empty when every byte matches."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        return ["no such folder"]
    manifest, problem = read_manifest(site_dir)
    if problem is not None:
        return [problem]
    assert manifest is not None
    return compare_outputs(manifest["outputs"], hash_tree(site_dir))
