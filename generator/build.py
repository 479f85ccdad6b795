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
import json
import os
import pickle
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from generator import __version__, manifest, search
from generator.assemble import assemble
from generator.cache import CACHE_DIR, BuildCache, OutputRecord, cache_path
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
from generator.templates import default_layouts, layout_dirs, make_environment, template_files
from generator.validate import parse_brief, validate_content
from generator.fragments import render_fragments
from generator.parallel import default_jobs, run_in_workers
from generator.write import StagingWriter, check_out_dir, discard, make_staging, prune_staging, recover, swap_in


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
    jobs: int = 0  # worker processes; 0: one per core
    cache_name: str | None = None  # which cache to use; None: one per output folder ("serve" shares one across builds)
    previous: Path | None = None  # a previous build to reuse unchanged files from; None: `out` itself
    spare: Path | None = None  # an old build folder to update in place (taken over); None: out's own spare


@dataclass
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    diagnostics: list[Diagnostic]
    files_checked: int
    source_aliases: dict[str, str] = field(default_factory=dict)  # casefolded alias -> the source's name


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
    up_to_date: bool = False  # nothing had changed: the build stopped early

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
    aliases: dict[str, str] = {}
    if any(f.kind == "sources" for f in loaded.files):
        sources, problems = load_registry(root, list(config.sections), list(config.jurisdictions))
        diags += problems
        aliases = {alias.casefold(): s.name for s in sources for alias in s.aliases}
    return CheckResult(config, content, sorted(diags), files_checked, aliases)


def render_site(r: Renderer):
    """Every page, feed and email edition, one file at a time (None for another worker's files)."""
    yield from r.render_all()
    yield from render_feeds(r)
    yield from render_emails(r)


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
    cache = BuildCache((cache_path(root, out, "build") if opts.cache_name is None
                        else root / CACHE_DIR / f"{opts.cache_name}.sqlite") if opts.cache else None, key)
    try:
        stamp = _input_stamp(root, out, key, opts) if cache.db is not None else ""
        previous = cache.get_meta("stamp") if stamp else None
        if previous and previous == stamp:  # nothing that feeds the site changed, and site/ is as we left it
            report = pickle.loads(cache.get_meta_blob("report"))
            report.rendered, report.reused, report.up_to_date = 0, report.files, True
            report.seconds = time.perf_counter() - started
            return report
        report = _build(opts, cache, key, started)
        if stamp:
            cache.set_meta("stamp", _input_stamp(root, out, key, opts))
            cache.set_meta_blob("report", pickle.dumps(report))
        return report
    finally:
        cache.close()


def _input_stamp(root: Path, out: Path, key: str, opts: BuildOptions) -> str:
    """A hash of the size and mtime of every file that feeds the build and every file of the output.

    Equal stamps mean the previous build's output is still exactly what a
    build would write now, so the build can stop before reading anything.
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{key}\0{opts.today or today_in_default(root)}\0{opts.search}\0{opts.strict}\0".encode())
    h.update(str(manifest.git_commit(root)).encode())
    parts: list[str] = []
    for folder in (root / "content", out):
        _stat_tree(str(folder), parts)
    h.update("\n".join(parts).encode())
    return h.hexdigest()


def _stat_tree(folder: str, parts: list[str]) -> None:
    """'path size mtime' for every file under folder, in a fixed order (scandir: one call per folder)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _stat_tree(entry.path, parts)
        else:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}")


def today_in_default(root: Path) -> str:
    """Today's date where the site is (warnings about future dates depend on it)."""
    config, _ = load_config(root)
    return today_in(config.tz).isoformat() if config else dt.date.today().isoformat()


PARALLEL_FROM = 400  # briefs; below this a second process costs more than it saves
BACKGROUND_DELETE_FROM = 5000  # files; a previous site this big is deleted without waiting for it


def _build(opts: BuildOptions, cache: BuildCache, key: str, started: float) -> BuildReport:
    root, out = opts.root, opts.out
    jobs = opts.jobs or default_jobs()
    # load and validate (unchanged files come from the cache)
    parse, fresh_parses, parsed_paths = _cached_parser(cache, key, opts.today)
    checked = check_site(root, opts.today, opts.base_url, parse)
    if errors_in(checked.diagnostics) or checked.config is None or (opts.strict and checked.diagnostics):
        raise ContentError(checked.diagnostics)
    content = checked.content
    # assemble
    site = assemble(content, checked.config, include_drafts=opts.drafts, source_aliases=checked.source_aliases)
    fingerprints = {
        b.slug: hashlib.sha256(f"{key}\0{b.src_path}\0".encode() + content.source_files[b.src_path]).hexdigest()[:32]
        for b in site.briefs
    }
    env = make_environment(root)
    previous_dir = opts.previous if opts.previous is not None else out
    renderer = Renderer(
        site, env, fingerprints=fingerprints, fragment_source=cache.fragment,
        previous=cache.outputs() if previous_dir.is_dir() else {}, previous_dir=str(previous_dir), build_key=key,
    )
    if len(fingerprints) < PARALLEL_FROM:
        jobs = 1
    # fragments of new and changed briefs: rendered (in parallel) and cached before any page uses them
    missing = cache.missing_fragments(list(fingerprints.values()))
    todo = [renderer.views[slug] for slug, fp in fingerprints.items() if fp in missing]
    new_fragments = _guard_templates(root, lambda: _render_fragments(renderer, todo, jobs, cache))
    cache.store_fragments(new_fragments, set(fingerprints.values()))
    if cache.db is not None:  # from here on they come from the cache, when needed: memory stays flat
        new_fragments = {}
        for view in todo:
            view._fragments = None
    renderer.fragment_source = _fragment_lookup(cache, new_fragments)
    cache.store_parsed(fresh_parses, parsed_paths)  # parsing is done: what it learned holds either way
    fresh_parses.clear()
    # pages, feeds and emails: each worker renders its share straight into the staging folder
    staging = make_staging(out, opts.spare)
    try:
        results = run_in_workers(lambda job, n: _render_share(renderer, cache, staging, root, job, n), jobs)
        writer = StagingWriter(staging)
        problems = [p for r in results for p in r["problems"]]
        if problems:
            raise ContentError(problems)
        for r in results:
            writer.hashes.update(r["hashes"])
            writer.records.update(r["records"])
            writer.made_dirs.update(r["dirs"])
        html_paths = sorted(p for p in writer.hashes if p.endswith(".html") and not p.endswith("/email.html"))
        writer.add(render_sitemap(renderer, html_paths))
        writer.add(render_robots(renderer))
        for f in static_assets(root):
            writer.add(f)
        # a reused spare tree may hold files and folders this build no longer has (and an old index)
        prune_staging(staging, set(writer.hashes), writer.made_dirs)
        report = BuildReport(
            pages=len(html_paths), briefs=len(site.briefs), issues=len(site.issues),
            rendered=sum(r["rendered"] for r in results), reused=sum(r["reused"] for r in results),
            diagnostics=checked.diagnostics, cache_warning=cache.warning,
        )
        search_signatures = None
        if opts.search:
            report.search, search_signatures = _index(staging, site, writer.hashes, previous_dir, cache)
        _write_manifest(staging, opts, content, report, writer.hashes, checked.config.base_url)
        report.files = len(writer.hashes) + 1 + (report.search or {}).get("files", 0)
        swap_in(staging, out, background_delete=len(writer.hashes) > BACKGROUND_DELETE_FROM)
    except BaseException:
        discard(staging, out)
        raise
    # remember this build's pages only once it is published
    cache.store_outputs({k: OutputRecord(*v) for k, v in writer.records.items()})
    if search_signatures is not None:
        cache.set_meta("search_shards", json.dumps(search_signatures, sort_keys=True))
    report.seconds = time.perf_counter() - started
    return report


def _render_fragments(renderer: Renderer, views: list, jobs: int, cache: BuildCache) -> dict:
    """Fragments (the Markdown and card/entry HTML) of `views`, split between workers.

    With a cache, parallel workers write their fragments straight into it in
    batches and hand back nothing, so no process ever holds them all.
    """
    if not views:
        return {}
    jobs = jobs if len(views) >= PARALLEL_FROM else 1

    def share(job: int, n: int) -> dict:
        store = cache.reopen() if (n > 1 and cache.db is not None) else None
        out: dict = {}
        for v in views[job::n]:
            out[v.fingerprint] = render_fragments(v, renderer.config, renderer.urls, renderer._card, renderer._entry)
            v._fragments = None
            if store is not None and len(out) >= 200:
                store.add_fragments(out)
                out = {}
        if store is not None:
            store.add_fragments(out)
            store.close()
            return {}
        return out

    merged: dict = {}
    for part in run_in_workers(share, jobs):
        merged.update(part)
    return merged


def _fragment_lookup(cache: BuildCache, new_fragments: dict):
    def lookup(fingerprint: str):
        frag = new_fragments.get(fingerprint)
        return frag if frag is not None else cache.fragment(fingerprint)
    return lookup


def _render_share(renderer: Renderer, cache: BuildCache, staging: Path, root: Path, job: int, jobs: int) -> dict:
    """One worker's share of the files: rendered, checked for the disclaimer and written into staging."""
    if jobs > 1:  # a forked worker: its own connection to the cache, never the parent's
        worker_cache = cache.reopen()
        renderer.fragment_source = _fragment_lookup(worker_cache, {})
    renderer.jobs, renderer.job = jobs, job
    expected = expected_lists(renderer.site)
    writer = StagingWriter(staging, check=lambda f: check_disclaimers([f], expected))

    def render_all() -> None:
        for f in render_site(renderer):
            writer.add(f)

    _guard_templates(root, render_all)
    return {"hashes": writer.hashes, "records": writer.records, "problems": writer.problems,
            "dirs": writer.made_dirs, "rendered": renderer.rendered, "reused": renderer.reused}


def _guard_templates(root: Path, work):
    """Run `work`; an error raised inside a template becomes a file:line diagnostic."""
    try:
        return work()
    except jinja2.TemplateError as exc:
        raise ContentError([_template_diagnostic(exc, root)]) from exc
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as exc:
        diagnostic = _template_diagnostic(exc, root)
        if not diagnostic.line:  # not raised inside a template: a bug in digest itself
            raise
        raise ContentError([diagnostic]) from exc


def _index(staging: Path, site, hashes: dict, out: Path, cache: BuildCache) -> tuple[dict, dict]:
    """The Pagefind index, in shards of old-to-new pages; unchanged shards come from the previous output."""
    pages = [((b.published.isoformat(), "b", b.slug), f"briefs/{b.slug}/index.html") for b in site.briefs]
    pages += [((i.week.sunday.isoformat(), "i", i.week.slug), f"issues/{i.week.slug}/index.html") for i in site.issues]
    shards = search.plan_shards([(key, path) for key, path in pages])
    previous = json.loads(cache.get_meta("search_shards") or "{}") if out.is_dir() else {}
    return search.index_shards(staging, shards, hashes, out if out.is_dir() else None, previous)


def _write_manifest(staging: Path, opts: BuildOptions, content: Content, report: BuildReport, hashes: dict,
                    base_url: str) -> None:
    """build-manifest.json: hashes of every input and output, written before the swap."""
    sources = dict(content.source_files)
    sources.update({f"layouts/{name}": data for name, data in template_files(opts.root).items()})
    outputs = dict(hashes)
    for folder in (search.BUNDLE, search.SHARDS_DIR):  # written by the indexer, not by us
        if (staging / folder).is_dir():
            outputs.update({f"{folder}/{k}": v for k, v in manifest.hash_tree(staging / folder, exclude=()).items()})
    data = manifest.build_manifest(
        generator_version=__version__,
        source_files=sources,
        output_files=outputs,
        counts={"briefs": report.briefs, "issues": report.issues, "pages": report.pages},
        git_commit=manifest.git_commit(opts.root),
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
        base_url=base_url,
    )
    (staging / manifest.MANIFEST_NAME).write_bytes(data)


def _template_diagnostic(exc: Exception, root: Path) -> Diagnostic:
    lineno = getattr(exc, "lineno", 0) or 0
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or ""
    if not lineno:  # a runtime error: Jinja rewrites the traceback so template frames show file and line
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
                name, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    theme = ""
    if name:
        path = Path(name).resolve()
        try:
            name = str(path.relative_to(root.resolve()))
        except ValueError:
            try:  # the default theme, wherever the package lives
                name = f"layouts/{path.relative_to(default_layouts().resolve()).as_posix()}"
                theme = " (in the default theme; copy the file to your layouts/ to change it)"
            except ValueError:
                name = str(name)
    message = getattr(exc, "message", None) or str(exc)
    if not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return Diagnostic(name or "layouts", lineno, 0, "error", "", f"template error{theme}: {message}",
                      "fix the template; names available to templates are listed in the README")
