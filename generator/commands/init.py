"""digest init [DIR]: write a new site that checks and builds as it stands."""

from __future__ import annotations

import argparse
import sys
import zoneinfo
from pathlib import Path

from generator.dates import today_in
from generator.newsite import already_there, starter_files, write_files


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", nargs="?", default=".", metavar="DIR",
                   help="folder for the new site, created when missing (default: the current folder)")


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        print(f"digest init: error: {folder} exists and is not a folder", file=sys.stderr)
        return 1
    files = starter_files(today_in(zoneinfo.ZoneInfo("Australia/Sydney")))  # the starter site's time zone
    clashes = already_there(folder, files)
    if clashes:
        print(f"digest init: error: {folder} already has {', '.join(clashes)}; init writes a new site and "
              "never overwrites anything, so nothing was written", file=sys.stderr)
        return 1
    try:
        write_files(folder, files)
    except OSError as exc:
        print(f"digest init: error: cannot write in {folder}: {exc.strerror or exc}"
              f"{f' ({exc.filename})' if exc.filename else ''}", file=sys.stderr)
        return 1
    print(f"wrote a new site in {folder}:")
    for rel in files:
        print(f"  {rel}")
    cd = "" if str(folder) == "." else f"cd {folder}, then "
    print(f"next: {cd}set title and base_url in content/site.yaml, preview with `digest serve`, "
          "and run `digest check` before each commit")
    return 0
