"""Write: put the output on disk atomically.

Everything is written into a fresh folder beside the output (".site.tmp-*"),
then swapped in with renames, so an error, Ctrl-C or kill -9 at any moment
leaves the previous site exactly as it was. Nothing outside the output
folder and its temporary siblings is ever deleted.
"""

from __future__ import annotations

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


def write_files(staging: Path, files) -> int:
    """Write OutputFiles under staging; folders first (sibling mkdir races cost time)."""
    dirs = sorted({os.path.dirname(f.dest_path) for f in files})
    for d in dirs:
        if d:
            os.makedirs(staging / d, exist_ok=True)
    for f in files:
        target = staging / f.dest_path
        if f.data is None:  # unchanged since the previous build: share its bytes
            try:
                os.link(f.reuse, target)
                continue
            except OSError:
                shutil.copy2(f.reuse, target)
                continue
        with open(target, "wb") as fh:
            fh.write(f.data)
    return len(files)


def swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with `staging`: two renames, the old tree removed afterwards."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def recover(out: Path) -> None:
    """Tidy up after a build that was killed: restore a lost output, drop stale temporaries."""
    parent = out.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(f".{out.name}.old-*"))
    if not out.exists() and olds:
        os.replace(olds[-1], out)
        olds = olds[:-1]
    for stale in olds + sorted(parent.glob(f".{out.name}.tmp-*")):
        shutil.rmtree(stale, ignore_errors=True)
