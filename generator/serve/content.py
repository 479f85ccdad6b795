"""Read one content file again after a save, by generator.load.find_content's rules (load.examine).

The preview re-reads only what the watcher named. A path may be a file that
was saved, created or deleted, or a folder that was created, renamed or
removed (then every known file under it is looked at again).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from generator.diagnostics import Diagnostic
from generator.load import FILE, SourceFile, classify, examine, is_ignored, read_text


def content_paths(root: Path, rel: str, known) -> set[str]:
    """Every src_path ("content/briefs/x.md") a change at `rel` (relative to the root) may have touched.
    A file costs one stat; only a folder (made, moved, removed) is compared with every known path."""
    path = root / rel
    if rel in known or (path.is_file() and not path.is_symlink()):
        found = {rel}
    else:
        found = {p for p in known if p.startswith(rel.rstrip("/") + "/")}
    if rel not in found and path.is_dir() and not path.is_symlink():
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if not is_ignored(d) and not os.path.islink(os.path.join(dirpath, d))]
            for name in filenames:
                found.add(Path(dirpath, name).relative_to(root).as_posix())
    elif not path.is_dir():
        found.add(rel)
    return {p for p in found if p.startswith("content/") and not any(is_ignored(part) for part in p.split("/"))}


def read_source(root: Path, src_path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """The file as find_content would load it, by its rules (generator.load.examine); (None, []) when it
    is gone, is not content, or sits under a linked folder (which find_content never walks into)."""
    rel = src_path[len("content/"):]
    kind = classify(rel)
    if kind is None:
        return None, []
    path = root / src_path
    if not os.path.lexists(path):
        return None, []
    content_real = os.path.realpath(root / "content")
    if os.path.realpath(path.parent) != os.path.join(content_real, *rel.split("/")[:-1]).rstrip(os.sep):
        return None, []
    link = path.is_symlink()
    verdict, problem = examine(src_path, str(path), content_real, link, not link and path.is_dir())
    if verdict != FILE:
        return None, [problem] if problem is not None else []
    try:
        text, raw, problems = read_text(path, src_path)
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [Diagnostic(src_path, 0, 0, "error", "", f"cannot read file: {exc.strerror}")]
    if text is None:
        return None, problems
    return SourceFile(src_path, path, kind, text, raw, hashlib.sha256(raw).hexdigest()), problems
