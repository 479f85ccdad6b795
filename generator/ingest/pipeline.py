"""One feed through every stage: fetch -> parse -> dedupe -> draft -> write.

Pure apart from the fetch and the draft writes; `progress` is a callback so
that only the command prints (it hears the outcome; the command says which
feed is being fetched). A failure of one feed becomes its report's
status and never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from generator.ingest import fetch
from generator.ingest.dedupe import KnownEntries, normalise_guid, normalise_url
from generator.ingest.drafts import build_draft, write_draft
from generator.ingest.parse import FeedEntry, parse_feed
from generator.ingest.registry import Source
from generator.ingest.report import SourceReport
from generator.ingest.sanitise import clean_text, safe_link
from generator.ingest.settings import IngestSettings
from generator.ingest.state import IngestState


@dataclass(frozen=True)
class FeedTarget:
    """A feed to read: a registry source's URL, a URL given on the command line, or a local file."""

    source: Source
    location: str
    is_file: bool = False
    ad_hoc: bool = False  # not in the registry: the name comes from the feed itself


@dataclass(frozen=True)
class Options:
    since: date | None = None
    limit: int | None = None
    dry_run: bool = False
    force: bool = False
    timeout: float = fetch.DEFAULT_TIMEOUT


Progress = Callable[[str], None]


def _no_progress(_: str) -> None:
    pass


def ingest_feed(
    target: FeedTarget,
    *,
    root: Path,
    settings: IngestSettings,
    known: KnownEntries,
    state: IngestState,
    options: Options,
    today: date,
    progress: Progress = _no_progress,
) -> SourceReport:
    report = SourceReport(name=target.source.name or target.location, location=target.location)
    if target.is_file:
        fetched = fetch.read_file(Path(target.location))
    else:
        validators = None if options.force else state.feeds.get(target.location)
        fetched = fetch.fetch_url(target.location, timeout=options.timeout, validators=validators)
    if fetched.status == "error":
        report.status, report.message = "error", fetched.error
        progress(f"  {report.name}: error: {fetched.error}")
        return report
    if fetched.status == "not_modified":
        report.status = "not_modified"
        progress(f"  {report.name}: not modified since the last run")
        return report

    feed = parse_feed(fetched.body, base_url=fetched.final_url, content_type=fetched.content_type)
    if not feed.usable:
        report.status = "error"
        report.message = f"not an RSS or Atom feed ({feed.problem or 'no entries found'})"
        progress(f"  {report.name}: error: {report.message}")
        return report
    if feed.bozo:
        report.warnings.append(f"the feed is malformed, read leniently: {feed.problem}")

    source = target.source
    if target.ad_hoc:
        name = clean_text(feed.title, 120) or _name_from_location(target.location)
        source = replace(source, name=name)
        report.name = name
    report.entries = len(feed.entries)

    base = fetched.final_url or safe_link(feed.link) or ""
    created = 0
    for entry in _newest_first(feed.entries):
        link = safe_link(entry.link, base) or (safe_link(entry.guid) if entry.guid else None)
        label = clean_text(entry.title, 80) or "(untitled)"
        if link is None:
            report.errors.append(f"'{label}': no http(s) link, skipped")
            continue
        if known.in_content(link) or (not options.force and known.seen_before(link, entry.guid)):
            report.present += 1
            continue
        if options.since and entry.published and entry.published.astimezone(settings.timezone).date() < options.since:
            report.too_old += 1
            continue
        if options.limit is not None and created >= options.limit:
            report.over_limit += 1
            continue
        try:
            draft = build_draft(
                entry, link, source,
                tz=settings.timezone, today=today, taken_slugs=known.slugs, stub_action=settings.stub_action,
            )
            if not options.dry_run:
                write_draft(root, draft)
        except (OSError, ValueError) as exc:
            report.errors.append(f"'{label}': cannot write the draft: {exc}")
            continue
        known.remember(link, entry.guid, draft.slug)
        if not options.dry_run:
            state.seen_urls.add(normalise_url(link))
            if entry.guid:
                state.seen_guids.add(normalise_guid(entry.guid))
        report.new.append(draft.path)
        created += 1

    # Remember the validators only when every entry was dealt with, so a feed
    # cut short by --limit or a write error is downloaded again next time.
    if not options.dry_run and not target.is_file and report.over_limit == 0 and not any(
        "cannot write" in e for e in report.errors
    ):
        if fetched.validators.etag or fetched.validators.last_modified:
            state.feeds[target.location] = fetched.validators
        else:
            state.feeds.pop(target.location, None)
    progress(f"  {report.name}: {report.entries} entries, {len(report.new)} new")
    return report


def _newest_first(entries: tuple[FeedEntry, ...]) -> list[FeedEntry]:
    floor = datetime.min.replace(tzinfo=None)

    def key(e: FeedEntry):
        return e.published.replace(tzinfo=None) if e.published else floor

    return sorted(entries, key=key, reverse=True)


def _name_from_location(location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.hostname:
        return parts.hostname
    return Path(location).stem or location
