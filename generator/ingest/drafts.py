"""Draft briefs from feed entries: front matter built as a dict, emitted with yaml.safe_dump.

Front matter is never pasted together as text, so a hostile title such as
"x\\n---\\ndraft: false" stays a title. key_points and implications are
stubbed with placeholders an editor replaces; the draft still passes
validation with --drafts. Every feed field is sanitised here before use.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from generator.ingest.parse import FeedEntry
from generator.ingest.registry import Source
from generator.ingest.sanitise import clean_html, clean_text
from generator.ingest.to_markdown import html_to_markdown
from generator.slugs import slugify

PLACEHOLDER_STANDFIRST = "TODO: one sentence on why this matters to agencies."
PLACEHOLDER_KEY_POINT = "TODO: key point"
PLACEHOLDER_IMPLICATION = "TODO: implication for agencies"
PLACEHOLDER_BODY = "TODO: summary. The feed gave no text for this entry; read it at the source."
CAVEAT_TEASER = "The feed gave only a teaser; read the full text at the source before summarising."
CAVEAT_NO_DATE = "The feed gave no publication date; check the date."
CAVEAT_TRUNCATED = "The feed entry was very long and was cut short here; check the full text at the source."
FALLBACK_TAG = "unsorted"
MAX_TITLE = 300
MAX_STANDFIRST_SENTENCE = 300
SLUG_LENGTH = 70
_SENTENCE = re.compile(r"^(.{20,}?[.!?])(?:\s|$)")


@dataclass(frozen=True)
class Draft:
    """One draft brief, ready to write. `path` is relative to the site root, POSIX style."""

    path: str
    slug: str
    link: str
    guid: str
    front_matter: dict
    body: str

    def render(self) -> str:
        return render_document(self.front_matter, self.body)


def render_document(front_matter: dict, body: str) -> str:
    """`---`, the YAML front matter, `---`, a blank line, the Markdown body."""
    emitted = yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    # Belt and braces: the emitter quotes anything that could close the block,
    # and the result must read back as exactly the same data.
    if any(line in ("---", "...") for line in emitted.splitlines()) or yaml.safe_load(emitted) != front_matter:
        raise ValueError("front matter did not survive a YAML round trip")
    return f"---\n{emitted}---\n\n{body.rstrip()}\n"


def unique_slug(base: str, taken: set[str]) -> str:
    slug = base or "brief"
    n = 2
    while slug in taken:
        suffix = f"-{n}"
        slug = base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        n += 1
    return slug


def first_sentence(text: str) -> str:
    match = _SENTENCE.match(text)
    if match and len(match.group(1)) <= MAX_STANDFIRST_SENTENCE:
        return match.group(1)
    return ""


def build_draft(
    entry: FeedEntry,
    link: str,
    source: Source,
    *,
    tz: ZoneInfo,
    today: date,
    taken_slugs: set[str],
    stub_action: str,
) -> Draft:
    """The draft for one entry whose `link` has already been checked to be http(s)."""
    body_html = clean_html(entry.body_html)
    plain = clean_text(body_html, max_length=2000)
    title = clean_text(entry.title, max_length=MAX_TITLE) or _title_from_text(plain) or f"Untitled item from {source.name}"
    published = entry.published.astimezone(tz).date() if entry.published else today
    slug = unique_slug(slugify(title, max_length=SLUG_LENGTH), taken_slugs)

    source_block: dict = {"name": source.name}
    author = clean_text(entry.author, max_length=200) or (source.author or "")
    if author:
        source_block["author"] = author
    source_block["url"] = link

    tags = [t for t in dict.fromkeys(slugify(t) for t in source.tags) if t]
    if not tags:
        tags = [t for t in dict.fromkeys(slugify(clean_text(c, 100)) for c in entry.categories) if t][:5]
    caveats = []
    if entry.is_teaser and plain:
        caveats.append(CAVEAT_TEASER)
    if entry.published is None:
        caveats.append(CAVEAT_NO_DATE)
    if entry.truncated:
        caveats.append(CAVEAT_TRUNCATED)

    front_matter: dict = {
        "title": title,
        "standfirst": first_sentence(plain) or PLACEHOLDER_STANDFIRST,
        "source": source_block,
        "published": published,
        "tags": tags or [FALLBACK_TAG],
    }
    if source.section:
        front_matter["section"] = source.section
    if source.jurisdiction:
        front_matter["jurisdiction"] = source.jurisdiction
    front_matter["key_points"] = [PLACEHOLDER_KEY_POINT]
    front_matter["implications"] = [{"action": stub_action, "text": PLACEHOLDER_IMPLICATION}]
    if caveats:
        front_matter["caveats"] = caveats
    front_matter["draft"] = True

    body = html_to_markdown(body_html, base_url=link).strip() or PLACEHOLDER_BODY
    path = f"content/briefs/{published.year:04d}/{slug}.md"
    return Draft(path, slug, link, entry.guid, front_matter, body)


def _title_from_text(plain: str) -> str:
    words = plain.split()
    if not words:
        return ""
    short = " ".join(words[:12])
    return short + ("…" if len(words) > 12 else "")


def write_draft(root: Path, draft: Draft) -> None:
    """Write the file atomically, and never over an existing file (FileExistsError)."""
    target = Path(root) / draft.path
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{draft.slug}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(draft.render())
        os.link(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
