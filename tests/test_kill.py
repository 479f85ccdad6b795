"""kill -9 in the middle of a build leaves the published site exactly as it was.

A large corpus is built once; then a brief changes, a second build starts in
a subprocess, and as soon as its staging folder (.site.tmp-*) appears the
whole process group gets SIGKILL. site/ must be byte-identical to before,
and the next build must tidy up and succeed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO

BRIEFS = 3000
CORPUS_SCRIPT = REPO / "bench" / "make_corpus.py"


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def make_corpus(root: Path) -> None:
    subprocess.run([sys.executable, str(CORPUS_SCRIPT), str(BRIEFS), str(root)], check=True, capture_output=True)


def digest(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--root", str(root), "--no-search", *args]


def test_sigkill_mid_build_leaves_the_site_untouched(tmp_path):
    root = tmp_path / "corpus"
    make_corpus(root)
    first = subprocess.run(digest(root), cwd=REPO, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    site = root / "site"
    before = tree_hash(site)

    brief = sorted((root / "content" / "briefs").rglob("*.md"))[-1]
    brief.write_text(brief.read_text(encoding="utf-8") + "\nA late correction.\n", encoding="utf-8")

    proc = subprocess.Popen(digest(root), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    seen = False
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(root.glob(".site.tmp-*")):
                seen = True
                break
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # this build's own process group, started above
        proc.wait()
    assert seen, "the build finished before its staging folder was seen; nothing was tested"
    assert proc.returncode == -signal.SIGKILL

    assert tree_hash(site) == before

    again = subprocess.run(digest(root), cwd=REPO, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not list(root.glob(".site.tmp-*")) and not list(root.glob(".site.old-*"))
    assert tree_hash(site) != before
    page = site / "briefs" / _slug_of(brief) / "index.html"
    assert "A late correction." in page.read_text(encoding="utf-8")


def _slug_of(brief: Path) -> str:
    for line in brief.read_text(encoding="utf-8").splitlines():
        if line.startswith("slug:"):
            return line.split(":", 1)[1].strip().strip("\"'")
    return brief.stem
