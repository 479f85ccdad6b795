"""The pipeline on one screen: load -> validate -> assemble -> render -> check -> write -> index -> swap.

`check_site` runs the first two stages only (digest check); `build_site`
runs them all and returns a BuildReport. Library code never prints.

Builds are incremental: a cache (generator.cache) remembers parsed briefs,
rendered fragments and what each output page was made from, so a rebuild
parses, renders and writes only what changed. The output is always the same
bytes a clean build would give.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator import __version__, manifest
from generator.assemble import assemble
from generator.cache import BuildCache, OutputRecord, cache_path
from generator.check_output import check_disclaimers, expected_lists
from generator.config import SiteConfig, load_config
from generator.dates import today_in
from generator.diagnostics import ContentError, Diagnostic, errors_in
from generator.email import render_emails
from generator.feeds import render_feeds, render_robots, render_sitemap
from generator.ingest.registry import load_registry
from generator.load import find_content
from generator.model import Content
from generator.render import OutputFile, Renderer
from generator.templates import layout_dirs, make_environment, template_files
from generator.validate import parse_brief, validate_content
from generator.write import check_out_dir, discard, make_staging, recover, swap_in, write_files


@dataclass
class BuildOptions:
    root: Path
    out: Path
    drafts: bool = False
    base_url: str | None = None
    search: bool = True
    strict: bool = False  # warnings fail the build too
    today: dt.date | None = None  # "today" in the site's time zone; None: the real date
    cache: bool = True  # reuse the previous build's work (.digest-cache/); False: a clean build


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
    rendered: int = 0  # pages rendered in this build
    reused: int = 0  # pages unchanged since the previous build, linked instead
    diagnostics: list[Diagnostic] = field(default_factory=list)
    search: dict | None = None  # what the indexer reported, when search ran
    cache_warning: str = ""

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check_site(root: Path, today: dt.date | None = None, base_url: str | None = None, parse=None) -> CheckResult:
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
        [f for f in loaded.files if f.kind not in ("config", "sources")], config, today or today_in(config.tz), parse
    )
    for f in loaded.files:
        if f.kind in ("config", "sources"):
            content.source_files[f.src_path] = f.raw
    diags += more
    if any(f.kind == "sources" for f in loaded.files):
        diags += load_registry(root, list(config.sections), list(config.jurisdictions))[1]
    return CheckResult(config, content, sorted(diags), files_checked)


def render_site(r: Renderer) -> list[OutputFile]:
    """Every output file of the site. Pure apart from reading templates (and the previous output)."""
    files = r.render_all()
    files += render_feeds(r)
    files.append(render_sitemap(r, [f.dest_path for f in files if f.dest_path.endswith(".html")]))
    files += render_emails(r)  # after the sitemap: the email editions are not pages to browse
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


def build_key(root: Path, opts: BuildOptions) -> str:
    """Everything that can change every output at once: tool versions, templates, settings, options."""
    h = hashlib.sha256()
    for part in (__version__, platform.python_version(), repr(sorted(manifest.library_versions().items())),
                 repr((opts.drafts, opts.base_url))):
        h.update(part.encode() + b"\0")
    for name, data in sorted(template_files(root).items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    for name in ("site.yaml", "sources.yaml"):
        path = root / "content" / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    return h.hexdigest()


def _cached_parser(cache: BuildCache, key: str, today: dt.date | None):
    """parse_brief, but an unchanged file (same bytes, same day) comes from the cache."""
    known = cache.parsed_files()
    fresh: list[tuple] = []
    seen: set[str] = set()

    def parse(src, cfg, day):
        seen.add(src.src_path)
        stamp = hashlib.sha256(src.raw + (day or today).isoformat().encode()).hexdigest()
        hit = known.get(src.src_path)
        if hit is not None and hit[2] == stamp:
            try:
                return pickle.loads(hit[3])
            except Exception:  # noqa: BLE001 - an unreadable entry is just a miss
                pass
        result = parse_brief(src, cfg, day)
        fresh.append((src.src_path, 0, len(src.raw), stamp, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        return result

    return parse, fresh, seen


def build_site(opts: BuildOptions) -> BuildReport:
    """Build the whole site into opts.out, atomically. Raises ContentError with every problem found."""
    started = time.perf_counter()
    root, out = opts.root, opts.out
    check_out_dir(root, out)
    recover(out)
    key = build_key(root, opts)
    cache = BuildCache(cache_path(root, out, "build") if opts.cache else None, key)
    try:
        return _build(opts, cache, key, started)
    finally:
        cache.close()


def _build(opts: BuildOptions, cache: BuildCache, key: str, started: float) -> BuildReport:
    root, out = opts.root, opts.out
    parse, fresh_parses, parsed_paths = _cached_parser(cache, key, opts.today)
    checked = check_site(root, opts.today, opts.base_url, parse)
    if errors_in(checked.diagnostics) or checked.config is None or (opts.strict and checked.diagnostics):
        raise ContentError(checked.diagnostics)
    content = checked.content
    site = assemble(content, checked.config, include_drafts=opts.drafts)
    fingerprints = {
        b.slug: hashlib.sha256(f"{key}\0{b.src_path}\0".encode() + content.source_files[b.src_path]).hexdigest()[:32]
        for b in site.briefs
    }
    env = make_environment(root)
    renderer = Renderer(
        site, env, fingerprints=fingerprints, fragment_source=cache.fragment,
        previous=cache.outputs() if out.is_dir() else {}, previous_dir=str(out), build_key=key,
    )
    try:
        files = render_site(renderer)
    except jinja2.TemplateError as exc:
        raise ContentError([_template_diagnostic(exc, root)]) from exc
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as exc:
        diagnostic = _template_diagnostic(exc, root)
        if not diagnostic.line:  # not raised inside a template: a bug in digest itself
            raise
        raise ContentError([diagnostic]) from exc
    problems = check_disclaimers([f for f in files if f.data is not None], expected_lists(site))
    if problems:
        raise ContentError(problems)
    files += static_assets(root)
    files.sort(key=lambda f: f.dest_path)
    report = BuildReport(
        pages=sum(1 for f in files if f.dest_path.endswith(".html")),
        files=len(files),
        briefs=len(site.briefs),
        issues=len(site.issues),
        rendered=renderer.rendered,
        reused=renderer.reused,
        diagnostics=checked.diagnostics,
        cache_warning=cache.warning,
    )
    staging = make_staging(out)
    try:
        write_files(staging, files)
        if opts.search:
            report.search = _index(staging)
        _write_manifest(staging, opts, content, report, files)
        records = _output_records(staging, files)
        swap_in(staging, out)
    except BaseException:
        discard(staging)
        raise
    # remember this build only once it is published
    cache.store_parsed(fresh_parses, parsed_paths)
    cache.store_fragments(renderer.new_fragments, set(fingerprints.values()))
    cache.store_outputs(records)
    report.files = len(files) + 1 + (report.search or {}).get("files", 0)
    report.seconds = time.perf_counter() - started
    return report


def _output_records(staging: Path, files: list[OutputFile]) -> dict[str, OutputRecord]:
    """What each page was made from and how it was written, for the next build to reuse."""
    records = {}
    for f in files:
        if not f.signature:
            continue
        st = os.stat(staging / f.dest_path)
        records[f.dest_path] = OutputRecord(f.signature, "", st.st_size, st.st_mtime_ns)
    return records


def _index(staging: Path) -> dict | None:
    try:
        from generator.search import index_site  # the search stage
    except ImportError:
        return None
    return index_site(staging)


def _write_manifest(staging: Path, opts: BuildOptions, content: Content, report: BuildReport, files) -> None:
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


def _template_diagnostic(exc: Exception, root: Path) -> Diagnostic:
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
    message = getattr(exc, "message", None) or str(exc)
    if not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return Diagnostic(name or "layouts", lineno, 0, "error", "", f"template error: {message}",
                      "fix the template; names available to templates are listed in the README")
