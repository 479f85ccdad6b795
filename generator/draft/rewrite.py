"""Put a reply into a brief: the drafted fields replace ingest's, and nothing else moves.

The front matter is edited field by field, not re-emitted whole: the lines of
the fields being replaced are swapped for freshly emitted YAML (yaml.safe_dump,
so any text stays text), new fields go just above `draft:`, and every other
line, comments included, stays as the editor left it. The result is then read
back with parse_brief, the function `digest check` uses, and must say exactly
what was intended before a byte is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from generator.config import SiteConfig
from generator.draft.reply import Reply
from generator.draft.request import FALLBACK_TAGS
from generator.frontmatter import FrontMatterProblem, normalise_newlines, split_front_matter
from generator.load import MAX_FILE_BYTES, SourceFile
from generator.model import Brief, Generated, Implication
from generator.slugs import slugify
from generator.validate import parse_brief
from generator.yamlsrc import YamlProblem, parse_yaml


@dataclass(frozen=True)
class Rewritten:
    raw: bytes | None  # the new file, or None when something was wrong
    problems: list[str]
    warnings: list[str]


def merged_tags(existing: tuple[str, ...], proposed: tuple[str, ...]) -> list[str]:
    """The brief's tags (less ingest's 'unsorted'), then the reply's new ones; one per slug."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in [t for t in existing if t.casefold() not in FALLBACK_TAGS] + list(proposed):
        key = slugify(tag)
        if key and key not in seen:
            seen.add(key)
            out.append(tag)
    return out or list(existing)


def _emit(key: str, value) -> list[str]:
    text = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return text.rstrip("\n").split("\n")


def _spans(doc, lines: list[str], closing: int) -> dict[str, tuple[int, int]]:
    """Top-level key -> (first line, last line), 1-based; trailing blank and comment lines are left out."""
    starts = sorted((doc.key_pos[(key,)][0], key) for key in doc.data if (key,) in doc.key_pos)
    spans = {}
    for i, (start, key) in enumerate(starts):
        end = (starts[i + 1][0] if i + 1 < len(starts) else closing) - 1
        while end > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        spans[key] = (start, end)
    return spans


def rewrite_brief(src: SourceFile, brief: Brief, reply: Reply, generated: Generated, cfg: SiteConfig,
                  today: dt.date) -> Rewritten:
    """The brief's new bytes with the reply in place, checked; or the problems that stop it."""
    text = normalise_newlines(src.text)
    lines = text.split("\n")
    try:
        split = split_front_matter(text)
        doc = parse_yaml(split.yaml_text, split.yaml_first_line)
    except (FrontMatterProblem, YamlProblem) as problem:
        return Rewritten(None, [f"cannot read the brief's front matter: {problem.message}"], [])
    closing = split.body_first_line - 1  # the line of the closing '---'
    spans = _spans(doc, lines, closing)

    tags = merged_tags(brief.tags, reply.tags)
    new_values: dict[str, object] = {
        "standfirst": reply.standfirst,
        "key_points": list(reply.key_points),
        "implications": [{"action": a, "text": t} for a, t in reply.implications],
        "tags": tags,
    }
    if reply.section and "section" not in doc.data:
        new_values["section"] = reply.section
    if reply.jurisdiction and "jurisdiction" not in doc.data:
        new_values["jurisdiction"] = reply.jurisdiction
    new_values["generated"] = {"model": generated.model, "prompt_sha256": generated.prompt_sha256,
                               "date": generated.date}
    removed = {"reviewed_by"}  # a new draft has not been reviewed by anyone

    replaced = {spans[k][0]: (spans[k][1], _emit(k, v)) for k, v in new_values.items() if k in spans}
    replaced.update({spans[k][0]: (spans[k][1], []) for k in removed if k in spans})
    inserted = [line for k, v in new_values.items() if k not in spans for line in _emit(k, v)]
    insert_at = spans["draft"][0] if "draft" in spans else closing

    out = [lines[0]]
    line_no = 2
    while line_no < closing:
        if line_no == insert_at:
            out += inserted
        if line_no in replaced:
            end, new_lines = replaced[line_no]
            out += new_lines
            line_no = end + 1
            continue
        out.append(lines[line_no - 1])
        line_no += 1
    if insert_at == closing:
        out += inserted
    out.append(lines[closing - 1])
    new_text = "\n".join(out) + "\n\n" + reply.summary.strip() + "\n"

    if src.text.startswith("\ufeff"):
        new_text = "\ufeff" + new_text
    if b"\r\n" in src.raw:
        new_text = new_text.replace("\n", "\r\n")
    raw = new_text.encode("utf-8")
    if len(raw) > MAX_FILE_BYTES:
        return Rewritten(None, [f"the drafted brief would be {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"], [])
    return _checked(src, raw, new_text, brief, reply, generated, tags, cfg, today)


def _checked(src, raw, new_text, brief, reply, generated, tags, cfg, today) -> Rewritten:
    """Read the new file back as `digest check` would, and compare with what was meant."""
    new_src = SourceFile(src.src_path, src.abs_path, src.kind, new_text, raw, hashlib.sha256(raw).hexdigest())
    parsed, diagnostics = parse_brief(new_src, cfg, today)
    errors = [d.text for d in diagnostics if d.severity == "error"]
    warnings = [d.text for d in diagnostics if d.severity == "warning"]
    if errors or parsed is None:
        return Rewritten(None, errors or ["the drafted brief does not pass the checks"], warnings)
    expected = replace(
        brief,
        standfirst=reply.standfirst, key_points=tuple(reply.key_points),
        implications=tuple(Implication(a, t) for a, t in reply.implications), tags=tuple(tags),
        section=brief.section or reply.section, jurisdiction=brief.jurisdiction or reply.jurisdiction,
        generated=generated, reviewed_by="", body=parsed.body,
    )
    differs = [name for name in ("title", "standfirst", "source", "published", "week", "tags", "section",
                                 "jurisdiction", "key_points", "implications", "caveats", "slug", "draft",
                                 "updated", "classification", "generated", "reviewed_by")
               if getattr(parsed, name) != getattr(expected, name)]
    if parsed.body.strip() != reply.summary.strip():
        differs.append("body")
    if differs:
        return Rewritten(None, [f"the rewritten brief does not read back as intended ({', '.join(differs)}); "
                                "this is a bug in digest draft"], warnings)
    return Rewritten(raw, [], warnings)


def replace_file(path: Path, expected: bytes, new: bytes) -> str:
    """Swap in `new` atomically, only if the file still holds `expected`; '' or why not."""
    path = Path(path)
    try:
        if path.read_bytes() != expected:
            return "the file changed while it was being drafted; nothing was written (run again)"
        mode = path.stat().st_mode & 0o7777
    except OSError as exc:
        return f"cannot read the file again: {exc.strerror}"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        return f"cannot write the file: {exc.strerror}"
    finally:
        Path(tmp).unlink(missing_ok=True)
    return ""
