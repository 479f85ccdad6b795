"""The preview's session with its real worker thread and the real watcher, in-process, for tests."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from generator.serve.session import Session
from generator.serve.status import ServeState
from generator.serve.watch import Debouncer, start_watching
from generator.templates import layout_dirs


def wait_for(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class Live:
    """A session with its real worker thread and the real watcher, as digest serve runs them."""

    def __init__(self, root: Path, workdir: Path, drafts: bool = True, before_change=None):
        workdir.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.state = ServeState()
        self.session = Session(root, workdir, self.state, drafts=drafts)
        self.session.before_change = before_change
        self.results = []
        first = self.session.full_build("first build")
        assert first.ok, [d.format() for d in first.diagnostics]
        (root / "content/prompts").mkdir(exist_ok=True)  # where sync() leaves its markers
        self.debouncer = Debouncer(delay=0.05, on_add=self.session.wake)
        self.stop = threading.Event()
        self.observer = start_watching(root, layout_dirs(root), self.debouncer)
        self.thread = threading.Thread(target=self.session.work, args=(self.debouncer, self.stop, self.results.append),
                                       daemon=True)
        self.thread.start()
        self.sentinels = 0

    def sync(self, timeout=60.0):
        """Wait until every change made so far is handled: a marker file the build ignores (a prompt) is
        saved last, and the watcher reports changes in order, so once its save is done, so is every other."""
        self.sentinels += 1
        name = f"content/prompts/marker-{self.sentinels}.md"
        (self.root / name).write_text("marker\n")
        assert wait_for(lambda: any(name in r.paths for r in self.results), timeout), self.results
        assert wait_for(self.idle, timeout)
        return self.saves()

    def saves(self):
        """Every save handled so far, the marker files' own left out."""
        return [r for r in self.results if not all(p.startswith("content/prompts") for p in r.paths)]

    def idle(self) -> bool:
        s = self.session
        with s._cond:
            return not s.todo and not s.urgent and s.plan_generation == s.generation

    def page(self, dest):
        data = self.session.get(dest)
        return data.decode() if data is not None else None

    def close(self):
        self.stop.set()
        self.session.stop()
        self.observer.stop()
        self.observer.join(5)
        self.thread.join(10)
