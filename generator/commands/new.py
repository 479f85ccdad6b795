"""digest new: start a brief or a weekly editorial from a commented stub.

    digest new brief "Title" [--source NAME] [--url URL]
    digest new issue [YYYY-Www]

A brief starts as `draft: true` with every field present and a comment on
each; the places where the editor has work to do say TODO, and the build
refuses to publish a brief that still says TODO. Neither command ever
overwrites a file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

from generator.commands.common import add_root, print_diagnostics, shown_path
from generator.config import SiteConfig, load_config
from generator.dates import today_in
from generator.model import Week
from generator.slugs import is_valid_slug, slugify
from generator.validate import MAX_KEY_POINTS, MAX_STANDFIRST, PLACEHOLDER, is_http_url

_SLUG_LINE = re.compile(r"^slug:\s*[\"']?([a-z0-9-]+)", re.MULTILINE)


def add_arguments(p: argparse.ArgumentParser) -> None:
    kinds = p.add_subparsers(dest="kind", metavar="KIND", parser_class=type(p))
    kinds.required = True
    brief = kinds.add_parser("brief", help="write content/briefs/YYYY/<slug>.md, a draft with every field stubbed",
                             description="Write a new draft brief with every field stubbed and explained.")
    brief.add_argument("title", help="the brief's headline (the file name and URL are made from it)")
    brief.add_argument("--source", metavar="NAME", default=None, help="the source's name, as in content/sources.yaml")
    brief.add_argument("--url", metavar="URL", default=None, help="the original item's https:// address")
    add_root(brief)
    issue = kinds.add_parser("issue", help="write content/issues/YYYY-Www.md, the week's editorial",
                             description="Write the weekly editorial stub (default: the current week).")
    issue.add_argument("week", nargs="?", default=None, metavar="YYYY-Www", help="ISO week, e.g. 2026-W11")
    add_root(issue)


def run(args: argparse.Namespace) -> int:
    if not (args.root / "content").is_dir():
        print(f"digest new: error: no content/ folder in {args.root}; run this in a site's folder (or any folder "
              "inside it) or pass --root", file=sys.stderr)
        return 2
    config, diags = load_config(args.root)
    if config is None:
        print_diagnostics(diags, 1)
        print("digest new: error: fix content/site.yaml first", file=sys.stderr)
        return 1
    if args.kind == "brief":
        return _new_brief(args, config)
    return _new_issue(args, config)


def _new_brief(args: argparse.Namespace, config: SiteConfig) -> int:
    base = slugify(args.title)
    if not base:
        print(f"digest new: error: the title '{args.title}' has no letters or digits to make a file name from",
              file=sys.stderr)
        return 2
    if args.url is not None and not is_http_url(args.url):
        print(f"digest new: error: --url must be an http(s) address, got '{args.url}'", file=sys.stderr)
        return 2
    slug = unique_slug(base, existing_slugs(args.root))
    today = today_in(config.tz)
    rel = f"content/briefs/{today.year}/{slug}.md"
    text = brief_stub(args.title, slug, today.isoformat(), config, _registry_entry(args.root, args.source),
                      source_name=args.source, url=args.url)
    return _write_new(args.root, rel, text)


def _new_issue(args: argparse.Namespace, config: SiteConfig) -> int:
    if args.week is None:
        week = Week.of(today_in(config.tz))
    else:
        week = Week.parse(args.week)
        if week is None:
            print(f"digest new: error: '{args.week}' is not an ISO week; write it as YYYY-Www, e.g. 2026-W11",
                  file=sys.stderr)
            return 2
    issues = args.root / "content" / "issues"
    if issues.is_dir():
        for existing in sorted(issues.glob("*.md")):
            if Week.parse(existing.stem) == week:
                print(f"digest new: error: content/issues/{existing.name} already exists; not overwriting it",
                      file=sys.stderr)
                return 1
    return _write_new(args.root, f"content/issues/{week.label}.md", issue_stub(week))


def _write_new(root: Path, rel: str, text: str) -> int:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite
            fh.write(text)
    except FileExistsError:
        print(f"digest new: error: {rel} already exists; not overwriting it", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"digest new: error: cannot write {rel}: {exc.strerror}", file=sys.stderr)
        return 1
    print(shown_path(rel))
    return 0


def existing_slugs(root: Path) -> set[str]:
    """Every slug in use: brief file names, and `slug:` fields in their front matter."""
    found: set[str] = set()
    briefs = root / "content" / "briefs"
    if not briefs.is_dir():
        return found
    for path in briefs.rglob("*.md"):
        found.add(path.stem if is_valid_slug(path.stem) else slugify(path.stem))
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace")
        except OSError:
            continue
        found.update(_SLUG_LINE.findall(head))
    return found


def unique_slug(base: str, taken: set[str]) -> str:
    """base, or base-2, base-3, ... whichever is free."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _registry_entry(root: Path, name: str | None):
    """The sources.yaml entry for `name` (or one of its aliases), if the registry can be read."""
    if not name:
        return None
    try:
        from generator.ingest.registry import load_registry
    except ImportError:  # pragma: no cover - the ingest stage is optional
        return None
    sources, _problems = load_registry(root)
    return next((s for s in sources if s.matches(name)), None)


def _q(text: str) -> str:
    """A YAML double-quoted string (JSON's quoting is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def brief_stub(title: str, slug: str, published: str, config: SiteConfig, entry=None, *,
               source_name: str | None = None, url: str | None = None) -> str:
    """The text of a new draft brief: valid as it stands, with TODO where the editor has work to do."""
    actions = config.action_names
    action = "Monitor" if "Monitor" in actions else (actions[0] if actions else "Monitor")
    name = entry.name if entry is not None else (source_name or f"{PLACEHOLDER}: the publisher or newsletter")
    author = getattr(entry, "author", None)
    section = getattr(entry, "section", None)
    jurisdiction = getattr(entry, "jurisdiction", None)
    tags = list(getattr(entry, "tags", ()) or ()) or [f"{PLACEHOLDER}-tag"]
    sections = ", ".join(config.sections)
    jurisdictions = ", ".join(config.jurisdictions)
    lines = [
        "---",
        "# Headline: what happened, in plain words (sentence case).",
        f"title: {_q(title)}",
        f"# One sentence, under {MAX_STANDFIRST} characters: why it matters to {config.audience}.",
        f"standfirst: {_q(PLACEHOLDER + ': one sentence on why this matters.')}",
        "# Where the item came from. name as in content/sources.yaml; url is the original item (https://).",
        "source:",
        f"  name: {_q(name)}",
        "  # Person or body that wrote it (optional: delete the line if none).",
        f"  author: {_q(author)}" if author else "  author:",
        f"  url: {_q(url) if url else _q(f'https://example.org/{PLACEHOLDER}/{slug}')}",
        "# Date the source published the item (YYYY-MM-DD).",
        f"published: {published}",
        "# Digest week it belongs to (YYYY-Www). Optional: the week of 'published' when left out.",
        f"# issue: {Week.of(dt.date.fromisoformat(published)).label}",
        "# Topic tags in lower case, one or more: [tag, another-tag].",
        f"tags: [{', '.join(_q(t) for t in tags)}]",
        f"# Optional. One of: {sections}.",
        f"section: {_q(section)}" if section else "# section: ",
        f"# Optional. One of: {jurisdictions}.",
        f"jurisdiction: {_q(jurisdiction)}" if jurisdiction else "# jurisdiction: ",
        f"# 1 to {MAX_KEY_POINTS} key points; inline Markdown (**bold**, *italic*, [links](https://...)).",
        "key_points:",
        f"  - {_q(PLACEHOLDER + ': the first key point.')}",
        f"# What agencies could do. action is one of: {', '.join(actions)}. text is inline Markdown.",
        "implications:",
        f"  - action: {action}",
        f"    text: {_q(PLACEHOLDER + ': what agencies could do about it.')}",
        "# Optional limits or doubts about the item, as a list of sentences.",
        "caveats: []",
        f"# Optional. The URL name (a-z, 0-9, hyphens); the file name '{slug}' is used when left out.",
        f"# slug: {slug}",
        "# Optional. Date of a material change after publication (YYYY-MM-DD).",
        "# updated: ",
        "# Optional protective marking, never above the site's own"
        + (f" ({config.marking})." if config.marking else "."),
        "# classification: OFFICIAL",
        "# Written by `digest draft` when a language model drafts the brief; leave it as it is.",
        "# generated: {model: ..., prompt_sha256: ..., date: ...}",
        "# Who checked a drafted brief against the source; needed to publish one that has 'generated'.",
        "# reviewed_by: ",
        "# true keeps the brief off the site. Remove this line (or write false) when the brief is ready.",
        "draft: true",
        "---",
        f"{PLACEHOLDER}: the summary. A few short paragraphs of Markdown on what happened and what it means.",
        "",
    ]
    return "\n".join(lines)


def issue_stub(week: Week) -> str:
    """The text of a new weekly editorial ("This week at a glance")."""
    return "\n".join([
        "---",
        f"# Optional headline for week {week.label} ({week.monday.isoformat()} to {week.sunday.isoformat()}).",
        "# Delete the line to use the default heading.",
        f"title: {_q(PLACEHOLDER + ': a headline for the week')}",
        "---",
        f"{PLACEHOLDER}: this week at a glance. Start with the most actionable development for agencies,",
        "then the other notable items. The site will not build while this text says TODO.",
        "",
    ])
