"""The pipeline on one screen: load -> validate -> assemble -> render -> check -> write -> index -> swap.

`check_site` runs the first two stages only (digest check); `build_site`
runs them all and returns a BuildReport. Library code never prints.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator import __version__, manifest
from generator.assemble import Site, assemble
from generator.check_output import check_disclaimers
from generator.config import SiteConfig, load_config
from generator.dates import today_in
from generator.diagnostics import ContentError, Diagnostic, errors_in
from generator.ingest.registry import load_registry
from generator.feeds import render_feeds, render_robots, render_sitemap
from generator.load import find_content
from generator.model import Content
from generator.render import OutputFile, Renderer
from generator.templates import layout_dirs, make_environment, template_files
from generator.validate import validate_content
from generator.write import check_out_dir, discard, make_staging, swap_in, write_files


@dataclass
class BuildOptions:
    root: Path
    out: Path
    drafts: bool = False
    base_url: str | None = None
    search: bool = True
    strict: bool = False  # warnings fail the build too
    today: dt.date | None = None  # "today" in the site's time zone; None: the real date


@dataclass
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    diagnostics: list[Diagnostic]
    files_checked: int


@dataclass
class BuildReport:
    pages: int = 0
    files: int = 0
    briefs: int = 0
    issues: int = 0
    seconds: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    search: dict | None = None  # what the indexer reported, when search ran

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check_site(root: Path, today: dt.date | None = None, base_url: str | None = None) -> CheckResult:
    """Load and validate everything under content/; nothing is written."""
    config, diags = load_config(root)
    if config is not None and base_url:
        config = config.with_base_url(base_url)
    loaded = find_content(root)
    diags = diags + loaded.diagnostics
    files_checked = loaded.seen
    if config is None:
        return CheckResult(None, None, sorted(diags), files_checked)
    content, more = validate_content(
        [f for f in loaded.files if f.kind not in ("config", "sources")], config, today or today_in(config.tz)
    )
    for f in loaded.files:
        if f.kind in ("config", "sources"):
            content.source_files[f.src_path] = f.raw
    diags += more
    if any(f.kind == "sources" for f in loaded.files):
        diags += load_registry(root, list(config.sections), list(config.jurisdictions))[1]
    return CheckResult(config, content, sorted(diags), files_checked)


def render_site(site: Site, env: jinja2.Environment) -> list[OutputFile]:
    """Every output file of the site, in memory. Pure apart from reading templates."""
    r = Renderer(site, env)
    files = r.render_all()
    files += render_feeds(r)
    files.append(render_sitemap(r, [f.dest_path for f in files if f.dest_path.endswith(".html")]))
    files.append(render_robots(r))
    return files


def static_assets(root: Path) -> list[OutputFile]:
    """layouts/assets/** of the site over the default theme's, copied to assets/."""
    found: dict[str, bytes] = {}
    for d in reversed(layout_dirs(root)):
        assets = d / "assets"
        if assets.is_dir():
            for p in sorted(assets.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    found["assets/" + p.relative_to(assets).as_posix()] = p.read_bytes()
    return [OutputFile(k, v) for k, v in sorted(found.items())]


def build_site(opts: BuildOptions) -> BuildReport:
    """Build the whole site into opts.out, atomically. Raises ContentError with every problem found."""
    started = time.perf_counter()
    check_out_dir(opts.root, opts.out)
    checked = check_site(opts.root, opts.today, opts.base_url)
    if errors_in(checked.diagnostics) or checked.config is None or (opts.strict and checked.diagnostics):
        raise ContentError(checked.diagnostics)
    site = assemble(checked.content, checked.config, include_drafts=opts.drafts)
    env = make_environment(opts.root)
    try:
        files = render_site(site, env)
    except jinja2.TemplateError as exc:
        raise ContentError([_template_diagnostic(exc, opts.root)]) from exc
    problems = check_disclaimers(files)
    if problems:
        raise ContentError(problems)
    files += static_assets(opts.root)
    files.sort(key=lambda f: f.dest_path)
    report = BuildReport(
        pages=sum(1 for f in files if f.dest_path.endswith(".html")),
        files=len(files),
        briefs=len(site.briefs),
        issues=len(site.issues),
        diagnostics=checked.diagnostics,
    )
    staging = make_staging(opts.out)
    try:
        write_files(staging, files)
        if opts.search:
            report.search = _index(staging, opts)
        _write_manifest(staging, opts, checked.content, report)
        swap_in(staging, opts.out)
    except BaseException:
        discard(staging)
        raise
    report.files = sum(1 for p in opts.out.rglob("*") if p.is_file())
    report.seconds = time.perf_counter() - started
    return report


def _index(staging: Path, opts: BuildOptions) -> dict | None:
    try:
        from generator.search import index_site  # the search stage
    except ImportError:
        return None
    return index_site(staging)


def _write_manifest(staging: Path, opts: BuildOptions, content: Content, report: BuildReport) -> None:
    """build-manifest.json: hashes of every input and output, written before the swap."""
    sources = dict(content.source_files)
    sources.update({f"layouts/{name}": data for name, data in template_files(opts.root).items()})
    data = manifest.build_manifest(
        generator_version=__version__,
        source_files=sources,
        output_files=manifest.hash_tree(staging),
        counts={"briefs": report.briefs, "issues": report.issues, "pages": report.pages},
        git_commit=manifest.git_commit(opts.root),
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
    )
    (staging / manifest.MANIFEST_NAME).write_bytes(data)


def _template_diagnostic(exc: jinja2.TemplateError, root: Path) -> Diagnostic:
    lineno = getattr(exc, "lineno", 0) or 0
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or ""
    if not lineno:  # a runtime error: Jinja rewrites the traceback so template frames show file and line
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
                name, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    if name:
        try:
            name = str(Path(name).resolve().relative_to(root.resolve()))
        except ValueError:
            name = str(name)
    return Diagnostic(name or "layouts", lineno, 0, "error", "", f"template error: {exc.message or exc}",
                      "fix the template; names available to templates are listed in the README")
