"""`digest verify [SITE_DIR]`: prove a built folder is exactly what its manifest says.

Recomputes the sha256 of every file in SITE_DIR (default site/) and compares
them with SITE_DIR/build-manifest.json. Prints each changed, missing or extra
file and exits 1; on success prints "verified N files" and the commit.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.commands.common import find_site_root
from generator.manifest import MANIFEST_NAME, read_manifest, verify_site


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "site_dir",
        nargs="?",
        default=None,
        metavar="SITE_DIR",
        help=f"built site folder holding {MANIFEST_NAME} (default: site/ in the site root, "
             "found upwards from the current folder)",
    )


def run(args: argparse.Namespace) -> int:
    site_dir = Path(args.site_dir) if args.site_dir is not None else _default_site_dir()
    problems = verify_site(site_dir)
    if problems:
        annotate = os.environ.get("GITHUB_ACTIONS") == "true"
        for problem in problems:
            sys.stderr.write(f"{site_dir}: {problem}\n")
            if annotate:
                sys.stderr.write(f"::error title=digest verify::{site_dir}: {problem}\n")
        noun = "problem" if len(problems) == 1 else "problems"
        sys.stderr.write(f"verify failed: {len(problems)} {noun} in {site_dir}\n")
        return 1
    manifest, _ = read_manifest(site_dir)
    assert manifest is not None
    count = len(manifest["outputs"])
    commit = manifest.get("git_commit") or "no Git commit recorded"
    noun = "file" if count == 1 else "files"
    sys.stdout.write(f"verified {count} {noun} in {site_dir} (commit {commit})\n")
    return 0


def _default_site_dir() -> Path:
    here = Path.cwd()
    root = find_site_root(here)
    return Path(os.path.relpath(root, here)) / "site" if root is not None else Path("site")
