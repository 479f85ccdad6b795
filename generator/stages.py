"""The stages build.py strings together, each a small function of what the one before gave.

Kept out of build.py so the pipeline reads on one screen, and imported only
when a build has work to do (they pull in YAML). Markdown, Jinja and the renderer
are imported by compile_first and make_renderer, not here: a clean build forks the
workers that parse briefs first, and imports them while those parse.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import generator
from generator import manifest, parallel, plan as planning, search
from generator.assemble import assemble
from generator.build import BuildOptions, CheckResult, check_site
from generator.diagnostics import ContentError, errors_in
from generator.incremental import Memory, build_key, parsed_entry, tree_id
from generator.load import read_source
from generator.templates import compile_ahead, layout_dirs, make_environment, template_files
from generator.validate import BriefParser, parse_brief

if TYPE_CHECKING:
    from generator.render import Renderer


@dataclass
class PlanInputs:
    key: str  # the build key
    fingerprints: dict[str, str]  # brief slug -> fingerprint
    text_hashes: dict[str, str]  # editorial and page source path -> hash
    assets: dict[str, bytes]  # output path -> bytes


def site_key(opts: BuildOptions) -> str:
    root = opts.root
    settings = [(root / "content" / n).read_bytes() if (root / "content" / n).is_file() else b"-"
                for n in ("site.yaml", "sources.yaml")]
    return build_key(template_files(root), settings, (opts.drafts, opts.base_url, generator.__version__))


class CachedParser(BriefParser):
    """parse_brief with the build's parse cache (see validate.BriefParser): a brief file whose
    bytes the cache knows, for the same day, is taken from it, unparsed; the others are parsed
    (read first when find_content listed them unread) and recorded in `changed`. `seen` ends as
    every brief path asked about."""

    def __init__(self, known: dict, now_ns: int):
        self.known = known
        self.now = now_ns
        self.changed: dict = {}
        self.seen: set[str] = set()

    def _cached(self, src, day):
        entry = self.known.get(src.src_path)
        return entry if entry is not None and entry.day == day and entry.digest == src.digest else None

    def wanted(self, src, day) -> bool:
        return self._cached(src, day) is None

    def work(self, src, cfg, day) -> tuple:
        """(parse_brief's answer, the file as read here): None when it came read (or could not be read)."""
        if src.text is None:  # known by its signature, but checked on another day: read it now
            read, problems = read_source(src.src_path, src.abs_path, src.kind)
            if read is None:
                return (None, problems), None
            return parse_brief(read, cfg, day), replace(read, text=None, raw=None)  # all the cache needs of it
        return parse_brief(src, cfg, day), None

    def as_read(self, src, done) -> tuple:
        result, read = done
        if read is not None:
            return read, []
        if src.text is None and not src.digest:  # listed to be read, and could not be: the result says why
            return None, result[1]
        return src, []

    def __call__(self, src, cfg, day, done=None):
        self.seen.add(src.src_path)
        if done is None:
            entry = self._cached(src, day)
            if entry is not None:
                if entry.signature != src.signature and src.text is not None:  # touched, same bytes
                    self.changed[src.src_path] = parsed_entry(src, day, entry.result, self.now)
                return entry.result
            done = self.work(src, cfg, day)
        result, read = done
        if read is not None or src.text is not None:  # else it could not be read: nothing to remember
            self.changed[src.src_path] = parsed_entry(read or src, day, result, self.now)
        return result


def load_and_validate(opts: BuildOptions, memory: Memory, meanwhile=None) -> CheckResult:
    """check_site, with brief files known to the parse cache taken from it: unread when their
    signature is unchanged, unparsed when their bytes are (for the same day). `meanwhile`:
    as in check_site, work of this process's own while workers parse briefs, if they do."""
    key = site_key(opts)
    memory.use_key(key)
    known = memory.parsed()
    parser = CachedParser(known, time.time_ns())

    def digest_of(src_path: str, signature: tuple) -> str | None:
        entry = known.get(src_path)
        return entry.digest if entry is not None and entry.signature and entry.signature == signature else None

    checked = check_site(opts.root, opts.today, opts.base_url, parser, digest_of if known else None,  # nothing to stat for
                         progress=opts.progress, jobs=opts.jobs, meanwhile=meanwhile,
                         read_briefs=bool(known))  # nothing cached: read each brief where it is parsed
    checked.key = key
    if errors_in(checked.diagnostics) or checked.config is None or (opts.strict and checked.diagnostics):
        raise ContentError(checked.diagnostics)
    removed = known.keys() - parser.seen
    if parser.changed or removed:
        memory.update_parsed(parser.changed, removed)
    return checked


def assemble_site(checked: CheckResult, opts: BuildOptions):
    return assemble(checked.content, checked.config, include_drafts=opts.drafts, source_aliases=checked.source_aliases)


def static_assets(root) -> dict[str, bytes]:
    """layouts/assets/** of the site over the default theme's, copied to assets/."""
    found: dict[str, bytes] = {}
    for d in reversed(layout_dirs(root)):
        assets = d / "assets"
        if assets.is_dir():
            for p in sorted(assets.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    found["assets/" + p.relative_to(assets).as_posix()] = p.read_bytes()
    return dict(sorted(found.items()))


def fingerprint(key: str, src_path: str, digest: str) -> str:
    """A brief's fingerprint (see generator.incremental): the build key, its path and its bytes' sha256."""
    return hashlib.sha256(f"{key}\0{src_path}\0{digest}".encode()).hexdigest()[:32]


def text_hash(digest: str) -> str:
    """What the plan knows of an editorial or page: its bytes' sha256, shortened."""
    return digest[:32]


def plan_inputs(opts: BuildOptions, checked: CheckResult, site, memory: Memory) -> PlanInputs:
    key = checked.key
    sources = checked.content.source_files  # src_path -> sha256
    fingerprints = {b.slug: fingerprint(key, b.src_path, sources[b.src_path]) for b in site.briefs}
    brief_paths = {b.src_path for b in site.briefs}
    texts = {p: text_hash(digest) for p, digest in sources.items() if p not in brief_paths}
    return PlanInputs(key, fingerprints, texts, static_assets(opts.root))


def make_plan(site, inputs: PlanInputs) -> planning.Plan:
    assets = {dest: hashlib.sha256(data).hexdigest() for dest, data in inputs.assets.items()}
    return planning.make_plan(site, inputs.key, inputs.fingerprints, inputs.text_hashes, assets)


def template_environment(opts: BuildOptions, memory: Memory):
    """The Jinja environment of the site's layouts, keeping compiled templates in the build cache."""
    return make_environment(opts.root, memory.folder / "templates" if memory.folder is not None else None)


def compile_first(opts: BuildOptions, memory: Memory):
    """The template_environment, with what the brief pages need (brief.html, its card and
    entry, and the templates they build on) compiled, for the renderer made later in this
    process, and the workers it forks, to find compiled. The build does it while its workers
    parse briefs: alone, each worker rendering brief pages compiled them again (0.06-0.1 s
    each), and the import of Jinja, Markdown and the renderer (0.1-0.15 s) kept a core idle."""
    from generator.render import Renderer

    env = template_environment(opts, memory)
    compile_ahead(env, [*Renderer.PARTS, planning.KINDS["brief"].template])
    return env


SIDE_WORK_FROM = 500  # parsed briefs to save; below this a helper process costs more than it saves


class SideWork:
    """What no page waits on, done by a helper process (parallel.start) on the core left idle
    while this one validates and plans: writing the parse cache, and compiling the templates
    of every kind of page, handed back compiled. finish() waits for it and takes them in, so
    that the listings' workers, forked later, find them compiled. Without a helper (a build
    that parsed few briefs, one core, threads running), finish() writes the parse cache here.
    A build that fails before finish() leaves the helper to Memory.close(), which waits for it.

    At 10,000 briefs the parse cache took 0.6-0.8 s of pickling and the listings' templates
    0.2 s of compiling, done in this process while two workers rendered on two cores."""

    def __init__(self, env, memory: Memory, helper=None):
        self.env, self.memory, self.helper = env, memory, helper
        self.finished = False

    @classmethod
    def begin(cls, env, memory: Memory, jobs: int = 0) -> "SideWork":
        if (memory.unsaved_parsed() < SIDE_WORK_FROM or (jobs or parallel.default_jobs()) < 2
                or not hasattr(os, "fork") or threading.active_count() > 1):
            return cls(env, memory)
        write = memory.parsed_writes()
        cache = env.bytecode_cache
        leave = set(cache.held)  # compiled already: the workers inherit those

        def work():
            if write is not None:
                write()
            compile_ahead(env, PAGE_TEMPLATES)
            return cache.export(leave)
        helper = parallel.start(work)
        memory.written_elsewhere(helper.join)
        return cls(env, memory, helper)

    def finish(self) -> None:
        """Wait for the helper and take in its templates (raising what it raised), or do its writing here."""
        if self.helper is None:
            self.memory.save_parsed()
        elif not self.finished:
            self.env.bytecode_cache.adopt(self.helper.wait())
            self.finished = True


PAGE_TEMPLATES = sorted({kind.template for kind in planning.KINDS.values() if kind.template})


def make_renderer(opts: BuildOptions, site, inputs: PlanInputs, memory: Memory, env=None) -> Renderer:
    """`env`: the template_environment, when the build made it earlier (to compile_first)."""
    from generator.render import FragmentStore, Renderer

    return Renderer(site, env if env is not None else template_environment(opts, memory),
                    fingerprints=inputs.fingerprints, store=FragmentStore(memory.fragment), assets=inputs.assets)


def index(opts: BuildOptions, plan, site, staging, held: dict, previous, memory: Memory, written) -> dict | None:
    """The search index, in shards; shards whose pages are unchanged are kept or linked, not re-indexed."""
    if not opts.search:
        search.remove_index(staging)
        return None
    briefs = {b.slug: b for b in site.briefs}
    pages = [(_index_order(briefs, f), f.dest) for f in plan.indexed()]
    hashes = {dest: record[1] for dest, record in written.records.items()}
    prev_id = tree_id(previous)
    report = search.update_index(staging, previous if previous.is_dir() else None, pages, hashes,
                                 held,
                                 memory.state.search.get(prev_id) or {} if prev_id else {},
                                 memory.state.shards)
    memory.state.shards.update(report.pop("known"))
    written.search_files = report.pop("outputs")
    return report


def _index_order(briefs: dict, f) -> tuple:
    """Oldest first, so new pages land in the newest search shard: a brief by its date, an issue by its Sunday."""
    if f.kind == "brief":
        brief = briefs[f.args[0]]
        return (brief.published.isoformat(), "b", brief.slug)
    week = f.args[0]
    return (week.sunday.isoformat(), "i", week.slug)


def write_manifest(staging, opts: BuildOptions, content, written, site) -> None:
    """build-manifest.json: hashes of every input and output, written before the swap."""
    sources = dict(content.source_files)
    sources.update({f"layouts/{name}": data for name, data in template_files(opts.root).items()})
    outputs = {dest: record[1] for dest, record in written.records.items()}
    outputs.update(written.search_files)  # written by the indexer
    data = manifest.build_manifest(
        generator_version=generator.__version__,
        source_files=sources,
        output_files=outputs,
        counts={"briefs": len(site.briefs), "issues": len(site.issues), "pages": written.pages},
        git_commit=manifest.git_commit(opts.root),
        source_date_epoch=os.environ.get("SOURCE_DATE_EPOCH"),
        generated=manifest.generated_briefs(content.briefs, opts.drafts),
        base_url=site.config.base_url,
    )
    target = staging / manifest.MANIFEST_NAME
    target.unlink(missing_ok=True)
    target.write_bytes(data)


__all__ = ["fingerprint", "text_hash", "CachedParser", "load_and_validate", "assemble_site", "plan_inputs", "make_plan", "make_renderer", "index",
           "write_manifest"]
