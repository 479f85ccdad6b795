"""Site settings: content/site.yaml, validated into a frozen SiteConfig."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from generator.diagnostics import Diagnostic
from generator.fields import Checker, control_characters
from generator.load import read_text
from generator.slugs import slugify
from generator.yamlsrc import YamlProblem, parse_yaml

# Protective markings, lowest first. A brief may not be classified above the site.
MARKINGS = ["OFFICIAL", "OFFICIAL: Sensitive", "PROTECTED", "SECRET", "TOP SECRET"]
DEFAULT_PROMPT = "content/prompts/brief.md"


@dataclass(frozen=True)
class Action:
    """An implication label (Implement, Decide, ...) and what it asks of the reader."""

    name: str
    description: str
    slug: str


@dataclass(frozen=True)
class Drafting:
    """`drafting:` in site.yaml: the OpenAI-compatible API `digest draft` asks for first drafts."""

    endpoint: str  # base URL, no trailing slash; requests go to {endpoint}/chat/completions
    model: str
    max_marking: str = "OFFICIAL"  # a brief marked above this is never sent
    prompt: str = DEFAULT_PROMPT  # the editors' system prompt, relative to the site root
    timeout: int = 120  # seconds per request
    prompt_line: int = 0  # where `prompt` is set in site.yaml (0: not set), for messages


@dataclass(frozen=True)
class SiteConfig:
    title: str  # header, <title>, and citations ("Retrieved from SIMS, ...")
    description: str  # home page subtitle and feed subtitle
    base_url: str  # absolute, ends with "/"; may carry a path prefix
    language: str = "en-AU"  # <html lang>
    audience: str = "Australian agencies"  # "Implications for <audience>"
    timezone: str = "Australia/Sydney"  # decides "today", week boundaries, feed timestamps
    marking: str = ""  # protective marking banner, top and bottom of every page
    per_page: int = 20  # entries per listing page
    actions: tuple[Action, ...] = ()  # implication labels in display order
    sections: tuple[str, ...] = ()  # issue sections in display order
    jurisdictions: tuple[str, ...] = ()
    robots: str = "disallow"  # robots.txt: "disallow" (intranet default) or "allow"
    drafting: Drafting | None = None  # settings for `digest draft`; None when not configured

    @property
    def base_path(self) -> str:
        """The path part of base_url: "/ai-digest/" or "/"."""
        return urlsplit(self.base_url).path or "/"

    @property
    def action_names(self) -> list[str]:
        return [a.name for a in self.actions]

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def with_base_url(self, base_url: str) -> "SiteConfig":
        return replace(self, base_url=base_url if base_url.endswith("/") else base_url + "/")


FIELDS = ["title", "description", "base_url", "language", "audience", "timezone", "marking",
          "per_page", "actions", "sections", "jurisdictions", "robots", "drafting"]
DRAFTING_FIELDS = ["endpoint", "model", "max_marking", "prompt", "timeout"]
REQUIRED = ["title", "base_url", "actions", "sections", "jurisdictions"]
SRC_PATH = "content/site.yaml"


def load_config(root: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    path = root / "content" / "site.yaml"
    if not path.is_file():
        return None, [Diagnostic(SRC_PATH, 0, 0, "error", "", "site.yaml is missing",
                                 "create content/site.yaml with at least title, base_url, actions, sections and jurisdictions")]
    try:
        text, _raw, problems = read_text(path, SRC_PATH)
    except OSError as exc:
        return None, [Diagnostic(SRC_PATH, 0, 0, "error", "", f"cannot read site.yaml: {exc.strerror}")]
    if text is None:
        return None, problems
    return parse_config(text)


def parse_config(text: str) -> tuple[SiteConfig | None, list[Diagnostic]]:
    from generator.frontmatter import normalise_newlines

    text = normalise_newlines(text)
    lines = text.split("\n")
    typed = control_characters(SRC_PATH, lines, allow_nel=True)
    if typed:  # YAML cannot be read past them
        return None, typed
    try:
        doc = parse_yaml(text, 1)
    except YamlProblem as p:
        line_text = lines[p.line - 1] if 0 < p.line <= len(lines) else ""
        return None, [Diagnostic(SRC_PATH, p.line, p.col, "error", p.field, p.message, p.hint, line_text)]
    c = Checker(doc, SRC_PATH, lines)
    data = c.mapping((), doc.data, "site settings") if doc.data is not None else None
    if data is None:
        if doc.data is None:
            c.diagnostics.append(Diagnostic(SRC_PATH, 1, 1, "error", "", "site.yaml is empty",
                                            "add at least title, base_url, actions, sections and jurisdictions"))
        return None, c.diagnostics
    c.unknown_keys((), data, FIELDS)
    c.required((), data, REQUIRED)
    values: dict = {}
    for key in ("title", "description", "language", "audience"):
        if key in data:
            values[key] = c.string((key,), data[key])
    if "base_url" in data:
        url = c.string(("base_url",), data["base_url"])
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                c.error(("base_url",), f"'{url}' is not an absolute http(s) URL",
                        "e.g. https://intranet.example.gov.au/ai-digest/")
            else:
                values["base_url"] = url if url.endswith("/") else url + "/"
    if "timezone" in data:
        tz = c.string(("timezone",), data["timezone"])
        if tz is not None:
            try:
                zoneinfo.ZoneInfo(tz)
                values["timezone"] = tz
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                c.error(("timezone",), f"'{tz}' is not a known time zone", "use an IANA name such as Australia/Sydney")
    if "marking" in data and data["marking"] is not None:
        values["marking"] = c.choice(("marking",), data["marking"], MARKINGS, "marking")
    if "per_page" in data:
        values["per_page"] = c.integer(("per_page",), data["per_page"], 1, 1000)
    if "robots" in data:
        values["robots"] = c.choice(("robots",), data["robots"], ["disallow", "allow"], "robots setting")
    if "actions" in data:
        values["actions"] = _actions(c, data["actions"])
    if "drafting" in data:
        values["drafting"] = _drafting(c, data["drafting"])
    for key in ("sections", "jurisdictions"):
        if key in data:
            items = c.string_list((key,), data[key], min_items=1, what=key)
            if items is not None:
                dupes = sorted({x for x in items if items.count(x) > 1})
                if dupes:
                    c.error((key,), f"listed twice: {', '.join(dupes)}")
                values[key] = tuple(items)
    errors = [d for d in c.diagnostics if d.severity == "error"]
    if errors:
        return None, c.diagnostics
    values = {k: v for k, v in values.items() if v is not None}
    return SiteConfig(**values), c.diagnostics


def _actions(c: Checker, value) -> tuple[Action, ...] | None:
    path = ("actions",)
    if not isinstance(value, list) or not value:
        c.error(path, "expected a list of actions, each {name: ..., description: ...}",
                "e.g. - {name: Monitor, description: Watch for developments.}")
        return None
    out = []
    for i, item in enumerate(value):
        p = path + (i,)
        m = c.mapping(p, item, "an action")
        if m is None:
            continue
        c.unknown_keys(p, m, ["name", "description"])
        c.required(p, m, ["name", "description"])
        name = c.string(p + ("name",), m["name"]) if "name" in m else None
        desc = c.string(p + ("description",), m["description"]) if "description" in m else None
        if name and desc:
            if not slugify(name):
                c.error(p + ("name",), "an action name needs letters or digits")
            elif name in [a.name for a in out]:
                c.error(p + ("name",), f"action '{name}' is listed twice")
            else:
                out.append(Action(name, desc, slugify(name)))
    return tuple(out)


def _drafting(c: Checker, value) -> Drafting | None:
    from generator.draft.endpoint import endpoint_problem

    path = ("drafting",)
    m = c.mapping(path, value, "the drafting settings (endpoint, model, max_marking, prompt)")
    if m is None:
        return None
    c.unknown_keys(path, m, DRAFTING_FIELDS)
    c.required(path, m, ["endpoint", "model"])
    values: dict = {}
    if "endpoint" in m:
        url = c.string(path + ("endpoint",), m["endpoint"])
        if url is not None:
            problem = endpoint_problem(url)
            if problem:
                c.error(path + ("endpoint",), problem[0], problem[1])
            else:
                values["endpoint"] = url.rstrip("/")
    if "model" in m:
        values["model"] = c.string(path + ("model",), m["model"])
    if "max_marking" in m:
        values["max_marking"] = c.choice(path + ("max_marking",), m["max_marking"], MARKINGS, "marking")
    if "prompt" in m:
        prompt = c.string(path + ("prompt",), m["prompt"])
        parts = prompt.replace("\\", "/").split("/") if prompt else []
        if prompt is not None and (prompt.startswith(("/", "\\")) or ":" in prompt or ".." in parts):
            c.error(path + ("prompt",), f"'{prompt}' must be a path inside the site folder",
                    f"e.g. {DEFAULT_PROMPT}")
        elif prompt is not None:
            values["prompt"] = prompt.replace("\\", "/")
            values["prompt_line"] = c.doc.pos(path + ("prompt",))[0]
    if "timeout" in m:
        values["timeout"] = c.integer(path + ("timeout",), m["timeout"], 1, 600)
    if any(v is None for v in values.values()) or not {"endpoint", "model"} <= set(values):
        return None
    return Drafting(**values)
