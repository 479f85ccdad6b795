"""Which problems concern some files: `digest check FILE...` for editors and pre-commit.

The whole site is still read, because some rules are about several files at
once (two briefs with one slug or one source URL, two editorials for one week,
a tag one edit away from another brief's), and a file takes part in those
whichever of the files the problem is reported on. So the problems shown are
the ones reported on the named files, those that name one of them, and
anything wrong with content/site.yaml (nothing can be checked without it).
Naming site.yaml itself checks everything: every file depends on it.
"""

from __future__ import annotations

from generator.config import SRC_PATH as SITE_YAML
from generator.diagnostics import Diagnostic


def concerning(diagnostics: list[Diagnostic], files: set[str]) -> list[Diagnostic]:
    """The diagnostics about `files` (paths relative to the site root, POSIX style)."""
    if SITE_YAML in files:
        return list(diagnostics)
    return [d for d in diagnostics
            if d.path in files
            or (d.path == SITE_YAML and d.severity == "error")
            or any(_names(d.message, f) for f in files)]


def _names(message: str, path: str) -> bool:
    """True when `message` names `path` as a whole word (so a.md is not found in data.md)."""
    start = message.find(path)
    while start >= 0:
        end = start + len(path)
        before = message[start - 1] if start else " "
        after = message[end] if end < len(message) else " "
        if not (before.isalnum() or before in "/_-.") and not (after.isalnum() or after in "/_-"):
            return True
        start = message.find(path, start + 1)
    return False
