"""What `digest draft` sends for one brief: the editors' prompt, the source, the site's vocabulary.

The request is an OpenAI-compatible chat completion: the prompt file is the
system message, and the user message is one JSON document holding the
source (title, name, author, URL, date and text) and what the answer may use
(the site's actions with their descriptions, its sections, jurisdictions and
the tags already in use). Nothing here reads the API key.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.config import Drafting, SiteConfig
from generator.diagnostics import Diagnostic
from generator.load import read_text
from generator.model import Brief
from generator.validate import MAX_IMPLICATIONS, MAX_KEY_POINTS, MAX_STANDFIRST

SITE_PATH = "content/site.yaml"
MAX_TAGS_SENT = 200  # the most used tags; enough to steer the model towards the site's own words
FALLBACK_TAGS = {"unsorted"}  # what ingest writes when it knows no tag


@dataclass(frozen=True)
class Prompt:
    path: str  # relative to the site root, as in site.yaml
    text: str
    sha256: str  # of the file's bytes, as the build manifest records them


def load_prompt(root: Path, drafting: Drafting) -> tuple[Prompt | None, Diagnostic | None]:
    """The prompt file named by drafting.prompt, or a diagnostic at that line of site.yaml."""

    def problem(message: str, hint: str = "") -> tuple[None, Diagnostic]:
        line = drafting.prompt_line
        return None, Diagnostic(SITE_PATH, line, 0, "error", "drafting.prompt", message, hint, _line_of(root, line))

    path = Path(root) / drafting.prompt
    if not path.is_file():
        return problem(f"{drafting.prompt} does not exist",
                       "write the editors' instructions for the model there (see content/prompts/brief.md "
                       "in the sample site), or point drafting.prompt at your prompt file")
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        return problem(f"{drafting.prompt} leads outside the site folder", "keep the prompt in the repository")
    try:
        text, raw, problems = read_text(path, drafting.prompt)
    except OSError as exc:
        return problem(f"cannot read {drafting.prompt}: {exc.strerror}")
    if text is None:
        return problem(problems[0].message if problems else f"cannot read {drafting.prompt}", problems[0].hint if problems else "")
    if not text.strip():
        return problem(f"{drafting.prompt} is empty", "write the editors' instructions for the model")
    return Prompt(drafting.prompt, text, hashlib.sha256(raw).hexdigest()), None


def _line_of(root: Path, line: int) -> str:
    if not line:
        return ""
    try:
        lines = (Path(root) / SITE_PATH).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


def tags_in_use(briefs: list[Brief]) -> list[str]:
    """Tags of the site, most used first (then alphabetically), without ingest's fallback."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for brief in briefs:
        for tag in brief.tags:
            key = tag.casefold()
            if key in FALLBACK_TAGS:
                continue
            counts[key] += 1
            spelling.setdefault(key, tag)
    ordered = sorted(counts, key=lambda k: (-counts[k], k))
    return [spelling[k] for k in ordered[:MAX_TAGS_SENT]]


def user_message(brief: Brief, source_text: str, cfg: SiteConfig, tags: list[str]) -> str:
    """The user message: the source to summarise and the vocabulary the answer must use, as JSON."""
    document = {
        "source": {
            "title": brief.title,
            "name": brief.source.name,
            "author": brief.source.author or None,
            "url": brief.source.url,
            "published": brief.published.isoformat(),
            "text": source_text,
        },
        "site": {
            "audience": cfg.audience,
            "actions": [{"name": a.name, "description": a.description} for a in cfg.actions],
            "sections": list(cfg.sections),
            "jurisdictions": list(cfg.jurisdictions),
            "existing_tags": tags,
        },
        "limits": {
            "standfirst_characters": MAX_STANDFIRST,
            "key_points": f"1 to {MAX_KEY_POINTS}",
            "implications": f"1 to {MAX_IMPLICATIONS}",
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def chat_request(drafting: Drafting, prompt: Prompt, brief: Brief, source_text: str, cfg: SiteConfig,
                 tags: list[str]) -> dict:
    """The JSON body of POST {endpoint}/chat/completions."""
    return {
        "model": drafting.model,
        "messages": [
            {"role": "system", "content": prompt.text},
            {"role": "user", "content": user_message(brief, source_text, cfg, tags)},
        ],
        "response_format": {"type": "json_object"},
    }
