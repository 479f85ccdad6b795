"""The preview's site in memory: a save re-renders what it changed, the page the browser shows first.

A Session holds what a build works out (the loaded content, the assembled
site, the plan, the renderer) and serves pages from it:

- a *base* folder: the last complete build, written once and never changed
  while it is served (so no reader ever sees a half-written file);
- over it, pages rendered since, in memory, each with the plan signature it
  was rendered for.

A page is served from the base when the current plan gives it the signature
the base was written with, from memory when a rendered copy has the current
signature, and otherwise it is rendered before it is served. So every page a
browser gets belongs to the newest good state of the content.

A save of content files (the common case) re-reads and re-parses only those
files, updates the site in place (generator.serve.sitedelta), renders the
pages the browsers show (when they are brief pages; anything else needs the
plan first), tells the browsers, lets them load those pages (each patches its
open page in place or reloads it; up to RELOAD_GRACE, until each starts its
next poll), then plans the whole site again
(the plan is cheap next to rendering) and renders every page whose signature
changed, in the background, one at a time, a page a request waits for first.

A save with problems publishes them (the browser shows the overlay) and
changes nothing that is served. Templates, settings and assets go the full
way: every stage again, written into a fresh folder (an old one only when no
request still reads it), then switched to in one step.

Everything that renders runs on one thread (the worker); HTTP threads only
look things up and, for a page that is not rendered yet, wait for the worker.
The first build may render with worker processes; it runs before any thread
starts, and later builds never fork.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import BuildOptions, _guard_templates
from generator.check_output import check_page
from generator.diagnostics import ContentError, Diagnostic, errors_in
from generator.incremental import Memory, cache_folder
from generator.serve.content import content_paths, read_source
from generator.serve.files import safe_relative
from generator.serve.sitedelta import apply_briefs, set_editorial, set_pages
from generator.serve.status import ServeState
from generator.serve.watch import ChangeKind

SEARCH_PREFIXES = ("pagefind/", "pagefind-shards/")
WAIT_SECONDS = 60.0  # longest a request waits for a page to be rendered
RELOAD_GRACE = 1.0  # longest the rest of a save waits for the shown pages to reload first


@dataclass
class SaveResult:
    build: int  # the id this state got (served only if ok)
    ok: bool
    seconds: float  # from the start of the work to the browsers' reload
    reason: str
    warnings: tuple[Diagnostic, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    serving: int = 0  # the build served after this one: itself if ok, else the last good one (0: none)
    full: bool = False  # every stage ran (first build, templates, settings)
    rendered: int = 0  # pages rendered before the reload
    pending: int = 0  # pages left to render after it
    paths: tuple[str, ...] = ()  # what the watcher reported


@dataclass
class _Entry:
    """One content file as it is on disk now."""

    kind: str  # brief, issue, page
    value: object  # the parsed Brief, Editorial or Page; None when it has errors
    diagnostics: list[Diagnostic]
    digest: str  # sha256 of the file's bytes


@dataclass
class _Disk:
    """Every content file as last read, and the keys two files may not share."""

    files: dict[str, _Entry] = field(default_factory=dict)
    slugs: dict[str, set[str]] = field(default_factory=dict)
    urls: dict[str, set[str]] = field(default_factory=dict)
    weeks: dict[object, set[str]] = field(default_factory=dict)  # editorials by week
    other: list[Diagnostic] = field(default_factory=list)  # from loading, not tied to a parsed file
    broken: set[str] = field(default_factory=set)  # files with errors of their own
    shared: set[tuple[int, object]] = field(default_factory=set)  # (index, key) held by more than one file
    briefs: int = 0  # files that parsed as briefs

    def keys(self, src_path: str, entry: _Entry) -> list[tuple[dict, object]]:
        from generator.validate import _normal_url

        v = entry.value
        if v is None:
            return []
        if entry.kind == "brief":
            return [(self.slugs, v.slug), (self.urls, _normal_url(v.source.url))]
        if entry.kind == "issue":
            return [(self.weeks, v.week)]
        return []

    def put(self, src_path: str, entry: _Entry | None) -> None:
        old = self.files.pop(src_path, None)
        if old is not None:
            self.broken.discard(src_path)
            self.briefs -= old.kind == "brief" and old.value is not None
            for index, key in self.keys(src_path, old):
                index[key].discard(src_path)
                if len(index[key]) < 2:
                    self.shared.discard((id(index), key))
                if not index[key]:
                    del index[key]
        if entry is not None:
            self.files[src_path] = entry
            if any(d.severity == "error" for d in entry.diagnostics):
                self.broken.add(src_path)
            self.briefs += entry.kind == "brief" and entry.value is not None
            for index, key in self.keys(src_path, entry):
                index.setdefault(key, set()).add(src_path)
                if len(index[key]) > 1:
                    self.shared.add((id(index), key))

    def problems(self) -> list[Diagnostic]:
        """Every error as a whole build would report it: each file's own, then clashes between files.
        Costs what the files with problems hold, not what the site holds."""
        from generator.validate import _clashes

        found = [d for p in self.broken for d in self.files[p].diagnostics if d.severity == "error"]
        found += [d for d in self.other if d.severity == "error"]
        indexes = {id(self.slugs): self.slugs, id(self.urls): self.urls, id(self.weeks): self.weeks}
        clashing = {p for i, key in self.shared if indexes[i] is not self.weeks for p in indexes[i][key]}
        if clashing:
            found += _clashes([self.files[p].value for p in sorted(clashing)])
        for i, week in self.shared:
            paths = self.weeks.get(week) if indexes[i] is self.weeks else None
            if paths and len(paths) > 1:
                first, *rest = sorted(paths)
                for p in rest:
                    found.append(Diagnostic(p, 0, 0, "error", "", f"two editorials for week {week.label}: {first} and {p}",
                                            f"merge them into one file named {week.label}.md"))
        if not self.briefs and not found:
            found.append(Diagnostic("content/briefs", 0, 0, "error", "", "no briefs found",
                                    "add a brief with `digest new brief \"Title\"` (briefs live in content/briefs/**/*.md)"))
        return sorted(found)

    def warnings(self) -> list[Diagnostic]:
        from generator.validate import _stale_drafts, _tag_warnings

        briefs = [e.value for e in self.files.values() if e.kind == "brief" and e.value is not None]
        found = {d.format(): d for e in self.files.values() for d in e.diagnostics if d.severity == "warning"}
        found.update({d.format(): d for d in self.other if d.severity == "warning"})
        found.update({d.format(): d for d in _tag_warnings(briefs) + _stale_drafts(briefs)})
        return sorted(found.values())


class Session:
    """See the module docstring. `state` is what the HTTP server reads; the worker thread runs `work`."""

    def __init__(self, root: Path, workdir: Path, state: ServeState, drafts: bool = True):
        self.root = root
        self.workdir = workdir
        self.state = state
        self.opts = BuildOptions(root=root, out=workdir / "site", drafts=drafts, base_url=None, search=False,
                                 cache_name="serve")
        self._cond = threading.Condition()
        self.builds = 0  # ids handed out (a failed attempt uses one too)
        # the model: changed by the worker only
        self.memory: Memory | None = None
        self.checked = self.site = self.inputs = self.renderer = None
        self.disk = _Disk()
        self.applied: dict[str, object] = {}  # src_path -> what the site holds for it
        self.full_needed = True  # the next change runs every stage (no model, or the last full build failed)
        self.unapplied: set[str] = set()  # content files read since the last good save
        # what is served: read by HTTP threads under _cond
        self.generation = 0  # the build id served
        self.plan = None
        self.plan_generation = 0  # the build id self.plan belongs to
        self.early: dict[str, bytes] = {}  # pages of `generation` rendered before its plan
        self.base: Path | None = None
        self.base_sigs: dict[str, str] = {}  # dest -> signature the base folder holds it with
        self.rendered: dict[str, tuple[str, bytes]] = {}  # dest -> (signature, bytes), over the base
        self.failed: dict[str, str] = {}  # dest -> signature that did not render (the old page stays)
        self.todo: deque[str] = deque()
        self.urgent: list[str] = []
        self.search_dir: Path | None = None  # where the search index is served from
        self._readers: dict[Path, int] = {}
        self._retired: list[Path] = []  # builds served before the base, oldest first: spares once nobody reads them
        self._stopping = False
        self._index_wanted = False  # a save is complete and not yet handed to the search indexer
        self.debouncer = None
        self.on_result = None
        self.after_publish = None  # called (in the worker) when a state is complete, e.g. to index it
        self.before_change = None  # a test hook, called with the batch before any work

    # -- serving (HTTP threads) ---------------------------------------------------------------
    def get(self, dest: str) -> bytes | None:
        """The bytes of `dest` in the state being served, rendering it first if it must be; None: not found."""
        deadline = time.monotonic() + WAIT_SECONDS
        with self._cond:
            while not self._stopping:
                found = self._find(dest)
                if found is not _WAIT:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 1.0))
            else:
                return None
            if not isinstance(found, Path):
                return found
            folder = self.search_dir if dest.startswith(SEARCH_PREFIXES) else self.base
            self._readers[folder] = self._readers.get(folder, 0) + 1
        try:
            return found.read_bytes() if found.is_file() else None
        except OSError:
            return None
        finally:
            with self._cond:
                self._readers[folder] -= 1
                self._cond.notify_all()

    def _find(self, dest: str):
        """Under _cond: bytes, a Path to read, None (not found) or _WAIT."""
        page = self.early.get(dest)
        if page is not None:
            return page
        if dest.startswith(SEARCH_PREFIXES):
            return self.search_dir / dest if self.search_dir is not None else None
        plan = self.plan
        if plan is None or self.base is None:
            return None
        f = plan.by_dest.get(dest)
        if self.plan_generation != self.generation:  # a save is being planned: only what it cannot change
            if f is not None and f.kind == "asset":
                return self._stored(dest, f)
            return _WAIT
        if f is None:
            return None if dest in self.base_sigs else self.base / dest
        stored = self._stored(dest, f)
        if stored is not None:
            return stored
        if self.failed.get(dest) == f.signature:  # it did not render: the last good copy, if any
            held = self.rendered.get(dest)
            return held[1] if held else (self.base / dest if dest in self.base_sigs else None)
        if dest not in self.urgent:
            self.urgent.append(dest)
            self._cond.notify_all()
        return _WAIT

    def _stored(self, dest: str, f):
        if self.base_sigs.get(dest) == f.signature:
            return self.base / dest
        held = self.rendered.get(dest)
        if held is not None and held[0] == f.signature:
            return held[1]
        return None

    def dest_for_url(self, path: str) -> str | None:
        """The output file a browser at URL `path` shows."""
        base = self.state.current().base_path
        if not path.startswith(base):
            return None
        rel = safe_relative(path[len(base):])
        if rel is None:
            return None
        if not rel:
            return "index.html"
        return rel + "/index.html" if path.endswith("/") else rel

    # -- the worker ---------------------------------------------------------------------------
    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def work(self, debouncer, stop: threading.Event, on_result) -> None:
        """The worker loop: saves when they are due, pages requests wait for, then the rest of a save's pages."""
        self.debouncer = debouncer
        self._warm_up()
        while not stop.is_set() and not self._stopping:
            job = self._next_job(stop)
            if job is None:
                continue
            kind, value = job
            if kind == "save":
                on_result(self.apply(value))
            elif kind == "index":
                self._index_wanted = False
                if self.after_publish is not None:
                    self.after_publish(self)
            else:
                self._render_one(value)

    def _warm_up(self) -> None:
        """Compile the templates of the common pages in this process (the first build may have
        rendered in worker processes), so the first save after starting is as quick as the next."""
        plan = self.plan
        if plan is None or self.renderer is None:
            return
        for kind in ("brief", "home", "tag", "issue"):
            f = next((f for f in plan.files if f.kind == kind), None)
            if f is not None:
                self._render(f)

    def _next_job(self, stop: threading.Event):
        with self._cond:
            while not stop.is_set() and not self._stopping:
                if self.urgent:
                    return "urgent", self.urgent.pop(0)
                due = self.debouncer.due_in() if self.debouncer is not None else None
                if due is not None and due <= 0:
                    batch = self.debouncer.take()
                    if batch:
                        return "save", batch
                    continue
                if self.todo and self.plan_generation == self.generation:
                    return "todo", self.todo.popleft()
                if self._index_wanted and due is None and not self.todo:
                    return "index", None
                self._cond.wait(min(due, 0.5) if due is not None else 0.5)
        return None

    # -- builds ---------------------------------------------------------------------------------
    def apply(self, batch: dict[str, ChangeKind]) -> SaveResult:
        from generator.serve.watch import describe

        reason = describe(batch)
        if self.before_change is not None:
            self.before_change(batch)
        if self.full_needed or any(kind is not ChangeKind.CONTENT for kind in batch.values()):
            result = self.full_build(reason)
        else:
            try:
                result = self._content_save(batch, reason)
            except Exception as exc:  # a bug or an OS error must not stop the preview: do it the long way
                self.full_needed = True
                result = self.full_build(f"{reason}; again in full after {type(exc).__name__}: {exc}")
        result.paths = tuple(sorted(batch))
        return result

    def full_build(self, reason: str, jobs: int = 1) -> SaveResult:
        """Every stage, into a folder nobody reads, then switched to. jobs > 1 only before any thread starts."""
        from generator import produce, stages

        started = time.perf_counter()
        self.builds += 1
        build_id = self.builds
        memory = Memory(cache_folder(self.root, "serve"))
        staging = self._take_spare() or self.workdir / f"build-{build_id}"
        try:
            checked = stages.load_and_validate(self.opts, memory)
            site = stages.assemble_site(checked, self.opts)
            inputs = stages.plan_inputs(self.opts, checked, site, memory)
            plan = stages.make_plan(site, inputs)
            renderer = stages.make_renderer(self.opts, site, inputs, memory)
            staging.mkdir(parents=True, exist_ok=True)
            held, _ = memory.take_tree(staging)
            previous = self.base if self.base is not None else self.workdir / "no-build"
            written = produce.update_tree(plan, renderer, staging, held, previous, memory, jobs=jobs,
                                          guard=lambda work: _guard_templates(self.root, work))
            memory.remember_tree(staging, written.records)
            memory.store_fragments(renderer.store.made, set(inputs.fingerprints.values()))
            memory.save_state()
        except ContentError as exc:
            memory.close()
            self._discard(staging)
            self.full_needed = True
            return self._failed(started, reason, list(exc.diagnostics), build_id)
        except Exception as exc:  # a bug or an OS error must not stop the preview
            memory.close()
            self._discard(staging)
            self.full_needed = True
            problem = Diagnostic("", 0, 0, "error", "", f"the build failed: {type(exc).__name__}: {exc}",
                                 "run `digest build` to see the whole error")
            return self._failed(started, reason, [problem], build_id)
        memory.close()  # the worker thread opens its own connection to the fragment cache when it needs one
        renderer.store.made = {}
        self.memory, self.checked, self.site, self.inputs, self.renderer = memory, checked, site, inputs, renderer
        self._load_disk(checked)
        self.full_needed = False
        old = self.base
        with self._cond:
            self.base = staging
            self.base_sigs = {dest: record[0] for dest, record in written.records.items()}
            self.rendered, self.failed, self.early = {}, {}, {}
            self.todo.clear()
            self.plan, self.generation, self.plan_generation = plan, build_id, build_id
            self._cond.notify_all()
        warnings = tuple(checked.diagnostics)
        self.state.publish_build(staging, build_id, warnings, site.config.base_path, pages=self, full=True)
        self._retire(old)
        self._index_wanted = True
        return SaveResult(build_id, True, time.perf_counter() - started, reason, warnings, warnings, build_id,
                          full=True, rendered=written.rendered)

    def _failed(self, started: float, reason: str, problems: list[Diagnostic], build_id: int = 0) -> SaveResult:
        self.state.publish_error(problems)
        return SaveResult(build_id, False, time.perf_counter() - started, reason, diagnostics=tuple(problems),
                          serving=self.state.current().build)

    def _load_disk(self, checked) -> None:
        """What the content files hold, from a whole load: the starting point for single-file saves."""
        from generator.validate import _stale_drafts, _tag_warnings

        content = checked.content
        disk = _Disk()
        by_path: dict[str, list[Diagnostic]] = {}
        briefs = content.briefs
        shared = {d.format() for d in _tag_warnings(briefs) + _stale_drafts(briefs)}
        for d in checked.diagnostics:
            if d.format() not in shared:
                by_path.setdefault(d.path, []).append(d)
        for b in briefs:
            disk.put(b.src_path, _Entry("brief", b, by_path.pop(b.src_path, []), content.source_files[b.src_path]))
        for e in content.editorials.values():
            disk.put(e.src_path, _Entry("issue", e, by_path.pop(e.src_path, []), content.source_files[e.src_path]))
        for p in content.pages:
            disk.put(p.src_path, _Entry("page", p, by_path.pop(p.src_path, []), content.source_files[p.src_path]))
        disk.other = [d for ds in by_path.values() for d in ds]
        self.disk = disk
        self.applied = {p: e.value for p, e in disk.files.items()}

    def _content_save(self, batch: dict[str, ChangeKind], reason: str) -> SaveResult:
        from generator.dates import today_in
        from generator.load import BRIEF, ISSUE
        from generator.validate import parse_brief, parse_editorial, parse_page

        started = time.perf_counter()
        cfg = self.site.config
        today = today_in(cfg.tz)
        paths: set[str] = set()
        for rel in batch:
            paths |= content_paths(self.root, rel, self.disk.files.keys())
        self.unapplied |= paths
        for src_path in sorted(paths):
            src, problems = read_source(self.root, src_path)
            if src is None:
                self.disk.put(src_path, _Entry("unreadable", None, problems, "") if problems else None)
                continue
            if src.kind == BRIEF:
                value, diags = parse_brief(src, cfg, today)
            elif src.kind == ISSUE:
                value, diags = parse_editorial(src)
            elif src.kind == "page":
                value, diags = parse_page(src)
            else:  # settings come through full_build; prompts are not built
                continue
            self.disk.put(src_path, _Entry(src.kind, value, problems + diags, src.digest))
        problems = self.disk.problems()
        if errors_in(problems):
            self.builds += 1
            return self._failed(started, reason, problems, self.builds)
        changed = [p for p in sorted(self.unapplied)
                   if self.applied.get(p) is not (self.disk.files[p].value if p in self.disk.files else None)]
        self.unapplied = set()
        if not changed:  # back to what is served (an undone mistake, a touch): clear any problem, no reload
            warnings = tuple(self.disk.warnings())
            self.state.publish_build(self.base, self.generation, warnings, self.site.config.base_path, pages=self)
            return SaveResult(self.generation, True, time.perf_counter() - started, reason, warnings, warnings,
                              self.generation)
        self.builds += 1
        build_id = self.builds
        self._update_model(changed)
        # the pages the browsers show, before anything else, when they can be rendered without the plan
        early, later = {}, []
        for url in self.state.watched():
            dest = self.dest_for_url(url)
            if dest is None:
                continue
            page = self._render_early(dest)
            if page is None:
                later.append(dest)
            else:
                early[dest] = page
        problems: list[Diagnostic] = []
        failed: dict[str, str] = {}
        warnings = self.state.current().diagnostics  # until the new ones are counted, after the reload
        if not later:
            polls = self.state.polls()
            self._publish(build_id, early, warnings)
            reloaded = time.perf_counter()
            if polls:  # keep the CPU (and Python's lock) for the reload until the shown pages have loaded
                self.state.wait_reloaded(polls, RELOAD_GRACE)
            plan = self._plan()
        else:
            plan = self._plan()
            with self._cond:
                self.plan_generation = -1  # nobody renders under the old plan meanwhile
            for dest in later:
                f = plan.by_dest.get(dest)
                if f is None:
                    continue
                data, trouble = self._render(f)
                if trouble:  # the page keeps its last good copy; the browser shows the problem
                    problems += trouble
                    failed[dest] = f.signature
                else:
                    early[dest] = data
            self._publish(build_id, early, warnings)
            reloaded = time.perf_counter()
        pending = self._use_plan(plan, build_id, failed)
        self._index_wanted = True
        if problems:
            self.state.publish_error(problems)
        else:
            fresh = tuple(self.disk.warnings())
            if fresh != warnings:
                self.state.publish_build(self.base, build_id, fresh, self.site.config.base_path, pages=self)
            warnings = fresh
        return SaveResult(build_id, not problems, reloaded - started, reason, warnings, tuple(problems) or warnings,
                          build_id, rendered=len(early), pending=pending)

    def _update_model(self, changed: list[str]) -> None:
        """The site, fingerprints and renderer views, for the files whose content changed."""
        from generator.model import Brief, Editorial
        from generator.stages import fingerprint, text_hash

        site, inputs, renderer = self.site, self.inputs, self.renderer
        content = self.checked.content
        drafts = self.opts.drafts
        removed, added = [], []
        pages_changed = False
        weeks = set()
        for p in changed:
            old = self.applied.get(p)
            entry = self.disk.files.get(p)
            new = entry.value if entry is not None else None
            for value, bucket in ((old, removed), (new, added)):
                if value is None:
                    continue
                if isinstance(value, Brief):
                    if drafts or not value.draft:
                        bucket.append(value)
                elif isinstance(value, Editorial):
                    weeks.add(value.week)
                else:
                    pages_changed = True
            if new is None:
                self.applied.pop(p, None)
                content.source_files.pop(p, None)
                inputs.text_hashes.pop(p, None)
            else:
                self.applied[p] = new
                content.source_files[p] = entry.digest
                if entry.kind != "brief":
                    inputs.text_hashes[p] = text_hash(entry.digest)
        for week in weeks:
            ed = next((v for v in self.applied.values() if isinstance(v, Editorial) and v.week == week), None)
            if ed is None:
                content.editorials.pop(week, None)
            else:
                content.editorials[week] = ed
            set_editorial(site, week, ed)
        if pages_changed:
            content.pages[:] = [v for v in self.applied.values() if not isinstance(v, (Brief, Editorial))]
            set_pages(site, content.pages)
        aliases = self.checked.source_aliases
        touched = apply_briefs(site, removed, added, content.editorials, aliases)
        key = self.checked.key
        for r in removed:
            if not any(a.slug == r.slug for a in added):
                inputs.fingerprints.pop(r.slug, None)
                renderer.views.pop(r.slug, None)
        for a in added:
            inputs.fingerprints[a.slug] = fingerprint(key, a.src_path, content.source_files[a.src_path])
            renderer.views[a.slug] = renderer.make_view(a)
        for week in touched.weeks | weeks:
            renderer._issue_views.pop(week, None)
        renderer._emails = (None, None)

    def _render_early(self, dest: str) -> bytes | None:
        """A brief page needs no plan: render it now. None for any other page (or a problem)."""
        from generator.plan import PlannedFile

        parts = dest.split("/")
        if len(parts) != 3 or parts[0] != "briefs" or parts[2] != "index.html" or parts[1] not in self.renderer.views:
            return None
        data, problems = self._render(PlannedFile(dest, "brief", (parts[1],), ""))
        return None if problems else data

    def _render(self, f) -> tuple[bytes | None, list[Diagnostic]]:
        """One page and its disclaimer check, on the worker thread."""
        try:
            data = _guard_templates(self.root, lambda: self.renderer.render(f))
        except ContentError as exc:
            return None, list(exc.diagnostics)
        return data, check_page(f.dest, data, self._expected(f))

    def _expected(self, f) -> int:
        if f.kind == "brief":
            return 1
        if f.kind == "issue":
            issue = self.site.issue_of.get(f.args[0])
            return len(issue.briefs) if issue else 0
        return 0

    def _plan(self):
        from generator import stages

        return stages.make_plan(self.site, self.inputs)

    def _publish(self, build_id: int, early: dict[str, bytes], warnings) -> None:
        with self._cond:
            self.generation = build_id
            self.early = early
            self._cond.notify_all()
        self.state.publish_build(self.base, build_id, warnings, self.site.config.base_path, pages=self)

    def _use_plan(self, plan, build_id: int, failed: dict[str, str] | None = None) -> int:
        """Serve by the new plan; queue every page whose signature it changed. Returns how many."""
        with self._cond:
            old = self.plan
            for dest, data in self.early.items():
                f = plan.by_dest.get(dest)
                if f is not None:
                    self.rendered[dest] = (f.signature, data)
            self.early = {}
            for dest in [d for d in self.rendered if d not in plan.by_dest]:
                del self.rendered[dest]
            first, rest = [], []
            for f in plan.files:
                if self.base_sigs.get(f.dest) == f.signature:
                    continue
                held = self.rendered.get(f.dest)
                if held is not None and held[0] == f.signature:
                    continue
                o = old.by_dest.get(f.dest) if old is not None else None
                (first if f.kind in ("home", "briefs", "brief") or o is None else rest).append(f.dest)
            self.todo = deque(d for d in first + rest if d not in (failed or {}))
            self.failed = dict(failed or {})
            self.plan, self.plan_generation = plan, build_id
            self._cond.notify_all()
            return len(self.todo)

    def _render_one(self, dest: str) -> None:
        with self._cond:
            plan = self.plan
            if plan is None or self.plan_generation != self.generation:
                return
            f = plan.by_dest.get(dest)
            if f is None or self._stored(dest, f) is not None:
                return
        data, problems = self._render(f)
        with self._cond:
            if self.plan is plan:
                if problems:
                    self.failed[dest] = f.signature
                else:
                    self.rendered[dest] = (f.signature, data)
            self._cond.notify_all()
        if problems:
            self.state.publish_error(problems)

    # -- folders ----------------------------------------------------------------------------------
    def _take_spare(self) -> Path | None:
        """A build served before, to update in place: only one no request reads (or can start reading:
        requests only open the base). Never one that is being read."""
        with self._cond:
            for folder in reversed(self._retired):
                if not self._readers.get(folder) and folder.is_dir():
                    self._retired.remove(folder)
                    return folder
            return None

    def _retire(self, old: Path | None) -> None:
        """The folder served before a switch waits as a spare; of older ones, those nobody reads go."""
        with self._cond:
            if old is not None:
                self._retired.append(old)
            spare = next((f for f in reversed(self._retired) if not self._readers.get(f)), None)
            gone = [f for f in self._retired if f is not spare and not self._readers.get(f)]
            self._retired = [f for f in self._retired if f not in gone]
        for folder in gone:
            shutil.rmtree(folder, ignore_errors=True)

    def _discard(self, folder: Path) -> None:
        """A build that failed half-way: nobody ever read it."""
        with self._cond:
            if folder == self.base or self._readers.get(folder):
                return
        shutil.rmtree(folder, ignore_errors=True)

    # -- search ------------------------------------------------------------------------------------
    def indexed_pages(self) -> tuple[int, list[tuple[tuple, str, bytes | Path]]]:
        """The pages the search index reads, as served now: (build, [(order, dest, bytes or base path)])."""
        from generator.stages import _index_order

        with self._cond:
            plan, base = self.plan, self.base
            if plan is None or self.plan_generation != self.generation or self.todo or self.urgent:
                return 0, []
            briefs = {b.slug: b for b in self.site.briefs}
            out = []
            for f in plan.indexed():
                held = self.rendered.get(f.dest)
                source = held[1] if held is not None and held[0] == f.signature else base / f.dest
                out.append((_index_order(briefs, f), f.dest, source))
            return self.generation, out

    def use_search(self, folder: Path) -> Path | None:
        """Serve the search index from `folder`; returns the folder it replaces (to remove once unread)."""
        with self._cond:
            old, self.search_dir = self.search_dir, folder
            return old

    def wait_unread(self, folder: Path, timeout: float = 30) -> None:
        with self._cond:
            self._cond.wait_for(lambda: not self._readers.get(folder), timeout=timeout)


_WAIT = object()
