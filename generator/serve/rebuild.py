"""The rebuild loop: every build goes into a fresh folder, then the server switches to it.

Builds land in <workdir>/build-<n>. Only a finished build is published (one
pointer swap in ServeState), so a browser never sees a half-written site; a
failed build publishes its diagnostics and the last good build stays. Saves
that land during a build wait in the debouncer and start the next build as
soon as this one finishes (coalesced into one). The build itself is one
function taking BuildOptions, so a faster (incremental) builder drops in.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.build import BuildOptions, BuildReport, build_site
from generator.config import load_config
from generator.diagnostics import ContentError, Diagnostic
from generator.serve.status import ServeState
from generator.serve.watch import Debouncer, describe

BuildFn = Callable[[BuildOptions], BuildReport]


@dataclass(frozen=True)
class RebuildResult:
    build: int  # the id this build got (served only if ok)
    ok: bool
    seconds: float
    reason: str  # "brief changed: content/briefs/x.md", or "first build"
    report: BuildReport | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    serving: int = 0  # the build served after this one: itself if ok, else the last good one (0: none)


@dataclass
class Rebuilder:
    root: Path
    workdir: Path  # the temporary folder this preview owns; removed when it stops
    state: ServeState
    drafts: bool = True
    build_fn: BuildFn = build_site
    after_publish: Callable[[Path], None] | None = None  # e.g. start the search indexer
    builds_started: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _protected: set = field(default_factory=set)

    def build_once(self, reason: str) -> RebuildResult:
        """Build into a new folder; publish it, or publish the problems and keep the last good build."""
        with self._lock:
            self.builds_started += 1
            build_id = self.builds_started
            out = self.workdir / f"build-{build_id}"
            started = time.perf_counter()
            try:
                # One cache for every preview build, and unchanged pages linked from the build being served.
                report = self.build_fn(BuildOptions(root=self.root, out=out, drafts=self.drafts, base_url=None,
                                                    search=False, cache_name="serve",
                                                    previous=self.state.current().folder,
                                                    spare=self._spare()))
            except ContentError as exc:
                self.state.publish_error(exc.diagnostics)
                shutil.rmtree(out, ignore_errors=True)
                return RebuildResult(build_id, False, time.perf_counter() - started, reason,
                                     diagnostics=tuple(exc.diagnostics), serving=self.state.current().build)
            except Exception as exc:  # a bug or an OS error must not stop the preview
                problem = Diagnostic("", 0, 0, "error", "", f"the build failed: {type(exc).__name__}: {exc}",
                                     "run `digest build` to see the whole error")
                self.state.publish_error([problem])
                shutil.rmtree(out, ignore_errors=True)
                return RebuildResult(build_id, False, time.perf_counter() - started, reason, diagnostics=(problem,),
                                     serving=self.state.current().build)
            seconds = time.perf_counter() - started
            self.state.publish_build(out, build_id, tuple(report.warnings), self._base_path())
            self._prune(keep={out})
            if self.after_publish is not None:
                self.after_publish(out)
            return RebuildResult(build_id, True, seconds, reason, report, tuple(report.warnings), build_id)

    def _spare(self) -> Path | None:
        """The oldest build nobody needs any more, to be updated in place rather than made anew
        (creating thousands of folders is the slowest part of writing a big site)."""
        current = self.state.current().folder
        builds = sorted((p for p in self.workdir.glob("build-*") if p.is_dir()),
                        key=lambda p: int(p.name.split("-")[1]) if p.name.split("-")[1].isdigit() else 0)
        for old in builds:
            if old != current and old not in self._protected:
                return old
        return None

    def _base_path(self) -> str:
        config, _ = load_config(self.root)
        return config.base_path if config is not None else "/"

    def protect(self, folder: Path | None) -> None:
        """Keep `folder` from being pruned (while the indexer works in it); None clears."""
        self._protected = {folder} if folder else set()

    def _prune(self, keep: set[Path]) -> None:
        """Remove all but the newest two builds: a request may still be reading the previous one."""
        builds = sorted((p for p in self.workdir.glob("build-*") if p.is_dir()),
                        key=lambda p: int(p.name.split("-")[1]) if p.name.split("-")[1].isdigit() else 0)
        for old in builds[:-2]:
            if old not in keep and old not in self._protected:
                shutil.rmtree(old, ignore_errors=True)

    def run(self, debouncer: Debouncer, stop: threading.Event, on_result: Callable[[RebuildResult], None]) -> None:
        """The loop: wait for a quiet moment after changes, rebuild, report; until `stop` is set."""
        while not stop.is_set():
            batch = debouncer.wait(stop)
            if batch:
                on_result(self.build_once(describe(batch)))


class SearchIndexer:
    """Indexes the newest published build for search, in the background, one run at a time.

    The served folder is never indexed in place: the previous index is linked
    in first (search keeps working, slightly stale), the pages to index are
    linked into a scratch folder, Pagefind runs there, and the fresh index
    replaces the old one with two renames.
    """

    PAGES = ("briefs/*/index.html", "issues/*/index.html")  # what the indexer reads

    def __init__(self, index_fn: Callable[[Path], object], state: ServeState, rebuilder: Rebuilder,
                 on_error: Callable[[str], None] | None = None, bundle: str = "pagefind"):
        self.index_fn = index_fn
        self.state = state
        self.rebuilder = rebuilder
        self.on_error = on_error
        self.bundle = bundle
        self.runs = 0  # finished index runs
        self._wanted: Path | None = None
        self._last_indexed: Path | None = None
        self._cond = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="digest-search-index", daemon=True)
        self._thread.start()

    def request(self, folder: Path) -> None:
        with self._cond:
            self._wanted = folder
            self._cond.notify()

    def stop(self) -> None:
        """Stop; an index run in progress is cut short (its Pagefind process is terminated)."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=1)
        if self._thread.is_alive():
            _terminate_children()
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        _lower_priority()  # Pagefind inherits it: indexing never slows the next rebuild
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._wanted is not None)
                if self._stop:
                    return
                folder, self._wanted = self._wanted, None
            if self.state.current().folder != folder:
                continue  # a newer build is already out; index that one instead
            self.rebuilder.protect(folder)
            try:
                self._index(folder)
                self._last_indexed = folder
            except Exception as exc:  # search is a convenience in preview; report and go on
                if self.on_error is not None and folder.is_dir() and not self._stop:
                    self.on_error(f"search index not updated: {exc}")
            finally:
                self.rebuilder.protect(None)
                with self._cond:
                    self.runs += 1
                    self._cond.notify_all()

    def _index(self, folder: Path) -> None:
        prev = self._last_indexed
        live = folder / self.bundle
        if prev is not None and (prev / self.bundle).is_dir() and not live.exists():
            _link_tree(prev / self.bundle, live)  # stale but working until the fresh one lands
        scratch = folder.parent / f".index-{folder.name}"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            for pattern in self.PAGES:
                for page in folder.glob(pattern):
                    rel = page.relative_to(folder)
                    (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                    _link_or_copy(str(page), str(scratch / rel))
            scratch.mkdir(exist_ok=True)
            self.index_fn(scratch)
            old = folder / f".{self.bundle}-old"
            if live.exists():
                os.replace(live, old)
            os.replace(scratch / self.bundle, live)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _terminate_children() -> None:
    """SIGTERM the processes this process started (the indexer's Pagefind). Linux only; elsewhere a no-op."""
    import signal

    me = os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == me:
                os.kill(int(stat.parent.name), signal.SIGTERM)
        except (OSError, ValueError, IndexError):
            continue


def _lower_priority() -> None:
    """Make this thread (and the processes it starts) yield the CPU to rebuilds. Linux sets niceness per thread."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _link_tree(src: Path, dst: Path) -> None:
    try:
        shutil.copytree(src, dst, copy_function=_link_or_copy)
    except (OSError, shutil.Error):
        shutil.rmtree(dst, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
