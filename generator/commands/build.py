"""digest build: content/ in, site/ out (atomically)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.build import BuildOptions, build_site
from generator.commands.common import add_root, add_verbosity, positive_int, print_diagnostics
from generator.commands.progress import Progress
from generator.diagnostics import ContentError, summary_line
from generator.manifest import ManifestError
from generator.parallel import default_jobs
from generator.search import SearchIndexError
from generator.write import EnvironmentProblem, OutputError


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_root(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: ROOT/site)")
    p.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    p.add_argument("--base-url", default=None, metavar="URL", help="override base_url from site.yaml")
    p.add_argument("--no-search", dest="search", action="store_false", help="skip the Pagefind search index")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--clean", action="store_true", help="ignore the build cache and render everything")
    p.add_argument("-j", "--jobs", type=positive_int, default=0, metavar="N",
                   help="render with at most N worker processes (default: DIGEST_JOBS, or one per core up to 8)")
    add_verbosity(p)


def _say_waiting(pid: str) -> None:
    print(f"digest build: another build of this site is running (pid {pid}); waiting for it to finish ...",
          file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    root = args.root
    out = args.out if args.out is not None else root / "site"
    if args.base_url is not None and not args.base_url.startswith(("http://", "https://")):
        print(f"digest build: error: --base-url must be an absolute http(s) URL, got '{args.base_url}'", file=sys.stderr)
        return 2
    if args.verbosity > 0:
        print(f"building {root / 'content'} into {out}: up to {args.jobs or default_jobs()} worker processes, "
              f"drafts {'included' if args.drafts else 'left out'}, search {'on' if args.search else 'off'}, "
              f"{'no cache (--clean)' if args.clean else 'cache in .digest-cache/'}", file=sys.stderr)
    try:
        with Progress.for_command(sys.stderr, args.verbosity) as progress:
            report = build_site(BuildOptions(root=root, out=out, drafts=args.drafts, base_url=args.base_url,
                                             search=args.search, strict=args.strict, cache=not args.clean,
                                             on_wait=_say_waiting, jobs=args.jobs,
                                             progress=progress if progress.active else None))
    except ContentError as exc:
        print_diagnostics(exc.diagnostics, 0, summary=False)
        print(f"build failed: {summary_line(exc.diagnostics, len({d.path for d in exc.diagnostics}))}; "
              f"nothing written, {out} left as it was", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"digest build: error: {exc}", file=sys.stderr)
        return 2
    except SearchIndexError as exc:
        print(f"digest build: error: search index failed: {exc}; nothing written, {out} left as it was", file=sys.stderr)
        return 1
    except EnvironmentProblem as exc:
        print(f"digest build: error: {exc}; nothing published, {out} left as it was", file=sys.stderr)
        return 1
    except ManifestError as exc:
        print(f"digest build: error: {exc}", file=sys.stderr)
        return 1
    if report.warnings:
        print_diagnostics(report.warnings, 0, summary=False)
    if report.cache_warning:
        print(f"warning: {report.cache_warning}", file=sys.stderr)
    if args.verbosity < 0:
        return 0
    if report.up_to_date:
        print(f"{out} is up to date: nothing changed since the last build ({report.pages} pages; checked in {report.seconds:.2f} s)")
        return 0
    line = (f"built {report.pages} pages, {report.briefs} briefs, {report.issues} issues into {out} in {report.seconds:.2f} s"
            f" ({report.files} files: {report.rendered} rendered, {report.reused} unchanged)")
    if report.search:
        line += (f"; search: {report.search.get('pages', 0)} pages indexed, {report.search.get('bytes', 0) / 1024:.0f} KiB"
                 f" in {report.search.get('seconds', 0):.2f} s")
        if report.search.get("shards", 1) > 1:
            line += f" ({report.search['shards']} shards, {report.search['shards_reused']} unchanged)"
    if report.warnings:
        line += f"; {len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    print(line)
    return 0
