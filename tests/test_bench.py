"""The benchmark works from a clone on its own: its corpus generator is here, and nothing names another
machine's folders."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SCRIPT = REPO / "bench" / "make_corpus.py"


def make(n: int, out: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, str(SCRIPT), str(n), str(out), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / "content").rglob("*")) if p.is_file()}


def test_the_corpus_is_deterministic_prefix_stable_and_valid(tmp_path):
    make(120, tmp_path / "a")
    make(120, tmp_path / "b")
    make(300, tmp_path / "c")
    small, again, large = digests(tmp_path / "a"), digests(tmp_path / "b"), digests(tmp_path / "c")
    assert small == again
    small_briefs = {k: v for k, v in small.items() if "/briefs/" in k}
    assert len(small_briefs) == 120
    assert small_briefs.items() <= large.items()  # the newest 120 of 300 are the 120
    assert any("/issues/" in k for k in small)

    check = subprocess.run([sys.executable, "-m", "generator", "check", "--strict", "--root", str(tmp_path / "c")],
                           cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-3000:]
    assert "0 errors, 0 warnings" in check.stdout + check.stderr


def test_the_corpus_has_the_shape_the_benchmark_needs(tmp_path):
    make(200, tmp_path / "c", "--vocab", "2000")
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "c" / "content" / "briefs").rglob("*.md"))]
    assert len(texts) == 200
    for text in texts:
        # bench/run.py's add_brief edits these two lines
        assert re.search(r'^title: "', text, re.M) and re.search(r'^  url: "https://', text, re.M)
        assert len(re.findall(r"^  - action: ", text, re.M)) in (1, 2, 3)
        body = text.split("\n---\n", 1)[1]
        assert 100 <= len(body.split()) <= 400
    assert sum("](https://" in t for t in texts) == 200  # one link in every summary
    assert any("\n- " in t.split("\n---\n", 1)[1] for t in texts)  # some lists
    words = {w for t in texts for w in re.findall(r"[a-z]+", t.split("\n---\n", 1)[1])}
    assert len(words) > 600  # --vocab adds made-up words to the fixed list


MACHINE_PATHS = re.compile(
    r"/wor[k]/|/hom[e]/[a-z]|/roo[t]/[a-z]|/User[s]/[A-Za-z]|[A-Z]:\\\\Users|\.\./share[d]|[\"']share[d][\"']"
)


def test_no_script_or_test_names_a_folder_outside_the_clone():
    files = [REPO / "Makefile"]
    for folder in ("tests", "bench", "scripts", ".ci", ".github"):
        files += [p for p in sorted((REPO / folder).rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    assert SCRIPT in files
    found = []
    for path in files:
        if path.suffix in (".png", ".jpg", ".zip", ".gz", ".pyc"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if MACHINE_PATHS.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []
