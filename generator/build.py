"""The pipeline on one screen: load -> validate -> assemble -> plan -> render -> check -> write -> index -> swap.

`check_site` runs the first two stages only (digest check); `build_site`
runs them all and returns a BuildReport. Library code never prints.

Builds are incremental (generator.incremental says how): the plan names every
output file with a signature of its inputs, and only files whose signature
changed are rendered. The output is always the bytes a clean build gives.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import generator
from generator.diagnostics import ContentError, Diagnostic
from generator.incremental import (Memory, cache_folder, collector_paused, input_stamp, tree_id, variant_for,
                                   wait_past_tick)
from generator.templates import layout_dirs
from generator.write import (BuildLock, EnvironmentProblem, check_out_dir, discard, is_environment_error,
                             make_staging, recover, swap_in)

if TYPE_CHECKING:  # names for the annotations only
    from collections.abc import Callable

    from generator.config import SiteConfig
    from generator.model import Content


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
    on_wait: object = None  # called with the other build's pid when this one has to wait for it
    # called as the build goes with (stage, done, total): "loading briefs", 10, 400; total 0: not counted
    progress: Callable[[str, int, int], None] | None = None


@dataclass
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    diagnostics: list[Diagnostic]
    files_checked: int
    source_aliases: dict[str, str] = field(default_factory=dict)  # casefolded alias -> the source's name
    key: str = ""  # the build key it was checked under (set by the build)


@dataclass
class BuildReport:
    pages: int = 0
    files: int = 0
    briefs: int = 0
    issues: int = 0
    seconds: float = 0.0
    rendered: int = 0  # pages rendered in this build
    reused: int = 0  # pages unchanged since the previous build, linked instead
    linked: int = 0  # of those, files the spare folder lacked, hard-linked from the published site
    diagnostics: list[Diagnostic] = field(default_factory=list)
    search: dict | None = None  # what the indexer reported, when search ran
    cache_warning: str = ""
    up_to_date: bool = False  # nothing had changed: the build stopped early

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check_site(root: Path, today: dt.date | None = None, base_url: str | None = None, parse=None,
               known=None, progress=None, jobs: int = 0, meanwhile=None, read_briefs: bool = True) -> CheckResult:
    """Load and validate everything under content/; nothing is written.

    `parse` (a validate.BriefParser) replaces parse_brief and `known` is find_content's:
    the build passes both to take unchanged briefs from its parse cache. When many briefs
    need parsing, they are parsed ahead in `jobs` worker processes (0: one per core; see
    validate.parse_ahead), with the same results in the same order; `meanwhile` is work this
    process does first while they parse (called only then). Without `read_briefs`, brief
    files are read where they are parsed (in the workers, when they parse ahead): a clean
    build of many briefs reads them in parallel, not one by one before parsing. `progress`
    is as in BuildOptions.
    """
    from generator.config import load_config
    from generator.dates import today_in
    from generator.ingest.registry import load_registry
    from generator.load import find_content
    from generator.validate import BriefParser, parse_ahead, validate_content

    if progress is not None:
        progress("loading briefs", 0, 0)
    config, diags = load_config(root)
    if config is not None and base_url:
        config = config.with_base_url(base_url)
    loaded = find_content(root, known, read_briefs)
    diags = diags + loaded.diagnostics
    files_checked = loaded.seen
    if config is None:
        return CheckResult(None, None, sorted(diags), files_checked)
    day = today or today_in(config.tz)
    parser = parse or BriefParser()
    briefs = [f for f in loaded.files if f.kind == "brief"]
    ahead = parse_ahead(parser, briefs, config, day, jobs, progress, meanwhile)
    files = loaded.files
    if not read_briefs:
        files, problems = _as_read(files, ahead, parser)
        diags += problems
    content, more = validate_content(
        [f for f in files if f.kind not in ("config", "sources")], config, day,
        _in_order(parser, ahead, progress, len(briefs)),
    )
    for f in loaded.files:
        if f.kind in ("config", "sources"):
            content.source_files[f.src_path] = f.digest
    diags += more
    aliases: dict[str, str] = {}
    if any(f.kind == "sources" for f in loaded.files):
        sources, problems = load_registry(root, list(config.sections), list(config.jurisdictions))
        diags += problems
        aliases = {alias.casefold(): s.name for s in sources for alias in s.aliases}
    return CheckResult(config, content, sorted(diags), files_checked, aliases)


def _as_read(files: list, ahead: dict, parser) -> tuple[list, list[Diagnostic]]:
    """`files` with each brief listed to be read later (find_content's `read_briefs`) as read:
    as the worker that parsed it ahead read it, else read here. A file that cannot be read is
    left out and its problems are reported, as find_content does."""
    from generator.load import read_source

    out: list = []
    problems: list[Diagnostic] = []
    for f in files:
        if f.text is not None or f.digest:
            out.append(f)
            continue
        done = ahead.get(f.src_path)
        if done is not None:
            read, found = parser.as_read(f, done)
            if read is None:
                del ahead[f.src_path]
        else:
            read, found = read_source(f.src_path, f.abs_path, f.kind)
        problems += found
        if read is not None:
            out.append(read)
    return out, problems


def _in_order(parser, ahead: dict, progress, total: int):
    """What validate_content calls for each brief, in file order: the parser, given what was
    parsed ahead for the brief. With `progress`, "loading briefs" N of `total` for each brief
    not parsed ahead (those were counted as the workers went)."""
    done = len(ahead)

    def parse(src, cfg, day):
        nonlocal done
        got = ahead.pop(src.src_path, None)
        if got is None and progress is not None:
            done += 1
            progress("loading briefs", done, total)
        return parser(src, cfg, day, got)
    return parse


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def build_site(opts: BuildOptions) -> BuildReport:
    """Build the whole site into opts.out, atomically. Raises ContentError with every problem found."""
    started = time.perf_counter()
    check_out_dir(opts.root, opts.out)
    try:
        with BuildLock(opts.out, on_wait=opts.on_wait):
            recover(opts.out)
            memory = Memory(cache_folder(opts.root, variant_for(opts.out, opts.cache_name)) if opts.cache else None)
            try:
                return _build_if_changed(opts, memory, started)
            finally:
                memory.close()
                gc.unfreeze()  # a long-lived caller (the preview) gets its collector back whole
    except OSError as exc:
        if is_environment_error(exc):
            raise EnvironmentProblem("write", exc) from exc
        raise


def _build_if_changed(opts: BuildOptions, memory: Memory, started: float) -> BuildReport:
    """Stop at once when nothing the build reads has changed (no renderer is even imported)."""
    if opts.cache and opts.progress is not None:
        opts.progress("checking for changes", 0, 0)
    stamp, newest = input_stamp(opts.root, layout_dirs(opts.root), _options(opts)) if opts.cache else ("", 0)
    if stamp and memory.state.stamp == (stamp, tree_id(opts.out)) and memory.state.report is not None:
        report = memory.state.report
        report.rendered, report.reused, report.up_to_date = 0, report.files, True
        report.seconds = time.perf_counter() - started
        return report
    if opts.cache:
        wait_past_tick(newest)  # so a change after the build reads a file always shows in a new mtime
    report = _pipeline(opts, memory)
    report.seconds = time.perf_counter() - started
    if opts.cache:
        memory.state.stamp, memory.state.report = (stamp, tree_id(opts.out)), report
        memory.save_state()
    return report


def _options(opts: BuildOptions) -> tuple:
    today = opts.today.isoformat() if opts.today else f"t{int(time.time() // 900)}"  # the date in any time zone
    return (opts.drafts, opts.base_url, opts.search, opts.strict, today, os.environ.get("SOURCE_DATE_EPOCH"),
            generator.__version__)


def _pipeline(opts: BuildOptions, memory: Memory) -> BuildReport:
    progress = opts.progress or _no_progress
    progress("loading briefs", 0, 0)  # importing the stages is part of loading
    from generator import stages  # only when there is work to do (Jinja and Markdown come later)

    # Loading and planning make hundreds of thousands of objects that live to the end of the
    # build (a sixth of a one-brief rebuild at 10,000 briefs went to collecting them);
    # build_site unfreezes them when it returns.
    with collector_paused(freeze=True):
        # While workers parse briefs, this process imports Jinja, Markdown and the renderer and
        # compiles the brief pages' templates (the stages import none of them before this).
        envs = []
        checked = stages.load_and_validate(opts, memory,                        # load, validate
                                           meanwhile=lambda: envs.append(stages.compile_first(opts, memory)))
        env = envs[0] if envs else stages.template_environment(opts, memory)
        from generator import produce  # here too, not before the parse workers are forked
        progress("planning", 0, 0)
        side = stages.SideWork.begin(env, memory, opts.jobs)  # the parse cache and templates, in a helper
        site = stages.assemble_site(checked, opts)                             # assemble
        inputs = stages.plan_inputs(opts, checked, site, memory)
        plan = stages.make_plan(site, inputs)                                  # plan
        renderer = stages.make_renderer(opts, site, inputs, memory, env)
    previous = opts.previous if opts.previous is not None else opts.out
    staging = make_staging(opts.out, opts.spare)
    try:
        held, held_search = memory.take_tree(staging)  # what the spare holds; untrusted until published
        keep = set(inputs.fingerprints.values())
        # While workers render the brief pages, this process takes in the helper's work (or writes
        # the parse cache); while they render the rest, it stores the brief pages' fragments.
        alongside = (side.finish, lambda: memory.store_fragments(renderer.store.fragments_made()))
        written = produce.update_tree(plan, renderer, staging, held, previous, memory,   # render, check, write
                                      jobs=opts.jobs, guard=lambda work: _guard_templates(opts.root, work),
                                      progress=opts.progress, alongside=alongside)
        side.finish()  # (done already if workers rendered)
        if opts.search:
            progress("indexing search", 0, 0)
        search = stages.index(opts, plan, site, staging, held_search, previous, memory, written)   # index
        progress("writing", 0, 0)
        stages.write_manifest(staging, opts, checked.content, written, site)
        swap_in(staging, opts.out, background_delete=written.total > BACKGROUND_DELETE_FROM)  # swap
    except BaseException as exc:
        discard(staging, opts.out, keep=not is_environment_error(exc))  # a full disk wants its space back
        raise
    memory.remember_tree(opts.out, written.records, search.get("folders") if search else None)
    memory.store_fragments(renderer.store.made, keep)
    return BuildReport(pages=written.pages, files=written.total + 1 + (search or {}).get("files", 0),
                       briefs=len(site.briefs), issues=len(site.issues), rendered=written.rendered,
                       reused=written.total - written.rendered, linked=written.linked,
                       diagnostics=checked.diagnostics,
                       search=search, cache_warning=memory.warning)


BACKGROUND_DELETE_FROM = 5000  # files; a previous site this big is deleted without waiting for it


def _guard_templates(root: Path, work):
    """Run `work`; an error raised inside a template becomes a file:line diagnostic."""
    try:
        return work()
    except __import__("jinja2").TemplateError as exc:
        raise ContentError([_template_diagnostic(exc, root)]) from exc
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as exc:
        diagnostic = _template_diagnostic(exc, root)
        if not diagnostic.line:  # not raised inside a template: a bug in digest itself
            raise
        raise ContentError([diagnostic]) from exc


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
                from generator.templates import default_layouts

                name = f"layouts/{path.relative_to(default_layouts().resolve()).as_posix()}"
                theme = " (in the default theme; copy the file to your layouts/ to change it)"
            except ValueError:
                name = str(name)
    message = getattr(exc, "message", None) or str(exc)
    if not isinstance(exc, __import__("jinja2").TemplateError):
        message = f"{type(exc).__name__}: {message}"
    return Diagnostic(name or "layouts", lineno, 0, "error", "", f"template error{theme}: {message}",
                      "fix the template; names available to templates are listed in the README")
