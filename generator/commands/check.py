"""digest check [FILE...]: validate content/ and report every problem; writes nothing.

With FILEs (as an editor's save hook or pre-commit passes them), only the
problems that concern those files are reported: their own, and those of the
site-wide rules they take part in (see generator.concerning).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.build import check_site
from generator.commands.common import add_root, print_diagnostics
from generator.concerning import concerning
from generator.diagnostics import errors_in


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="*", metavar="FILE",
                   help="check only these files (and the site-wide rules they take part in); default: everything")
    add_root(p)
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text for people, json for tools")


def run(args: argparse.Namespace) -> int:
    if not args.root.is_dir():
        print(f"digest check: error: --root {args.root} is not a folder", file=sys.stderr)
        return 2
    named = _site_paths(args.root, args.files)
    if isinstance(named, str):
        print(f"digest check: error: {named}", file=sys.stderr)
        return 2
    result = check_site(args.root)
    diagnostics, files_checked = result.diagnostics, result.files_checked
    if named is not None:
        diagnostics, files_checked = concerning(diagnostics, named), len(named)
    print_diagnostics(diagnostics, files_checked, args.format)
    if errors_in(diagnostics):
        return 1
    if args.strict and diagnostics:
        return 1
    return 0


def _site_paths(root: Path, files: list[str]) -> set[str] | None | str:
    """The named files as paths from the site root ("content/briefs/x.md"); None when none are named;
    a message when one does not exist or lies outside the site's content/."""
    if not files:
        return None
    content = Path(os.path.realpath(root / "content"))
    out: set[str] = set()
    for name in files:
        path = Path(name)
        if not path.exists():
            return f"{name}: no such file"
        if path.is_dir():
            return f"{name} is a folder; name files, or leave FILE out to check everything"
        # the link itself, not its target: content/ may not link outside itself, and check says so
        folder = Path(os.path.realpath(path.absolute().parent))
        try:
            rel = (folder / path.name).relative_to(content)
        except ValueError:
            return f"{name} is not inside the site's content/ folder ({content})"
        out.add(f"content/{rel.as_posix()}")
    return out
