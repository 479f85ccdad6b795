"""`digest ingest`: draft briefs from the monitored sources' RSS/Atom feeds.

    digest ingest [--root DIR] [--source NAME ...] [--since YYYY-MM-DD] [--limit N]
                  [--dry-run] [--force] [--timeout S] [-q | -v] [FEED_URL_OR_FILE ...]

With no feeds named, every source in content/sources.yaml is read. A
FEED_URL_OR_FILE is an http(s) URL or the path of a local feed file; nothing
else is opened. Prints a line per feed to stderr (on a terminal, a status
line of feeds fetched and drafts written, redrawn in place) and a table (new,
present, too old, errors) to stdout; -q prints only warnings and errors, -v
a note for every feed. Exit 0 when at least one feed was read,
1 when none was (or content is broken), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from generator.commands.common import add_root, add_verbosity, print_diagnostics
from generator.commands.progress import Progress
from generator.ingest import fetch
from generator.ingest.dedupe import KnownEntries, normalise_url, scan_briefs
from generator.ingest.pipeline import FeedTarget, Options, ingest_feed
from generator.ingest.registry import REGISTRY_PATH, Source, load_registry
from generator.ingest.report import format_table
from generator.ingest.settings import load_settings
from generator.ingest.state import STATE_PATH, load_state, save_state


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date in the form YYYY-MM-DD") from None


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive whole number")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 < seconds <= 600:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of seconds between 0 and 600")
    return seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("feeds", nargs="*", metavar="FEED_URL_OR_FILE",
                        help="read only these feeds: http(s) URLs or paths of local feed files")
    add_root(parser)
    parser.add_argument("--source", action="append", default=[], metavar="NAME",
                        help="read only this registry source (name or alias); repeatable")
    parser.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                        help="skip entries published before this date (site time zone)")
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="write at most N new drafts per feed")
    parser.add_argument("--dry-run", action="store_true", help="report what would be written; write nothing")
    parser.add_argument("--force", action="store_true",
                        help="re-download unchanged feeds and re-create drafts deleted since an earlier run")
    parser.add_argument("--timeout", type=_seconds, default=fetch.DEFAULT_TIMEOUT, metavar="S",
                        help=f"network timeout in seconds (default: {fetch.DEFAULT_TIMEOUT:g})")
    add_verbosity(parser)


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")


def _silent(line: str) -> None:
    pass


def _drafts(reports: list, dry_run: bool) -> str:
    count = sum(len(r.new) for r in reports)
    return f"{count} draft{'' if count == 1 else 's'} {'to write' if dry_run else 'written'}"


def _targets(args: argparse.Namespace, sources: list[Source]) -> list[FeedTarget] | str:
    """The feeds to read, or a usage error message."""
    targets: list[FeedTarget] = []
    for name in args.source:
        matches = [s for s in sources if s.matches(name)]
        if not matches:
            known = ", ".join(s.name for s in sources) or f"none: {REGISTRY_PATH} lists no sources"
            return f"no source named '{name}' in {REGISTRY_PATH} (known: {known})"
        targets += [FeedTarget(s, s.feed) for s in matches]
    by_feed = {normalise_url(s.feed): s for s in sources}
    for item in args.feeds:
        if fetch.is_http_url(item):
            registered = by_feed.get(normalise_url(item))
            if registered:
                targets.append(FeedTarget(registered, registered.feed))
            else:
                targets.append(FeedTarget(Source(name="", feed=item), item, ad_hoc=True))
        elif "://" in item or item.lower().startswith(("file:", "data:", "javascript:", "smb:", "ftp:")):
            return f"'{item}': only http(s) URLs and paths of local files can be read"
        else:
            path = Path(item)
            if not path.is_file():
                return f"'{item}': no such file (give an http(s) URL or the path of a feed file)"
            targets.append(FeedTarget(Source(name="", feed=str(path)), str(path), is_file=True, ad_hoc=True))
    if not args.source and not args.feeds:
        targets = [FeedTarget(s, s.feed) for s in sources]
    unique: dict[str, FeedTarget] = {}
    for t in targets:
        unique.setdefault(t.location, t)
    return list(unique.values())


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not (root / "content").is_dir():
        _err(f"{root}: no content/ folder here; use --root to point at the site folder")
        return 2
    settings, problems = load_settings(root)
    if settings is None:
        print_diagnostics(problems, 1)
        return 1
    sources, problems = load_registry(root, list(settings.sections or []) or None,
                                      list(settings.jurisdictions or []) or None)
    if any(d.severity == "error" for d in problems):
        print_diagnostics(problems, 1)
        return 1
    targets = _targets(args, sources)
    if isinstance(targets, str):
        _err(f"digest ingest: error: {targets}")
        return 2
    if not targets:
        _err(f"no feeds to read: add sources to {REGISTRY_PATH} or name a feed URL or file")
        return 1

    state, warning = load_state(root)
    if warning:
        _err(f"warning: {warning}")
    urls, slugs = scan_briefs(root)
    known = KnownEntries(urls, slugs, set(state.seen_urls), set(state.seen_guids))
    options = Options(args.since, args.limit, args.dry_run, args.force, args.timeout)
    today = datetime.now(settings.timezone).date()

    reports = []
    with Progress.for_command(sys.stderr, args.verbosity) as status:
        for number, target in enumerate(targets, start=1):
            prefix = f"[{number}/{len(targets)}] "
            name = target.source.name or target.location
            if status.live:  # on a terminal: which feed, in the status line
                status("feeds fetched", number - 1, len(targets), f"{_drafts(reports, args.dry_run)}; fetching {name}")
            elif args.verbosity >= 0:
                _err(f"{prefix}fetching {name} ({target.location}) ...")
            reports.append(ingest_feed(
                target, root=root, settings=settings, known=known, state=state, options=options, today=today,
                progress=(lambda line, prefix=prefix: status.print(prefix + line.lstrip()))
                if args.verbosity >= 0 else _silent,
            ))
        status("feeds fetched", len(targets), len(targets), _drafts(reports, args.dry_run))

    if not args.dry_run:
        try:
            save_state(root, state)
        except OSError as exc:
            _err(f"warning: cannot save {STATE_PATH}: {exc}")

    out = sys.stdout
    if args.verbosity >= 0:
        out.write(("Dry run: nothing was written.\n" if args.dry_run else ""))
        out.write(format_table(reports) + "\n")
    for report in reports:
        notes = []
        if report.status == "error":
            notes.append(f"error: {report.message}")
        if report.status == "not_modified":
            notes.append("not modified since the last run (use --force to read it again)")
        notes += [f"warning: {w}" for w in report.warnings]
        notes += [f"error: {e}" for e in report.errors]
        if report.over_limit:
            notes.append(f"{report.over_limit} more new entries left for a later run (--limit)")
        if args.verbosity < 0:  # problems only
            notes = [n for n in notes if n.startswith(("error: ", "warning: "))]
        else:
            notes += [("would write " if args.dry_run else "wrote ") + path for path in report.new]
        if args.verbosity > 0 and not notes:
            notes.append("nothing new")
        if notes:
            out.write(f"\n{report.name} ({report.location})\n")
            out.write("".join(f"  {n}\n" for n in notes))
    return 0 if any(r.succeeded for r in reports) else 1
