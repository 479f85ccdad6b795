"""Pieces shared by the commands: the --root option and printing diagnostics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.diagnostics import Diagnostic, format_report


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), metavar="DIR",
                        help="the site root, holding content/ and optionally layouts/ (default: .)")


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
    report = format_report(diagnostics, files_checked, fmt)
    if fmt == "text" and not summary:
        report = report.rsplit("\n", 1)[0] if diagnostics else ""
    if report:
        print(report, file=sys.stderr if fmt == "text" else sys.stdout)
