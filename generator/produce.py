"""Produce: bring a staging folder to the plan, touching only files whose signature differs.

For each planned file (see generator.plan and generator.incremental):

- the staging folder already holds it (same signature in its records): nothing to do;
- the published folder holds it: hard-link it from there;
- otherwise: render it, check it (the disclaimer rule), write it.

Files the staging folder holds and the plan does not are removed. When the
staging folder's records are unknown (one a killed build or a clean build
left), it is set aside for deletion in the background and replaced by an
empty folder: every file would be written anew anyway.

Rendering runs in worker processes when there is enough of it. The files
are cut into short runs of neighbours before forking, and each worker takes
the next run when it is done with its last (parallel.TaskQueue), so a worker
that meets cheaper files does more of them and both finish together. Brief
pages go first (they make each brief's fragments, which the listings then
reuse), then everything else, in order of period so that a run's listings
share their briefs' fragments. Afterwards every planned file must have been
written exactly once, or the build fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.check_output import check_page
from generator.diagnostics import ContentError
from generator.parallel import Counts, TaskQueue, chunks, default_jobs, run_in_workers
from generator.plan import KINDS, Plan, by_period, expected_lists

PARALLEL_FROM = 300  # files to render; below this a second process costs more than it saves


@dataclass
class Written:
    records: dict[str, tuple[str, str]] = field(default_factory=dict)  # dest -> (signature, sha256)
    rendered: int = 0
    linked: int = 0
    pages: int = 0
    search_files: dict = field(default_factory=dict)  # the search index's files: path -> sha256

    @property
    def total(self) -> int:
        return len(self.records)


def update_tree(plan: Plan, renderer, staging: Path, held: dict | None, previous: Path, memory, *, jobs: int = 0,
                guard, progress=None, alongside=()) -> Written:
    """Bring `staging`, which holds `held` ({dest: (signature, sha256)}; None when unknown), to `plan`.
    `progress` (as in BuildOptions) hears of "linking unchanged pages" and "rendering pages", N of M.
    `alongside`: work this process may do while workers render, one callable per batch of pages
    (brief pages, then the rest), called only for a batch that runs in workers: rendered here,
    there is nothing to overlap it with, and the caller does what is left afterwards."""
    published = memory.records(previous) if previous.is_dir() else None
    published = published or {}
    render, link = [], []
    for f in plan.files:
        if held is not None and held.get(f.dest, ("",))[0] == f.signature:
            continue
        if published.get(f.dest, ("",))[0] == f.signature:
            link.append(f.dest)
        else:
            render.append(f)
    planned = plan.by_dest
    if held is None and os.listdir(staging):
        # Unknown content (a clean build, a killed build's folder): every file will be written
        # or linked anew, so pruning it and unlinking each file first would be pure cost.
        # It is set aside and deleted by another process while this one renders.
        renew(staging)
    fresh = held is None  # a new folder: nothing to prune, no file to replace
    made_dirs: set[str] = set()  # folders known to exist in staging
    if fresh and link:
        folders = plan.folders()
        make_folders(staging, folders)  # linked files need theirs before anything renders
        made_dirs.update(folders)
    elif not fresh:
        for dest in held.keys() - planned.keys():
            remove(staging / dest)
    written = Written()
    records = written.records
    if not fresh:
        records.update({d: held[d] for d in held if d in planned})
    for number, dest in enumerate(link, start=1):
        if progress is not None:
            progress("linking unchanged pages", number, len(link))
        _ensure_parent(staging, dest, made_dirs)
        target = staging / dest
        remove(target)
        try:
            os.link(previous / dest, target)
        except OSError:
            shutil.copy2(previous / dest, target)
        records[dest] = published[dest]
    if not fresh:  # in a new folder, the workers make the folders they write into (see _render_slice)
        for f in render:
            _ensure_parent(staging, f.dest, made_dirs)
    results = guard(lambda: _render_all(render, renderer, staging, jobs, progress, fresh, made_dirs, alongside,
                                        guard=guard))
    problems = [p for r in results for p in r["problems"]]
    if problems:
        raise ContentError(problems)
    done = [d for r in results for d in r["records"]]
    if len(done) != len(render) or {d for d, _ in done} != {f.dest for f in render}:
        missing = {f.dest for f in render} - {d for d, _ in done}
        raise RuntimeError(f"the build wrote {len(done)} files for {len(render)} planned"
                           f"{'; missing: ' + ', '.join(sorted(missing)[:5]) if missing else ' (some twice)'}")
    for dest, sha in done:
        records[dest] = (planned[dest].signature, sha)
    for r in results:
        renderer.store.made.update(r["made"])
    written.rendered, written.linked = len(render), len(link)
    written.pages = sum(1 for f in plan.files if KINDS[f.kind].in_sitemap or f.kind == "404")
    return written


def _render_all(render: list, renderer, staging: Path, jobs: int, progress=None, fresh: bool = False,
                made_dirs: frozenset | set = frozenset(), alongside=(), *, guard) -> list[dict]:
    """Brief pages first (making fragments), then the rest; in workers when there is enough to do.
    This process does the `alongside` work meanwhile, one per batch; while the brief pages'
    workers run, it also loads the templates the rest will need (Renderer.prepare: compiled
    already by the build's helper, or compiled here), for the next workers to inherit.
    `guard` (update_tree's) runs in each worker too: an error in a template is turned into its
    file:line diagnostic there, where its traceback is, not after crossing to this process.

    Progress: a single process reports each page itself; forked workers only
    count their pages in a shared array, which the parent reads while it waits.
    """
    jobs = jobs or default_jobs()
    if len(render) < PARALLEL_FROM:
        jobs = 1
    expected = expected_lists(renderer.site)
    briefs = [f for f in render if f.kind == "brief"]
    others = by_period([f for f in render if f.kind != "brief"], renderer.site)
    results = []
    base = 0  # pages of earlier batches, for progress
    alongside = list(alongside)
    batches = (briefs, others)
    workers = [jobs if len(batch) >= PARALLEL_FROM else 1 for batch in batches]
    for number, (batch, n) in enumerate(zip(batches, workers)):
        if not batch:
            continue
        meanwhile = alongside[number] if number < len(alongside) and n > 1 else None
        if batch is briefs and n > 1 and workers[1] > 1:  # the listings' workers are forked from here next
            meanwhile = _then(meanwhile, lambda: renderer.prepare(sorted({KINDS[f.kind].template for f in others
                                                                           if KINDS[f.kind].template})))
        runs = chunks(batch, n)
        counts = Counts(n) if progress is not None else None  # pages done by each worker, for progress
        tick = lambda job, forked: _ticker(progress, counts, job, forked, base, len(render))  # noqa: E731
        with TaskQueue(len(runs)) as queue:  # each worker takes the next run of files when it is ready for more
            files = (f for task in queue for f in runs[task])
            part = run_in_workers(lambda job, count: guard(
                                      lambda: _render_slice(files, renderer, staging, expected, count > 1,
                                                            tick(job, count > 1), fresh, made_dirs)),
                                  n, while_waiting=counts and (lambda: progress("rendering pages",
                                                                                 base + counts.total(), len(render))),
                                  meanwhile=meanwhile)
        base += len(batch)
        if progress is not None:
            counts.close()
            progress("rendering pages", base, len(render))
        for r in part:  # the fragments one worker made, for the next batch's listings
            renderer.store.add(r["made"])
        results += part
    return results


def _then(first, second):
    """One call doing `first` (when there is one), then `second`."""
    if first is None:
        return second
    return lambda: (first(), second())


def _ticker(progress, counts, job: int, forked: bool, base: int, total: int):
    """What a slice calls with its pages done: the callback itself, or (in a forked worker) its shared count."""
    if progress is None:
        return None
    if forked:
        return counts.setter(job)
    return lambda done: progress("rendering pages", base + done, total)


def _render_slice(files, renderer, staging: Path, expected: dict, forked: bool, tick=None,
                  fresh: bool = False, made_dirs: frozenset | set = frozenset()) -> dict:
    """Render, check and write `files`; `fresh`: the folder held none of them (a new folder).
    A file's folder not in `made_dirs` (known to exist) is made first: in a new folder, where
    most pages are the first in theirs, that is one mkdir, not a failed create, a stat and a retry."""
    store = renderer.store
    if forked:
        store.lookup = _reopened(store.lookup)
        store.made = {}
    before = set(store.made)
    made = set(made_dirs)
    problems, done = [], []
    for f in files:
        data = renderer.render(f)
        problems += check_page(f.dest, data, expected.get(f.dest, 0))
        target = os.path.join(staging, f.dest)
        if not fresh:
            try:
                os.unlink(target)  # never write into a file: it may be a hard link shared with the live site
            except FileNotFoundError:
                pass
        folder = f.dest.rpartition("/")[0]
        if folder and folder not in made:
            make_folder(os.path.join(staging, folder))
            made.add(folder)
        write_new(target, data)
        done.append((f.dest, hashlib.sha256(data).hexdigest()))
        if tick is not None:
            tick(len(done))
    made = {fp: frag for fp, frag in store.made.items() if fp not in before} if forked else {}
    return {"records": done, "problems": problems, "made": made}


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_new(path: str, data: bytes) -> None:
    """A new file holding `data` (an existing one is an error: it may be a hard link to the
    live site). Three system calls, where open() adds a stat, a tty check and a seek."""
    fd = os.open(path, _NEW_FILE, 0o666)  # the umask applies, as with open()
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def make_folder(path: str) -> None:
    """`path` as a folder, whoever makes it first (another worker may), with its parents if need be."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def _reopened(lookup):
    """A forked worker's own connection to the fragment cache, never the parent's."""
    memory = getattr(lookup, "__self__", None)
    if memory is not None and hasattr(memory, "forget_connection"):
        memory.forget_connection()
    return lookup


def make_folders(staging: Path, folders: list[str]) -> None:
    """Every folder the output needs, in one pass, parents first."""
    base = str(staging)
    for rel in folders:
        path = os.path.join(base, rel)
        try:
            os.mkdir(path)
        except FileExistsError:
            if not os.path.isdir(path) or os.path.islink(path):
                remove(Path(path))
                os.mkdir(path)


def _ensure_parent(staging: Path, dest: str, made: set[str]) -> None:
    parent = dest.rpartition("/")[0]
    if parent and parent not in made:
        path = staging / parent
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
        while parent:
            made.add(parent)
            parent = parent.rpartition("/")[0]


def remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        shutil.rmtree(path, ignore_errors=True)


def renew(folder: Path) -> None:
    """Replace `folder` with an empty one of the same mode; the old one is deleted in the background."""
    from generator.write import remove_later

    mode = os.stat(folder).st_mode & 0o7777
    remove_later(folder)
    os.mkdir(folder)
    os.chmod(folder, mode)
