"""Pieces shared by the commands: the --root option and printing diagnostics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.diagnostics import Diagnostic, format_report


def add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), metavar="DIR",
                        help="the site root, holding content/ and optionally layouts/ (default: .)")


def print_diagnostics(diagnostics: list[Diagnostic], files_checked: int, fmt: str = "text", *, summary: bool = True) -> None:
    report = format_report(diagnostics, files_checked, fmt)
    if fmt == "text" and not summary:
        report = report.rsplit("\n", 1)[0] if diagnostics else ""
    if report:
        print(report, file=sys.stderr if fmt == "text" else sys.stdout)
