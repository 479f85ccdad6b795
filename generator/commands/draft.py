"""`digest draft`: first drafts of briefs from an OpenAI-compatible API, with provenance.

    digest draft [--root DIR] [--dry-run] [--force] [FILE ...]

Drafts the named draft briefs, or every draft brief that still holds the
placeholders `digest ingest` writes. Settings come from `drafting:` in
content/site.yaml; the key only from the environment variable
DIGEST_LLM_API_KEY. A brief is rewritten only when the answer passes the same
checks as `digest check`; otherwise the file is left byte for byte as it was.
It stays `draft: true` and gains `generated:` (model, prompt hash, date).

Exit 0 when every brief was drafted (or there was nothing to do), 1 when any
brief was left unchanged or the settings are wrong, 2 on usage errors and
when the key is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.commands.common import add_root, print_diagnostics
from generator.config import SiteConfig, load_config
from generator.dates import today_in
from generator.diagnostics import format_report
from generator.draft.client import KEY_VARIABLE, RetryPolicy, post_json
from generator.draft.endpoint import chat_url, endpoint_problem
from generator.draft.reply import message_content, parse_reply
from generator.draft.request import Prompt, chat_request, load_prompt, tags_in_use
from generator.draft.rewrite import replace_file, rewrite_brief
from generator.draft.select import above_limit, holds_placeholders, source_text
from generator.load import BRIEF, SourceFile, find_content
from generator.model import Brief, Generated
from generator.validate import parse_brief

RETRY = RetryPolicy()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="draft these briefs (default: every draft that still holds ingest's TODO placeholders)")
    add_root(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the requests that would be sent (without the key); send and write nothing")
    parser.add_argument("--force", action="store_true",
                        help="draft a named brief again even when it no longer holds placeholders")


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")


@dataclass
class Target:
    src: SourceFile
    brief: Brief
    text: str  # the source's text, sent for summarising


@dataclass
class Plan:
    targets: list[Target] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, why it was not drafted)
    notes: list[str] = field(default_factory=list)


def _key() -> tuple[str, str]:
    """(key, problem). The problem names the variable, never the value."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return "", (f"digest draft: error: the environment variable {KEY_VARIABLE} is not set; "
                    "set it to the API key (in GitHub Actions, as a repository secret). Nothing was sent.")
    if not all(33 <= ord(ch) < 127 for ch in key):
        return "", (f"digest draft: error: {KEY_VARIABLE} holds spaces, line breaks or non-ASCII characters, "
                    "so it cannot be sent in a header; copy the key again. Nothing was sent.")
    return key, ""


def _named(root: Path, names: list[str], briefs: dict[str, tuple]) -> tuple[list[str], str]:
    """src_paths of the named files, or a usage error."""
    root_real = root.resolve()
    out: list[str] = []
    for name in names:
        files = [p.resolve() for p in (Path(name), root / name) if p.is_file()]
        if not files:
            return [], f"'{name}': no such file"
        inside = [p for p in files if p.is_relative_to(root_real)]
        if not inside:
            return [], f"'{name}' is not inside the site folder {root}"
        rel = inside[0].relative_to(root_real).as_posix()
        if rel not in briefs:
            return [], f"'{name}' is not a brief (briefs are content/briefs/**/*.md)"
        if rel not in out:
            out.append(rel)
    return out, ""


def _plan(args: argparse.Namespace, cfg: SiteConfig, briefs: dict[str, tuple], named: list[str]) -> Plan:
    plan = Plan()
    drafting = cfg.drafting
    chosen = named or [p for p, (_src, b, _d) in briefs.items() if b is not None and b.draft and holds_placeholders(b)]
    if not named:
        broken = [p for p, (_src, b, _d) in briefs.items() if b is None]
        if broken:
            plan.notes.append(f"{len(broken)} brief(s) have errors and were not looked at; run `digest check`")
    for path in chosen:
        src, brief, diagnostics = briefs[path]
        if brief is None:
            errors = [d for d in diagnostics if d.severity == "error"]
            plan.failures.append((path, "the brief has errors; fix them first:\n" + format_report(errors, 1).rsplit("\n", 1)[0]))
            continue
        if not brief.draft:
            plan.failures.append((path, "is published (no 'draft: true'); digest draft never replaces a published brief"))
            continue
        if not holds_placeholders(brief) and not args.force:
            done = (f"was drafted with {brief.generated.model} on {brief.generated.date.isoformat()}"
                    if brief.generated else "no longer holds ingest's TODO placeholders")
            plan.failures.append((path, f"{done}; use --force to replace its text with a new draft"))
            continue
        refused = above_limit(brief, cfg, drafting.max_marking)
        if refused:
            plan.failures.append((path, refused))
            continue
        text = source_text(brief)
        if not text:
            why = ("has no source text to draft from (the feed gave none); paste the item's text in as the "
                   "body, then run digest draft on it")
            if named:
                plan.failures.append((path, why))
            else:
                plan.notes.append(f"{path} {why}")
            continue
        plan.targets.append(Target(src, brief, text))
    return plan


def _dry_run(url: str, requests: list[tuple[str, dict]]) -> None:
    out = sys.stdout
    for path, body in requests:
        out.write(f"# {path}\nPOST {url}\n")
        out.write(f"Authorization: Bearer ${KEY_VARIABLE} (not shown)\nContent-Type: application/json\n\n")
        out.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n\n")
    out.write(f"Dry run: {len(requests)} request(s) shown; nothing was sent or written.\n")


def _draft_one(target: Target, cfg: SiteConfig, prompt: Prompt, body: dict, url: str, key: str, today,
               note) -> tuple[str, list[str], list[str]]:
    """('' or the model, problems, warnings) for one brief; the file is replaced only on success."""
    drafting = cfg.drafting
    answer = post_json(url, body, key, timeout=drafting.timeout, retry=RETRY, note=note)
    if not answer.ok:
        return "", [answer.error], []
    content, served_model, problem = message_content(answer.data)
    if problem:
        return "", [problem], []
    if key in content:
        return "", ["the answer contains the API key; it was not used"], []
    reply, problems = parse_reply(content, cfg)
    if reply is None:
        return "", [f"the answer failed validation: {p}" for p in problems], []
    model = served_model or drafting.model
    generated = Generated(model, prompt.sha256, today)
    result = rewrite_brief(target.src, target.brief, reply, generated, cfg, today)
    if result.raw is None:
        return "", [f"the answer failed validation: {p}" for p in result.problems], result.warnings
    problem = replace_file(target.src.abs_path, target.src.raw, result.raw)
    if problem:
        return "", [problem], result.warnings
    return model, [], result.warnings


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not (root / "content").is_dir():
        _err(f"digest draft: error: no content/ folder in {root}; run this in the site root or pass --root")
        return 2
    cfg, diagnostics = load_config(root)
    if cfg is None:
        print_diagnostics(diagnostics, 1)
        return 1
    drafting = cfg.drafting
    if drafting is None:
        _err("digest draft: error: content/site.yaml has no 'drafting:' settings; add endpoint and model "
             "(and optionally max_marking, prompt and timeout), as the README shows")
        return 1
    key = ""
    if not args.dry_run:
        key, problem = _key()
        if problem:
            _err(problem)
            return 2
    bad_endpoint = endpoint_problem(drafting.endpoint)  # checked with the settings too; never send on a bad one
    if bad_endpoint:
        _err(f"digest draft: error: drafting.endpoint: {bad_endpoint[0]}")
        return 1
    prompt, problem = load_prompt(root, drafting)
    if prompt is None:
        print_diagnostics([problem], 1)
        return 1

    today = today_in(cfg.tz)
    loaded = find_content(root)
    briefs: dict[str, tuple] = {}
    for src in loaded.files:
        if src.kind == BRIEF:
            brief, found = parse_brief(src, cfg, today)
            briefs[src.src_path] = (src, brief, found)
    named, problem = _named(root, args.files, briefs)
    if problem:
        _err(f"digest draft: error: {problem}")
        return 2
    plan = _plan(args, cfg, briefs, named)
    for path, why in plan.failures:
        _err(f"{path}: error: {why}")
    for line in plan.notes:
        _err(f"note: {line}")
    tags = tags_in_use([b for _src, b, _d in briefs.values() if b is not None])
    url = chat_url(drafting.endpoint)
    requests = [(t.src.src_path, chat_request(drafting, prompt, t.brief, t.text, cfg, tags)) for t in plan.targets]

    if args.dry_run:
        _dry_run(url, requests)
        return 1 if plan.failures else 0
    if not plan.targets:
        if not plan.failures:
            print("Nothing to draft: no draft brief holds ingest's TODO placeholders.")
        return 1 if plan.failures else 0

    drafted = 0
    for number, (target, (path, body)) in enumerate(zip(plan.targets, requests), start=1):
        prefix = f"[{number}/{len(plan.targets)}] {path}"
        _err(f"{prefix}: asking {drafting.model}")
        model, problems, warnings = _draft_one(target, cfg, prompt, body, url, key, today,
                                               note=lambda line, prefix=prefix: _err(f"{prefix}: {line}"))
        for warning in warnings:
            _err(f"{path}: warning: {warning}")
        if problems:
            for p in problems:
                _err(f"{path}: error: {p}")
            _err(f"{path}: left unchanged")
            continue
        drafted += 1
        print(f"drafted {path} with {model}")
    failed = len(plan.failures) + len(plan.targets) - drafted
    print(f"{drafted} brief(s) drafted, {failed} left unchanged.")
    if drafted:
        print("Each stays 'draft: true'. Check it against the source, then publish it by adding "
              "'reviewed_by: <your name>' and removing 'draft: true'.")
    return 1 if failed else 0
