"""The preview's search index, kept up to date in the background, never in the way of a reload.

The worker hands over the indexed pages (brief and issue pages) once a save
is complete and every changed page is rendered. After a quiet moment, the
indexer writes the pages rendered since the last complete build into a fresh
folder and runs the index job (generator.serve.index_job) there as its own
process, at low priority: it links in the other pages from the build folder
(thousands of links, kept off the server's threads) and indexes. The
job reuses every search shard of the previous index whose pages did not
change, so an edit re-indexes one shard. When it is done the server switches
to the new folder's index in one step; the old folder goes once no request
reads it. Stopping terminates only the job this indexer started (and the
Pagefind it runs, in the job's own process group).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from generator.serve.session import SaveResult, Session

RebuildResult = SaveResult  # the name the command and tests use for one save's outcome
QUIET_SECONDS = 2.0  # index once saves have paused this long
PAGES_FILE = ".pages.json"


class SearchIndexer:
    def __init__(self, session: Session, workdir: Path, on_error: Callable[[str], None] | None = None,
                 quiet: float = QUIET_SECONDS):
        self.session = session
        self.workdir = workdir
        self.on_error = on_error
        self.quiet = quiet
        self.runs = 0  # finished index runs
        self.indexed_build = 0  # the build the served index was made from
        self._wanted: tuple[int, list] | None = None
        self._asked = 0.0
        self._cond = threading.Condition()
        self._stop = False
        self._proc: subprocess.Popen | None = None
        self._serial = 0
        self._thread = threading.Thread(target=self._loop, name="digest-search-index", daemon=True)
        self._thread.start()

    def request(self, session: Session) -> None:
        """Called by the worker when a state is complete: take its pages (cheap) and index them later."""
        build, pages = session.indexed_pages()
        if not pages:
            return
        with self._cond:
            self._wanted = (build, pages)
            self._asked = time.monotonic()
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop; an index run in progress is cut short (the job this indexer started is terminated)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
            proc = self._proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # the job and the Pagefind it started: its own group
            except (ProcessLookupError, PermissionError):
                pass
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stop or self._wanted is not None)
                while not self._stop and time.monotonic() - self._asked < self.quiet:
                    self._cond.wait(self.quiet - (time.monotonic() - self._asked))
                if self._stop:
                    return
                (build, pages), self._wanted = self._wanted, None
            try:
                self._index(build, pages)
            except Exception as exc:  # search is a convenience in preview; report and go on
                if self.on_error is not None and not self._stop:
                    self.on_error(f"search index not updated: {exc}")
            finally:
                with self._cond:
                    self.runs += 1
                    self._cond.notify_all()

    def wait_runs(self, n: int, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.runs >= n, timeout)

    def _index(self, build: int, pages: list) -> None:
        self._serial += 1
        folder = self.workdir / f"search-{self._serial}"
        shutil.rmtree(folder, ignore_errors=True)
        previous = self.session.search_dir
        listed = []
        folder.mkdir(parents=True)
        for order, dest, source in pages:  # pages rendered since the build are written; the job links the rest
            if isinstance(source, bytes):
                target = folder / dest
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source)
                listed.append([list(order), dest, None])
            else:
                listed.append([list(order), dest, str(source)])
        (folder / PAGES_FILE).write_text(json.dumps(listed), encoding="utf-8")
        cmd = [sys.executable, "-m", "generator.serve.index_job", str(folder), str(previous or "-")]
        with self._cond:
            if self._stop:
                shutil.rmtree(folder, ignore_errors=True)
                return
            self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                          start_new_session=True, env=_job_env())
        try:
            _, err = self._proc.communicate()
            code = self._proc.returncode
        finally:
            with self._cond:
                self._proc = None
        if code != 0:
            shutil.rmtree(folder, ignore_errors=True)
            if self._stop:
                return
            raise RuntimeError(err.decode(errors="replace").strip().splitlines()[-1] if err.strip() else f"exit {code}")
        old = self.session.use_search(folder)
        self.indexed_build = build
        if old is not None:
            self.session.wait_unread(old)
            shutil.rmtree(old, ignore_errors=True)


def _job_env() -> dict:
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env
