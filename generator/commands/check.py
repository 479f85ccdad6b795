"""digest check: validate content/ and report every problem; writes nothing."""

from __future__ import annotations

import argparse
import sys

from generator.build import check_site
from generator.commands.common import add_root, print_diagnostics
from generator.diagnostics import errors_in


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_root(p)
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text for people, json for tools")


def run(args: argparse.Namespace) -> int:
    if not args.root.is_dir():
        print(f"digest check: error: --root {args.root} is not a folder", file=sys.stderr)
        return 2
    result = check_site(args.root)
    print_diagnostics(result.diagnostics, result.files_checked, args.format)
    if errors_in(result.diagnostics):
        return 1
    if args.strict and result.diagnostics:
        return 1
    return 0
