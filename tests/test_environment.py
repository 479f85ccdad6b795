"""The machine gets in the way: permissions a web server can read, two builds at once, a full disk.

Each failure of the environment is reported as such (what failed, on which
path, exit 1), never as "internal error", and the published site survives.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, REPO, brief_text, build, make_project


def digest_build(root: Path, *extra: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--no-search", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: os.umask(0o022), **kw)


def modes(folder: Path) -> tuple[set[int], set[int]]:
    dirs, files = {stat.S_IMODE(folder.stat().st_mode)}, set()
    for path in folder.rglob("*"):
        (dirs if path.is_dir() else files).add(stat.S_IMODE(path.stat().st_mode))
    return dirs, files


def small_site(root: Path, n: int = 3) -> Path:
    return make_project(root, {f"content/briefs/b{i}.md": brief_text(f"Brief {i}", url=f"https://example.org/{i}")
                               for i in range(n)})


def test_output_is_readable_by_a_web_server_on_first_build_rebuild_and_after_a_kill(tmp_path):
    root = small_site(tmp_path / "s")
    for step in ("first build", "rebuild", "after a kill"):
        if step == "rebuild":
            (root / "content/briefs/b9.md").write_text(brief_text("Brief nine", url="https://example.org/9"))
        if step == "after a kill":  # what a killed build leaves: a 0700 staging folder, made the spare
            os.mkdir(root / ".site.tmp-killed", 0o700)
            (root / "content/briefs/b8.md").write_text(brief_text("Brief eight", url="https://example.org/8"))
        proc = digest_build(root)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        dirs, files = modes(root / "site")
        assert dirs == {0o755}, f"{step}: folder modes {sorted(map(oct, dirs))}"
        assert files == {0o644}, f"{step}: file modes {sorted(map(oct, files))}"


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path):
    root = small_site(tmp_path / "s")
    lock = root / ".site.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running build holds it
    os.pwrite(fd, b"424242\n", 0)
    try:
        proc = digest_build(root)
        first_line = proc.stderr.readline()  # blocks until the build says something: it waits
        assert "another build of this site is running (pid 424242)" in first_line
        assert proc.poll() is None and not (root / "site").exists()
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "internal error" not in err
    assert (root / "site" / "index.html").is_file()


def test_without_waiting_the_second_build_names_the_first(tmp_path):
    from generator.write import BuildLock, OutputError

    out = tmp_path / "site"
    with BuildLock(out):
        with pytest.raises(OutputError, match=rf"another build of this site is running \(pid {os.getpid()}\)"):
            with BuildLock(out, wait=False):
                pass
    with BuildLock(out, wait=False):  # released with the first
        pass


def test_two_real_builds_at_once_both_succeed(tmp_path):
    root = small_site(tmp_path / "s", n=30)
    procs = [digest_build(root, "--clean") for _ in range(2)]
    results = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "internal error" not in err
    assert not list(root.glob(".site.tmp-*"))


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MiB tmpfs: needs root (CI runs as root); elsewhere the test skips."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"could not mount a tmpfs: {done.stderr.decode()}")
        pytest.skip("mounting a tmpfs needs root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_reported_as_such_and_the_site_survives(tmp_path, tiny_disk):
    root = small_site(tmp_path / "s")
    out = tiny_disk / "site"
    build(root, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    shutil.rmtree(tiny_disk / ".site.spare", ignore_errors=True)
    free = shutil.disk_usage(tiny_disk).free
    (tiny_disk / "filler").write_bytes(b"\0" * max(0, free - 150 * 1024))  # 150 KB left
    for i in range(20):
        (root / f"content/briefs/new{i}.md").write_text(
            brief_text(f"New brief {i}", url=f"https://example.org/new{i}", body="Long text. " * 400))
    proc = digest_build(root, "--out", str(out))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "No space left on device" in err and str(tiny_disk) in err
    assert "internal error" not in err and "Traceback" not in err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tiny_disk.glob(".site.tmp-*")), "the staging folder is removed"
