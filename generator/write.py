"""Write: put the output on disk atomically.

Everything is written into a fresh folder beside the output (".site.tmp-*"),
then swapped in with renames, so an error, Ctrl-C or kill -9 at any moment
leaves the previous site exactly as it was. Nothing outside the output
folder and its temporary siblings is ever deleted.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path


class OutputError(Exception):
    pass


class EnvironmentProblem(Exception):
    """The machine, not the content or digest, stopped the build: no space, no permission,
    a read-only folder. The message says what failed and on which path."""

    def __init__(self, action: str, exc: OSError):
        self.errno = exc.errno
        path = exc.filename or "?"
        super().__init__(f"could not {action} {path}: {exc.strerror or exc}")


ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EFBIG,
                      errno.EMFILE, errno.ENFILE, errno.EIO, errno.ENOMEM}


def is_environment_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS


def folder_mode() -> int:
    """0755 under the usual umask 022: what a web server running as another user can read."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


class BuildLock:
    """One build of an output folder at a time: an flock on .<out>.lock beside it.

    The lock file holds the pid of the build that has it. A second build
    waits for it (calling `on_wait(pid)` once, so the command can say so),
    or with wait=False raises OutputError naming that pid. The kernel drops
    the lock when its process dies, so a killed build never leaves it stuck.
    """

    def __init__(self, out: Path, *, wait: bool = True, on_wait=None):
        self.path = out.parent / f".{out.name}.lock"
        self.wait = wait
        self.on_wait = on_wait
        self.fd: int | None = None

    def __enter__(self) -> "BuildLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder(fd)
            if not self.wait:
                os.close(fd)
                raise OutputError(f"another build of this site is running (pid {holder}); "
                                  "wait for it to finish, or stop it") from None
            if self.on_wait is not None:
                self.on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    @staticmethod
    def _holder(fd: int) -> str:
        for _ in range(20):  # the holder writes its pid just after taking the lock
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            if text:
                return text
            time.sleep(0.01)
        return "unknown"

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the flock
            self.fd = None


def check_out_dir(root: Path, out: Path) -> None:
    """Refuse an output folder that would overwrite the site's own sources."""
    root_r, out_r = root.resolve(), out.resolve()
    protected = [root_r, root_r / "content", root_r / "layouts", root_r / "generator", root_r / "tests", root_r / ".git"]
    for p in protected:
        if out_r == p or p.is_relative_to(out_r):
            raise OutputError(f"refusing to write the site into {out}: it is or contains {p.name or p}; choose another --out (default: site/)")
    if out_r == Path(out_r.anchor) or out_r == Path.home().resolve():
        raise OutputError(f"refusing to write the site into {out}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")


def spare_path(out: Path) -> Path:
    """The previous-but-one site, kept beside the output so the next build can update it
    in place (its folders already exist) instead of creating every folder again."""
    return out.parent / f".{out.name}.spare"


def make_staging(out: Path, spare: Path | None = None) -> Path:
    """A folder beside the output to build into: the spare tree when there is one, else a new one.

    The spare is renamed to .<name>.tmp-* while in use, so a build killed
    half-way leaves it recognisably unfinished; recover() makes it the spare
    again (its content no longer matters: every file is checked or replaced).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    spare = spare if spare is not None else spare_path(out)
    if spare.is_dir() and not spare.is_symlink():
        os.rmdir(staging)
        os.replace(spare, staging)
    os.chmod(staging, folder_mode())  # mkdtemp makes it 0700: no web server could read the site
    return staging


def prune_staging(staging: Path, keep_files: set[str], keep_dirs: set[str]) -> None:
    """Remove what a reused spare tree has and this build does not: old files, then empty old folders."""
    for dirpath, dirnames, filenames in os.walk(staging, topdown=False):
        rel = os.path.relpath(dirpath, staging)
        rel = "" if rel == "." else rel.replace(os.sep, "/")
        for name in filenames:
            path = f"{rel}/{name}" if rel else name
            if path not in keep_files:
                os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            path = f"{rel}/{name}" if rel else name
            full = os.path.join(dirpath, name)
            if path not in keep_dirs and os.path.islink(full):
                os.unlink(full)
            elif path not in keep_dirs:
                try:
                    os.rmdir(full)
                except OSError:
                    shutil.rmtree(full, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE). False where unsupported."""
    global _renameat2
    if _renameat2 is False:
        return False
    try:
        if _renameat2 is None:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            _renameat2 = libc.renameat2
            _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        result = _renameat2(-100, os.fsencode(a), -100, os.fsencode(b), 2)  # AT_FDCWD, RENAME_EXCHANGE
    except (OSError, AttributeError):
        _renameat2 = False
        return False
    return result == 0


_renameat2 = None


def swap_in(staging: Path, out: Path, *, background_delete: bool = False) -> None:
    """Replace `out` with `staging` in one atomic exchange where the system allows it (Linux),
    else with two renames (the old tree parked as .<name>.swap-*, which recover() puts back
    if a kill lands between them). The old tree is deleted afterwards, in the background
    for a big site."""
    if out.is_dir() and _exchange(staging, out):
        old = staging  # it now holds the previous site
    elif out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.swap-", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
        os.replace(staging, out)
    else:
        os.replace(staging, out)
        return
    spare = spare_path(out)
    if not spare.exists() and old.is_dir():
        os.replace(old, spare)  # the next build updates it instead of starting from nothing
    elif background_delete:
        remove_later(old)
    else:
        shutil.rmtree(old, ignore_errors=True)


def remove_later(folder: Path) -> None:
    """Delete a folder we no longer need without waiting for it (thousands of files take a while).

    It is renamed to a .<name>.old-* sibling first, which the next build's
    recover() also deletes should this process be killed first.
    """
    parent = folder.parent
    name = folder.name.split(".tmp-")[0].split(".swap-")[0].lstrip(".")
    target = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent))
    os.rmdir(target)
    os.replace(folder, target)
    if os.environ.get("DIGEST_SYNC_DELETE") or not hasattr(os, "fork"):
        shutil.rmtree(target, ignore_errors=True)
        return
    try:
        import subprocess

        subprocess.Popen(["rm", "-rf", "--", str(target)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)


def discard(staging: Path, out: Path | None = None, *, keep: bool = True) -> None:
    """A failed build's staging folder: kept as the spare when there is none (and keep), else deleted."""
    if keep and out is not None and not spare_path(out).exists() and staging.is_dir():
        os.replace(staging, spare_path(out))
        return
    shutil.rmtree(staging, ignore_errors=True)


def recover(out: Path) -> None:
    """Tidy up after a build that was killed: restore a lost output, drop stale temporaries."""
    parent = out.parent
    if not parent.is_dir():
        return
    swaps = sorted(parent.glob(f".{out.name}.swap-*"))
    if not out.exists() and swaps:  # killed between the two renames of a swap: put the old site back
        os.replace(swaps[-1], out)
        swaps = swaps[:-1]
    stale = swaps + sorted(parent.glob(f".{out.name}.tmp-*"))
    spare = spare_path(out)
    if stale and not spare.exists() and stale[-1].is_dir():
        os.replace(stale.pop(), spare)  # a killed build's half-updated tree: still a good start
    for folder in stale + sorted(parent.glob(f".{out.name}.old-*")):
        shutil.rmtree(folder, ignore_errors=True)


class StagingWriter:
    """Writes output files into the staging folder as they are rendered, and keeps their records.

    Each file's bytes are dropped once written, so memory does not grow with
    the site. New HTML and feeds are checked for the disclaimer on the way.
    """

    def __init__(self, staging: Path, check=None):
        self.staging = staging
        self.check = check  # OutputFile -> list[Diagnostic]
        self.made_dirs: set[str] = {""}
        self.hashes: dict[str, str] = {}  # dest -> sha256, every file
        self.records: dict[str, tuple[str, str, int, int]] = {}  # dest -> (signature, sha, size, mtime_ns)
        self.problems: list = []

    def _dir(self, dest: str) -> None:
        parent = os.path.dirname(dest)
        if parent not in self.made_dirs:
            path = os.path.join(self.staging, parent)
            if os.path.islink(path) or (os.path.exists(path) and not os.path.isdir(path)):
                os.unlink(path)  # a file where this build needs a folder (a reused spare tree)
            if not os.path.isdir(path):
                os.makedirs(path, exist_ok=True)
            self.made_dirs.add(parent)
            while parent:  # its parents exist now too
                parent = os.path.dirname(parent)
                self.made_dirs.add(parent)

    @staticmethod
    def _clear(target: str) -> None:
        """Make way for a new file. Never write into an existing file: in a reused spare tree it
        may be a hard link shared with the live site."""
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(target)

    def add(self, f) -> None:
        if f is None:
            return
        self._dir(f.dest_path)
        target = os.path.join(self.staging, f.dest_path)
        if f.data is None:
            try:
                same = os.stat(target).st_ino == os.stat(f.reuse).st_ino
            except OSError:
                same = False
            if not same:  # a reused spare tree may already hold this very file
                self._clear(target)
                try:
                    os.link(f.reuse, target)
                except OSError:
                    shutil.copy2(f.reuse, target)
            sha = f.sha256
        else:
            if self.check is not None:
                self.problems.extend(self.check(f))
            self._clear(target)
            with open(target, "xb") as fh:
                fh.write(f.data)
            sha = hashlib.sha256(f.data).hexdigest()
        self.hashes[f.dest_path] = sha
        if f.signature:
            st = os.stat(target)
            self.records[f.dest_path] = (f.signature, sha, st.st_size, st.st_mtime_ns)
