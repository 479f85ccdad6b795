"""Pieces shared by the commands: the --root option, finding the site root, printing diagnostics."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from generator.diagnostics import Diagnostic, format_report

MARKER = Path("content") / "site.yaml"  # what makes a folder a site root

# Set when the site root was found above the current folder: text reports then
# give paths from the current folder, as git does, so they can be opened as shown.
_shown_from: tuple[Path, Path] | None = None  # (site root, current folder), both absolute


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="the site root, holding content/ and optionally layouts/ (default: the nearest "
                             "folder, from the current one upwards, that holds content/site.yaml)")


def find_site_root(start: Path) -> Path | None:
    """The nearest folder from `start` upwards that holds content/site.yaml, as git looks for .git."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def resolve_root(args: argparse.Namespace) -> None:
    """Fill in args.root when --root was not given: the site root found upwards from here, or '.'.

    A root found above the current folder is given relative to it ("../.."),
    so messages that name output folders read as a path from here.
    """
    global _shown_from
    _shown_from = None
    if not hasattr(args, "root") or args.root is not None:
        return
    here = Path.cwd()
    found = find_site_root(here)
    if found is None or found == here:
        args.root = Path(".")
        return
    args.root = Path(os.path.relpath(found, here))
    _shown_from = (found, here)


def shown_path(path: str) -> str:
    """A root-relative path as the editor should see it: from the current folder when the root is above it."""
    if _shown_from is None:
        return path
    root, here = _shown_from
    return os.path.relpath(root / path, here)


def use_colour(stream) -> bool:
    """Colour for a terminal only. NO_COLOR (any value) turns it off, FORCE_COLOR (any value) on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """-q and -v: args.verbosity is -1 (errors and warnings only), 0 (the default) or 1 (more detail)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1, default=0,
                       help="print only warnings and errors")
    group.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=1,
                       help="print more about what is done")


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of 1 or more")
    return int(value)


def print_diagnostics(diagnostics: list[Diagnostic], files_checked: int, fmt: str = "text", *, summary: bool = True) -> None:
    stream = sys.stderr if fmt == "text" else sys.stdout
    if fmt == "text" and _shown_from is not None:
        diagnostics = [dataclasses.replace(d, path=shown_path(d.path)) for d in diagnostics]
    colour = fmt == "text" and use_colour(stream)
    report = format_report(diagnostics, files_checked, fmt, colour=colour)
    if fmt == "text" and not summary:
        report = report.rsplit("\n", 1)[0] if diagnostics else ""
    if report:
        print(report, file=stream)
