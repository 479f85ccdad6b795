"""The model's answer: `choices[0].message.content`, a JSON object with the brief's new fields.

    {"standfirst": "...", "key_points": ["..."], "summary": "Markdown",
     "implications": [{"action": "Monitor", "text": "..."}],
     "tags": [...], "section": "...", "jurisdiction": "..."}      (the last three optional)

Checked here for shape (types, required and unknown fields) and against the
site's vocabulary; the brief it makes is then checked again, whole, by the
same parse_brief as `digest check` (see rewrite.py). Problems are returned as
plain sentences naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.config import SiteConfig
from generator.fields import choice_hint
from generator.validate import MAX_IMPLICATIONS, MAX_KEY_POINTS, PLACEHOLDER

REQUIRED = ["standfirst", "key_points", "summary", "implications"]
OPTIONAL = ["tags", "section", "jurisdiction"]
MAX_MODEL_NAME = 200


@dataclass(frozen=True)
class Reply:
    standfirst: str
    key_points: tuple[str, ...]
    summary: str  # Markdown: the brief's new body
    implications: tuple[tuple[str, str], ...]  # (action, text)
    tags: tuple[str, ...] = ()
    section: str = ""
    jurisdiction: str = ""


def message_content(completion: object) -> tuple[str | None, str, str]:
    """(content, model the server names, problem) from a chat-completion answer."""
    if not isinstance(completion, dict):
        return None, "", "the API's answer is not a chat completion (expected a JSON object with 'choices')"
    model = completion.get("model")
    model = model.strip() if isinstance(model, str) and 0 < len(model.strip()) <= MAX_MODEL_NAME and model.strip().isprintable() else ""
    choices = completion.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None, model, "the API's answer has no choices[0]"
    choice = choices[0]
    message = choice.get("message")
    if not isinstance(message, dict):
        return None, model, "the API's answer has no choices[0].message"
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        return None, model, f"the model declined: {' '.join(refusal.split())[:300]}"
    if choice.get("finish_reason") == "length":
        return None, model, "the answer was cut short (finish_reason: length); the source may be too long for the model"
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        return None, model, "choices[0].message.content is empty or not text"
    return content, model, ""


def parse_reply(content: str, cfg: SiteConfig) -> tuple[Reply | None, list[str]]:
    """The answer's JSON as a Reply, or every problem found in it."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        excerpt = " ".join(content.split())[:80]
        return None, [f"the answer is not valid JSON ({exc}): {excerpt!r}"]
    if not isinstance(data, dict):
        return None, [f"the answer is JSON but not an object with {', '.join(REQUIRED)}"]
    data = {k: v for k, v in data.items() if not (k in OPTIONAL and v in (None, "", []))}
    problems: list[str] = []
    for key in data:
        if key not in REQUIRED + OPTIONAL:
            problems.append(f"{key}: unknown field (allowed: {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if key not in data:
            problems.append(f"{key}: missing required field")

    def text(path: str, value) -> str | None:
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{path}: expected non-empty text, got {_kind(value)}")
            return None
        if value.strip().startswith(PLACEHOLDER):
            problems.append(f"{path}: still says {PLACEHOLDER}")
            return None
        return value.strip()

    def texts(path: str, value, lo: int, hi: int | None, what: str) -> list[str] | None:
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list of {what}, got {_kind(value)}")
            return None
        if len(value) < lo:
            problems.append(f"{path}: needs at least {lo} {what}, has {len(value)}")
            return None
        if hi is not None and len(value) > hi:
            problems.append(f"{path}: has {len(value)} {what}; at most {hi} allowed")
            return None
        out = [text(f"{path}[{i}]", v) for i, v in enumerate(value)]
        return None if None in out else out

    standfirst = text("standfirst", data["standfirst"]) if "standfirst" in data else None
    summary = text("summary", data["summary"]) if "summary" in data else None
    key_points = texts("key_points", data["key_points"], 1, MAX_KEY_POINTS, "key points") if "key_points" in data else None
    implications = _implications(data["implications"], cfg, problems, text) if "implications" in data else None
    tags = texts("tags", data["tags"], 0, None, "tags") if "tags" in data else []
    section = _choice("section", data.get("section"), list(cfg.sections), problems, text) if "section" in data else ""
    jurisdiction = (_choice("jurisdiction", data.get("jurisdiction"), list(cfg.jurisdictions), problems, text)
                    if "jurisdiction" in data else "")
    if problems:
        return None, problems
    return Reply(standfirst, tuple(key_points), summary, tuple(implications), tuple(tags or ()),
                 section or "", jurisdiction or ""), []


def _implications(value, cfg: SiteConfig, problems: list[str], text) -> list[tuple[str, str]] | None:
    if not isinstance(value, list):
        problems.append(f"implications: expected a list of {{action, text}}, got {_kind(value)}")
        return None
    if not 1 <= len(value) <= MAX_IMPLICATIONS:
        problems.append(f"implications: has {len(value)}; 1 to {MAX_IMPLICATIONS} allowed")
        return None
    out = []
    for i, item in enumerate(value):
        path = f"implications[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{path}: expected {{action, text}}, got {_kind(item)}")
            continue
        extra = sorted(set(item) - {"action", "text"})
        if extra:
            problems.append(f"{path}: unknown field {extra[0]!r} (allowed: action, text)")
        missing = [k for k in ("action", "text") if k not in item]
        for k in missing:
            problems.append(f"{path}.{k}: missing required field")
        if missing or extra:
            continue
        action = _choice(f"{path}.action", item["action"], cfg.action_names, problems, text, kind="action")
        body = text(f"{path}.text", item["text"])
        if action and body:
            out.append((action, body))
    return out if len(out) == len(value) else None


def _choice(path: str, value, options: list[str], problems: list[str], text, kind: str = "") -> str | None:
    kind = kind or path
    chosen = text(path, value)
    if chosen is None:
        return None
    if chosen not in options:
        message, hint = choice_hint(chosen, options, kind)
        problems.append(f"{path}: {message}; {hint}")
        return None
    return chosen


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "empty text" if not value.strip() else "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
