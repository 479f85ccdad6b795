"""Validate: turn loaded files into model objects, collecting every problem.

Each file is checked on its own (parse_brief, parse_editorial, parse_page),
then the whole set is checked for clashes (two briefs with one slug, one
URL in two briefs) and for the softer things worth a warning.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import threading
import unicodedata
from collections import defaultdict
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from generator import controlchars
from generator.config import MARKINGS, SiteConfig
from generator.diagnostics import Diagnostic
from generator.fields import Checker, control_characters, did_you_mean
from generator.frontmatter import FrontMatterProblem, normalise_newlines, split_front_matter
from generator.load import BRIEF, ISSUE, PAGE, SourceFile
from generator.model import Brief, Content, Editorial, Generated, Implication, Page, Source, Week
from generator.parallel import Counts, TaskQueue, chunks, default_jobs, run_in_workers
from generator.slugs import is_valid_slug, slugify
from generator.yamlsrc import YamlDoc, YamlProblem, parse_yaml

BRIEF_FIELDS = ["title", "standfirst", "source", "published", "issue", "tags", "section", "jurisdiction",
                "key_points", "implications", "caveats", "slug", "draft", "updated", "classification",
                "generated", "reviewed_by"]
BRIEF_REQUIRED = ["title", "standfirst", "source", "published", "tags", "key_points", "implications"]
SOURCE_FIELDS = ["name", "author", "url"]
IMPLICATION_FIELDS = ["action", "text"]
GENERATED_FIELDS = ["model", "prompt_sha256", "date"]
EDITORIAL_FIELDS = ["title"]
PAGE_FIELDS = ["title"]
MAX_KEY_POINTS = 6
MAX_IMPLICATIONS = 6
MAX_STANDFIRST = 300
STALE_DRAFT_DAYS = 30
PLACEHOLDER = "TODO"  # what `digest new` writes where the editor has work to do


_HTTP_START = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)
_SPACE = re.compile(r"\s")
_slug = functools.lru_cache(maxsize=8192)(slugify)  # tags repeat across thousands of briefs


_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?\Z", re.IGNORECASE)


def is_http_url(url: str) -> bool:
    """An absolute http(s) link with a host: not `javascript:`, `data:`, `file:`, `smb:` or `//host`."""
    if _PLAIN_HTTP.match(url):  # the usual kind, which urlsplit below would pass: not worth splitting
        return True
    if not _HTTP_START.match(url) or _SPACE.search(url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


def _url_hint(url: str) -> str:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if url.startswith("//"):
        return f"add the scheme: https:{url}"
    if scheme in ("javascript", "data", "file", "smb", "ftp", "vbscript"):
        return f"'{scheme}:' links are not allowed; give the https:// address of the original item"
    if _SPACE.search(url):
        return "remove the spaces (or write them as %20)"
    if not scheme:
        return f"give the full address, starting with https://, e.g. https://{url.lstrip('/')}"
    return "give the full address of the original item, starting with https://"


def _slug_hint(slug: str) -> str:
    """Explain what is wrong with a slug, naming look-alike characters and path tricks."""
    odd = next((ch for ch in slug if ord(ch) > 127), None)
    suggestion = slugify(slug)
    tail = f", e.g. '{suggestion}'" if suggestion else ""
    if odd is not None:
        name = unicodedata.name(odd, "unnamed character")
        return (f"it contains '{odd}' (U+{ord(odd):04X} {name}), which only looks like a plain letter; "
                f"use ASCII a-z, 0-9 and hyphens{tail}")
    if ".." in slug or "/" in slug or "\\" in slug or "%" in slug:
        return f"a slug is one URL segment: no '/', '..', '\\' or %-escapes; use a-z, 0-9 and hyphens{tail}"
    return "use lower-case letters, digits and single hyphens only" + tail


def _position(doc: YamlDoc, lines: list[str], path: tuple) -> tuple[int, int, str]:
    """(line, col, source line) of a field, for messages that name more than one file."""
    line, col = doc.pos(path)
    return line, col, lines[line - 1] if 0 < line <= len(lines) else ""


def _parse_document(src: SourceFile, require_front_matter: bool) -> tuple[YamlDoc | None, str, int, list[str], list[Diagnostic]]:
    """Split and parse a Markdown file. Returns (doc, body, body_first_line, lines, diagnostics).

    Control characters typed into the body are reported and the rest is still
    checked; typed into the front matter, they stop the file there (YAML
    cannot be read past them), each reported at its line and column.
    """
    text = normalise_newlines(src.text)
    lines = text.split("\n")
    if not require_front_matter and not text.startswith("---"):
        typed = (control_characters(src.src_path, lines, field="body")
                 if controlchars.may_hold(src.raw) and controlchars.BAD.search(text) else [])
        return YamlDoc(data={}), text, 1, lines, typed
    try:
        split = split_front_matter(text)
    except FrontMatterProblem as p:
        line_text = lines[p.line - 1] if 0 < p.line <= len(lines) else ""
        return None, "", 0, lines, [Diagnostic(src.src_path, p.line, 1, "error", "", p.message, p.hint, line_text)]
    in_yaml = in_body = []
    if controlchars.may_hold(src.raw) and controlchars.BAD.search(text):
        in_yaml = control_characters(src.src_path, lines, 2, split.body_first_line - 2, allow_nel=True)
        in_body = control_characters(src.src_path, lines, split.body_first_line, field="body")
    if in_yaml:
        return None, "", 0, lines, in_yaml + in_body
    try:
        doc = parse_yaml(split.yaml_text, split.yaml_first_line)
    except YamlProblem as p:
        line_text = lines[p.line - 1] if 0 < p.line <= len(lines) else ""
        return None, "", 0, lines, [Diagnostic(src.src_path, p.line, p.col, "error", p.field, p.message, p.hint, line_text)] + in_body
    if doc.data is None:
        doc.data = {}
    return doc, split.body, split.body_first_line, lines, in_body


def _open_fields(src: SourceFile, require_front_matter: bool, what: str, allowed: list[str]):
    """Parse a file and check its front matter is a mapping of known fields.

    Returns (checker, fields, doc, body, body_first_line, lines), or the
    diagnostics when there is nothing further to check.
    """
    doc, body, body_line, lines, diags = _parse_document(src, require_front_matter)
    if doc is None:
        return diags
    c = Checker(doc, src.src_path, lines)
    c.diagnostics.extend(diags)
    data = c.mapping((), doc.data, what)
    if data is None:
        return c.diagnostics
    c.unknown_keys((), data, allowed)
    return c, data, doc, body, body_line, lines


def parse_brief(src: SourceFile, cfg: SiteConfig, today: dt.date | None = None) -> tuple[Brief | None, list[Diagnostic]]:
    opened = _open_fields(src, True, "brief fields", BRIEF_FIELDS)
    if isinstance(opened, list):
        return None, opened
    c, data, doc, body, body_line, lines = opened
    c.required((), data, BRIEF_REQUIRED)
    get = data.get

    title = c.string(("title",), get("title")) if "title" in data else None
    standfirst = c.string(("standfirst",), get("standfirst")) if "standfirst" in data else None
    if standfirst and len(standfirst) > MAX_STANDFIRST:
        c.warn(("standfirst",), f"standfirst is {len(standfirst)} characters; keep it under {MAX_STANDFIRST}",
               "one sentence on why it matters to agencies")
    source = _source(c, get("source")) if "source" in data else None
    published = c.date(("published",), get("published")) if "published" in data else None
    updated = c.date(("updated",), get("updated")) if "updated" in data and get("updated") is not None else None
    if published and updated and updated < published:
        c.error(("updated",), f"updated ({updated.isoformat()}) is before published ({published.isoformat()})")
    week = Week.of(published) if published else None
    if "issue" in data:
        text = c.string(("issue",), get("issue"))
        if text is not None:
            week = Week.parse(text)
            if week is None:
                c.error(("issue",), f"'{text}' is not an ISO week", "write it as YYYY-Www, e.g. 2026-W11")
    tags = c.string_list(("tags",), get("tags"), min_items=1, what="tags") if "tags" in data else None
    if tags:
        seen_tags: dict[str, str] = {}
        for i, tag in enumerate(tags):
            key = _slug(tag)
            if not key:
                c.error(("tags", i), f"tag '{tag}' has no letters or digits", "use words, e.g. ai-safety")
            elif key in seen_tags:
                c.error(("tags", i), f"tag '{tag}' is listed twice (same as '{seen_tags[key]}')", "remove one of them")
            else:
                seen_tags[key] = tag
    section = c.choice(("section",), get("section"), list(cfg.sections), "section") if "section" in data else ""
    jurisdiction = (c.choice(("jurisdiction",), get("jurisdiction"), list(cfg.jurisdictions), "jurisdiction")
                    if "jurisdiction" in data else "")
    key_points = (c.string_list(("key_points",), get("key_points"), min_items=1, max_items=MAX_KEY_POINTS, what="key points")
                  if "key_points" in data else None)
    implications = _implications(c, get("implications"), cfg) if "implications" in data else None
    caveats = (c.string_list(("caveats",), get("caveats"), what="caveats") if "caveats" in data else [])
    draft = c.boolean(("draft",), get("draft")) if "draft" in data else False
    classification = ""
    if "classification" in data:
        classification = c.choice(("classification",), get("classification"), MARKINGS, "marking") or ""
        if classification and cfg.marking and MARKINGS.index(classification) > MARKINGS.index(cfg.marking):
            c.error(("classification",), f"brief is {classification}, above the site's marking {cfg.marking}",
                    "this site may only publish material up to its own marking; remove the brief")
        elif classification and not cfg.marking:
            c.error(("classification",), f"brief is {classification} but the site has no marking",
                    "set marking in content/site.yaml")
    generated = _generated(c, get("generated")) if "generated" in data else None
    reviewed_by = c.string(("reviewed_by",), get("reviewed_by")) if "reviewed_by" in data else ""
    if reviewed_by and reviewed_by.startswith(PLACEHOLDER):
        c.error(("reviewed_by",), f"still holds the {PLACEHOLDER} placeholder", "write the reviewer's name")
    if "generated" in data and draft is False and "reviewed_by" not in data:
        at = ("draft",) if "draft" in data else ("generated",)
        c.error(at, "a drafted brief (it has 'generated') is published without a reviewer",
                "after an editor has checked it against the source, add 'reviewed_by: <their name>'; "
                "until then keep 'draft: true'", at_key=True)
    stem = _stem(src.src_path)
    if "slug" in data:
        slug = c.string(("slug",), get("slug"))
        if slug is not None and not is_valid_slug(slug):
            c.error(("slug",), f"'{slug}' is not a valid slug", _slug_hint(slug))
            slug = None
    else:
        slug = stem if is_valid_slug(stem) else slugify(stem)
        if not slug:
            c.error((), f"cannot make a URL from the file name '{stem}'", "rename the file or add a 'slug:' field")
    if not body.strip():
        closing = body_line - 1  # the closing '---'
        c.diagnostics.append(Diagnostic(src.src_path, closing, 1, "error", "body", "the summary (the text after the front matter) is empty",
                                        "write the summary below the closing '---'", lines[closing - 1] if 0 < closing <= len(lines) else ""))
    if today is not None and published:
        if published > today:
            c.warn(("published",), f"{published.isoformat()} is in the future (today is {today.isoformat()} in {cfg.timezone})",
                   "check the date")
    if not draft:
        _placeholders(c, title, standfirst, source, key_points, implications, body, body_line, tags)
    if any(d.severity == "error" for d in c.diagnostics):
        return None, c.diagnostics
    # (line, col, source line) of the fields that messages about several briefs point at
    lines_of = {name: _position(doc, lines, path) for name, path in
                (("slug", ("slug",)), ("tags", ("tags",)), ("source.url", ("source", "url")), ("draft", ("draft",)))}
    if "slug" not in data:
        lines_of["slug"] = (1, 1, lines[0])  # the slug comes from the file name
    brief = Brief(
        slug=slug, title=title, standfirst=standfirst, source=source, published=published, week=week,
        tags=tuple(tags), key_points=tuple(key_points), implications=tuple(implications), body=body,
        src_path=src.src_path, section=section or "", jurisdiction=jurisdiction or "",
        caveats=tuple(caveats or ()), draft=bool(draft), updated=updated, classification=classification,
        generated=generated, reviewed_by=reviewed_by or "", lines=lines_of,
    )
    return brief, c.diagnostics


def _stem(src_path: str) -> str:
    """PurePosixPath(src_path).stem, without making a path object for every brief."""
    name = src_path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _placeholders(c: Checker, title, standfirst, source, key_points, implications, body: str, body_line: int,
                  tags=()) -> None:
    """A brief leaves draft only when every TODO from `digest new` has been replaced."""
    texts: list[tuple[tuple, str | None]] = [(("title",), title), (("standfirst",), standfirst)]
    if source is not None:
        texts += [(("source", "name"), source.name), (("source", "author"), source.author)]
    texts += [(("tags", i), t) for i, t in enumerate(tags or ())]
    texts += [(("key_points", i), k) for i, k in enumerate(key_points or ())]
    texts += [(("implications", i, "text"), imp.text) for i, imp in enumerate(implications or ())]
    hint = "replace it, or keep 'draft: true' until the brief is finished"
    for path, text in texts:
        if text and text.startswith(PLACEHOLDER):
            c.error(path, f"still holds the {PLACEHOLDER} placeholder from `digest new`", hint)
    if source is not None and PLACEHOLDER in source.url:
        c.error(("source", "url"), f"still holds the {PLACEHOLDER} placeholder from `digest new`", hint)
    if body.lstrip().startswith(PLACEHOLDER):
        line = body_line + len(body) - len(body.lstrip("\n")) if body_line else 0
        c.diagnostics.append(Diagnostic(c.src_path, line, 1, "error", "body",
                                        f"the summary still holds the {PLACEHOLDER} placeholder from `digest new`", hint,
                                        c.lines[line - 1] if 0 < line <= len(c.lines) else ""))


def _source(c: Checker, value) -> Source | None:
    path = ("source",)
    m = c.mapping(path, value, "the source (name, url and optional author)")
    if m is None:
        return None
    c.unknown_keys(path, m, SOURCE_FIELDS)
    c.required(path, m, ["name", "url"])
    name = c.string(path + ("name",), m["name"]) if "name" in m else None
    author = c.string(path + ("author",), m["author"]) if m.get("author") is not None else ""
    url = c.string(path + ("url",), m["url"]) if "url" in m else None
    if url is not None and not is_http_url(url):
        c.error(path + ("url",), f"'{url}' is not an http(s) link", _url_hint(url))
        url = None
    if name and url is not None and author is not None:
        return Source(name=name, url=url, author=author)
    return None


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _generated(c: Checker, value) -> Generated | None:
    path = ("generated",)
    m = c.mapping(path, value, "what drafted the brief (model, prompt_sha256, date)")
    if m is None:
        return None
    c.unknown_keys(path, m, GENERATED_FIELDS)
    c.required(path, m, GENERATED_FIELDS)
    model = c.string(path + ("model",), m["model"]) if "model" in m else None
    digest = c.string(path + ("prompt_sha256",), m["prompt_sha256"]) if "prompt_sha256" in m else None
    if digest is not None and not _SHA256.match(digest):
        c.error(path + ("prompt_sha256",), "expected the sha256 of the prompt: 64 lower-case hex digits",
                "leave the value `digest draft` wrote")
        digest = None
    day = c.date(path + ("date",), m["date"]) if "date" in m else None
    if model and digest and day:
        return Generated(model, digest, day)
    return None


def _implications(c: Checker, value, cfg: SiteConfig) -> list[Implication] | None:
    path = ("implications",)
    if not isinstance(value, list):
        c.error(path, f"expected a list of implications, got {c.describe(path, value)}",
                "each item is '- action: Monitor' with 'text: ...' below it")
        return None
    if not value:
        c.error(path, "needs at least 1 implication", f"add '- action: ...' and 'text: ...' (actions: {', '.join(cfg.action_names)})")
        return None
    if len(value) > MAX_IMPLICATIONS:
        c.error(path, f"has {len(value)} implications; at most {MAX_IMPLICATIONS} allowed", "keep the most important ones")
        return None
    out = []
    actions = cfg.action_names
    for i, item in enumerate(value):
        p = path + (i,)
        m = c.mapping(p, item, "an implication {action, text}")
        if m is None:
            continue
        c.unknown_keys(p, m, IMPLICATION_FIELDS)
        c.required(p, m, IMPLICATION_FIELDS)
        action = c.choice(p + ("action",), m["action"], actions, "action") if "action" in m else None
        text = c.string(p + ("text",), m["text"]) if "text" in m else None
        if action and text:
            out.append(Implication(action, text))
    return out if len(out) == len(value) else None


def editorial_week(src_path: str) -> Week | None:
    return Week.parse(PurePosixPath(src_path).stem)


def parse_editorial(src: SourceFile) -> tuple[Editorial | None, list[Diagnostic]]:
    week = editorial_week(src.src_path)
    if week is None:
        return None, [Diagnostic(src.src_path, 0, 0, "error", "", "an editorial's file name must be its ISO week",
                                 "name it YYYY-Www.md, e.g. content/issues/2026-W11.md")]
    opened = _open_fields(src, False, "editorial fields", EDITORIAL_FIELDS)
    if isinstance(opened, list):
        return None, opened
    c, data, _doc, body, body_line, lines = opened
    title = c.string(("title",), data["title"]) if "title" in data else ""
    if title and title.startswith(PLACEHOLDER):
        c.error(("title",), f"still holds the {PLACEHOLDER} placeholder from `digest new`",
                "write the headline, or delete the line to use the default heading")
    if body.lstrip().startswith(PLACEHOLDER):
        line = body_line + len(body) - len(body.lstrip("\n"))
        c.diagnostics.append(Diagnostic(src.src_path, line, 1, "error", "body",
                                        f"the editorial still holds the {PLACEHOLDER} placeholder from `digest new`",
                                        "write the editorial, or delete the file", lines[line - 1] if 0 < line <= len(lines) else ""))
    if not body.strip():
        c.diagnostics.append(Diagnostic(src.src_path, max(len(lines) - 1, 1), 1, "error", "body", "the editorial text is empty",
                                        "write 'This week at a glance' below the front matter, or delete the file"))
    if any(d.severity == "error" for d in c.diagnostics):
        return None, c.diagnostics
    return Editorial(week=week, body=body, src_path=src.src_path, title=title or ""), c.diagnostics


def parse_page(src: SourceFile) -> tuple[Page | None, list[Diagnostic]]:
    name = PurePosixPath(src.src_path).stem
    opened = _open_fields(src, True, "page fields", PAGE_FIELDS)
    if isinstance(opened, list):
        return None, opened
    c, data, _doc, body, _line, lines = opened
    c.required((), data, ["title"])
    title = c.string(("title",), data["title"]) if "title" in data else None
    if not is_valid_slug(name):
        c.diagnostics.append(Diagnostic(src.src_path, 0, 0, "error", "", f"page file name '{name}' cannot be a URL",
                                        "use lower-case letters, digits and hyphens, e.g. about.md"))
    from generator.plan import RESERVED as reserved
    if name in reserved:
        c.diagnostics.append(Diagnostic(src.src_path, 0, 0, "error", "", f"'{name}' is a reserved URL",
                                        f"rename the page; reserved: {', '.join(sorted(reserved))}"))
    if any(d.severity == "error" for d in c.diagnostics):
        return None, c.diagnostics
    return Page(name=name, title=title, body=body, src_path=src.src_path), c.diagnostics


class BriefParser:
    """How validate_content gets each brief's (Brief | None, diagnostics), in two parts so that
    the work can be done ahead, in worker processes (see parse_ahead):

    - `work(src, cfg, today)`: the parsing itself. It may run in a forked worker, so it changes
      nothing outside itself; its answer is pickled back to the parent.
    - the call `parser(src, cfg, today, done)`, in the parent, brief by brief in file order:
      the brief's answer, from `done` (what work gave, when it ran ahead) or from work now.

    `wanted(src, today)` says which briefs work has to run for, and `as_read(src, done)` what
    work's answer says of a file it was given unread: the file as read (None when it could
    not be), and the problems met. This one is parse_brief, which reads nothing; the build's
    parse cache is another (stages.CachedParser)."""

    def wanted(self, src: SourceFile, today: dt.date) -> bool:
        return src.text is not None

    def as_read(self, src: SourceFile, done) -> tuple[SourceFile | None, list[Diagnostic]]:
        return src, []

    def work(self, src: SourceFile, cfg: SiteConfig, today: dt.date):
        return parse_brief(src, cfg, today)

    def __call__(self, src: SourceFile, cfg: SiteConfig, today: dt.date, done=None) -> tuple[Brief | None, list[Diagnostic]]:
        return done if done is not None else self.work(src, cfg, today)


PARALLEL_FROM = 500  # briefs to parse; below this, forking and pickling the answers back cost more than they save
_COUNT_EVERY = 64  # briefs a worker parses between updates of its progress count


def parse_ahead(parser: BriefParser, files: list[SourceFile], cfg: SiteConfig, today: dt.date, jobs: int = 0,
                progress=None, meanwhile=None) -> dict[str, object]:
    """{src_path: parser.work(...)} for the briefs the parser wants, shared out among this
    process and `jobs` - 1 forked workers (jobs 0: one per core), or {} when they are too few to
    be worth it, when there is one core, or when this process runs threads (a fork copies only
    the thread that called it, and with it whatever locks the others held). Every process takes
    short runs of briefs from one queue (parallel.TaskQueue) until none are left; an exception
    in a worker is raised here. `meanwhile`, when given and workers are forked, is work of this
    process's own that it does first, while the workers start on the briefs (the build compiles
    the brief pages' templates); it then takes its share of what is left. `progress` (as in
    BuildOptions) hears "loading briefs", N of len(files), as they go."""
    jobs = jobs or default_jobs()
    if jobs < 2 or len(files) < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() > 1:
        return {}
    todo = [f for f in files if parser.wanted(f, today)]
    if len(todo) < PARALLEL_FROM:
        return {}
    runs = chunks(todo, jobs)  # cut before forking: every process knows them
    counts = Counts(jobs) if progress is not None else None

    total = len(files)
    parent = os.getpid()

    def work(job: int, _jobs: int) -> list:
        if job == 0 and meanwhile is not None:  # job 0 is this process's own (here=True)
            meanwhile()
        set_count = counts.setter(job) if counts is not None else None
        out, number = [], 0
        for task in queue:
            answers = []
            for src in runs[task]:
                answers.append(parser.work(src, cfg, today))
                number += 1
                if set_count is not None and number % _COUNT_EVERY == 0:
                    set_count(number)
                    if os.getpid() == parent:  # the share done here reports for all of them
                        progress("loading briefs", counts.total(), total)
            out.append((task, answers))
        return out

    try:
        with TaskQueue(len(runs)) as queue:
            answers = run_in_workers(work, jobs, here=True,
                                     while_waiting=counts and (lambda: progress("loading briefs", counts.total(), total)))
    finally:
        if counts is not None:
            counts.close()
    done: dict[str, object] = {}
    for answer in answers:
        for task, results in answer:
            for src, result in zip(runs[task], results):
                done[src.src_path] = result
    if progress is not None:
        progress("loading briefs", len(done), total)
    return done


def validate_content(files: list[SourceFile], cfg: SiteConfig, today: dt.date,
                     parse=None) -> tuple[Content, list[Diagnostic]]:
    """Every file on its own, then the set as a whole. Drafts are validated like the rest.

    `parse` replaces parse_brief (the build passes a cached version).
    """
    parse = parse or parse_brief
    content = Content()
    diags: list[Diagnostic] = []
    for src in files:
        content.source_files[src.src_path] = src.digest or hashlib.sha256(src.raw).hexdigest()
        if src.kind == BRIEF:
            brief, d = parse(src, cfg, today)
            diags += d
            if brief:
                content.briefs.append(brief)
        elif src.kind == ISSUE:
            editorial, d = parse_editorial(src)
            diags += d
            if editorial:
                if editorial.week in content.editorials:
                    other = content.editorials[editorial.week].src_path
                    diags.append(Diagnostic(src.src_path, 0, 0, "error", "",
                                            f"two editorials for week {editorial.week.label}: {other} and {src.src_path}",
                                            f"merge them into one file named {editorial.week.label}.md"))
                else:
                    content.editorials[editorial.week] = editorial
        elif src.kind == PAGE:
            page, d = parse_page(src)
            diags += d
            if page:
                content.pages.append(page)
    diags += _clashes(content.briefs)
    diags += _tag_warnings(content.briefs)
    diags += _stale_drafts(content.briefs)
    content.briefs.sort(key=lambda b: b.sort_key)
    return content, diags


_NOWHERE = (0, 0, "")


def _clashes(briefs: list[Brief]) -> list[Diagnostic]:
    out = []
    for attr, what, fix in (("slug", "slug", "give one of them a different 'slug:' (or rename the file)"),
                            ("url", "source.url", "the same item should be one brief; merge them or correct the link")):
        groups: dict[str, list[Brief]] = defaultdict(list)
        if attr == "slug":
            for b in briefs:
                groups[b.slug].append(b)
        else:  # the exact key only where the cheap one collides: urlsplit is slow for ten thousand briefs
            buckets: dict[str, list[Brief]] = defaultdict(list)
            for b in briefs:
                buckets[_url_bucket(b.source.url)].append(b)
            for bucket in buckets.values():
                for b in bucket if len(bucket) > 1 else ():
                    groups[_normal_url(b.source.url)].append(b)
        for key in sorted(key for key, group in groups.items() if len(group) > 1):
            group = sorted(groups[key], key=lambda b: b.src_path)
            names = " and ".join(b.src_path for b in group)
            for b in group[1:]:
                line, col, text = b.lines.get("slug" if attr == "slug" else "source.url", _NOWHERE)
                out.append(Diagnostic(b.src_path, line, col, "error", what,
                                      f"'{key}' is used by {len(group)} briefs: {names}", fix, text))
    return out


_URL_NOISE = str.maketrans("", "", "\t\r\n")  # urlsplit drops these anywhere in a URL
_URL_LEAD = "".join(map(chr, range(33)))  # and these at its start


def _url_bucket(url: str) -> str:
    """A coarser key than _normal_url: URLs it would treat as one always share a bucket."""
    if "\t" in url or "\r" in url or "\n" in url:  # rare: translate looks up every character
        url = url.translate(_URL_NOISE)
    head, _, query = url.lstrip(_URL_LEAD).split("#", 1)[0].lower().partition("?")
    return head.rstrip("/") + ("?" + query if query else "")


def _normal_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{path}" + (f"?{parts.query}" if parts.query else "")


def _stale_drafts(briefs: list[Brief]) -> list[Diagnostic]:
    """A draft is stale when the digest has moved on: published briefs 30+ days newer than it.

    Measured against the newest published brief, not the clock, so the same
    commit always gets the same verdict.
    """
    published = [b.published for b in briefs if not b.draft]
    if not published:
        return []
    newest = max(published)
    out = []
    for b in briefs:
        age = (newest - (b.updated or b.published)).days
        if b.draft and age > STALE_DRAFT_DAYS:
            line, col, text = b.lines.get("draft", _NOWHERE)
            out.append(Diagnostic(b.src_path, line, col, "warning", "draft",
                                  f"this draft is {age} days older than the newest published brief ({newest.isoformat()})",
                                  "publish it (remove 'draft: true') or delete it", text))
    return out


def _tag_warnings(briefs: list[Brief]) -> list[Diagnostic]:
    out = []
    uses: dict[str, list[Brief]] = defaultdict(list)
    for b in briefs:
        for t in b.tags:
            uses[t].append(b)
    common = [t for t, bs in uses.items() if len(bs) > 1]
    for tag, bs in sorted(uses.items()):
        if len(bs) != 1:
            continue
        near = [t for t in common if t != tag and _one_edit_apart(tag.lower(), t.lower())]
        if near:
            line, col, text = bs[0].lines.get("tags", _NOWHERE)
            out.append(Diagnostic(bs[0].src_path, line, col, "warning", "tags",
                                  f"tag '{tag}' is used only here and is one edit away from '{near[0]}'",
                                  f"did you mean '{near[0]}'?", text))
    return out


def _one_edit_apart(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    for i in range(len(b)):
        if b[:i] + b[i + 1:] == a:
            return True
    return False


__all__ = ["validate_content", "parse_brief", "parse_editorial", "parse_page", "did_you_mean", "BriefParser",
           "parse_ahead"]
