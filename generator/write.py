"""Write: put the output on disk atomically.

Everything is written into a fresh folder beside the output (".site.tmp-*"),
then swapped in with renames, so an error, Ctrl-C or kill -9 at any moment
leaves the previous site exactly as it was. Nothing outside the output
folder and its temporary siblings is ever deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


class OutputError(Exception):
    pass


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


def make_staging(out: Path) -> Path:
    """A new empty folder beside the output, on the same file system."""
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))


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
    if background_delete:
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


def discard(staging: Path) -> None:
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
    for stale in swaps + sorted(parent.glob(f".{out.name}.tmp-*")) + sorted(parent.glob(f".{out.name}.old-*")):
        shutil.rmtree(stale, ignore_errors=True)


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
            os.makedirs(self.staging / parent, exist_ok=True)
            self.made_dirs.add(parent)

    def add(self, f) -> None:
        if f is None:
            return
        self._dir(f.dest_path)
        target = self.staging / f.dest_path
        if f.data is None:
            try:
                os.link(f.reuse, target)
            except OSError:
                shutil.copy2(f.reuse, target)
            sha = f.sha256
        else:
            if self.check is not None:
                self.problems.extend(self.check(f))
            with open(target, "wb") as fh:
                fh.write(f.data)
            sha = hashlib.sha256(f.data).hexdigest()
        self.hashes[f.dest_path] = sha
        if f.signature:
            st = os.stat(target)
            self.records[f.dest_path] = (f.signature, sha, st.st_size, st.st_mtime_ns)
