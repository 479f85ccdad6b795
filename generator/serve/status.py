"""What the preview serves right now: the build folder, its id, and the last rebuild's problems.

One ServeState is shared by the rebuild loop (which publishes) and the HTTP
server (which reads it and lets browsers wait for the next change).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from generator.diagnostics import Diagnostic


@dataclass(frozen=True)
class Snapshot:
    version: int = 0  # goes up by one on every change below
    build: int = 0  # id of the build being served; 0 before the first good build
    full: int = 0  # id of the last build that ran every stage (templates, settings or assets may have changed)
    folder: Path | None = None  # the finished build folder being served
    diagnostics: tuple[Diagnostic, ...] = ()  # not empty: the last rebuild failed
    base_path: str = "/"  # the path prefix of base_url, where the site is served
    pages: object = None  # what answers for a page (generator.serve.session.Session); None: the folder alone

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    def to_json(self) -> dict:
        """What /__digest__/status and /__digest__/events answer; the overlay is drawn from it."""
        return {
            "version": self.version,
            "build": self.build,
            "full": self.full,
            "ok": self.ok,
            "problems": [
                {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity,
                 "location": d.location, "text": d.text, "source_line": d.source_line.rstrip("\r\n"),
                 "formatted": d.format()}
                for d in self.diagnostics
            ],
        }


class ServeState:
    WATCHED_SECONDS = 60.0  # a page whose browser asked for news this recently still counts as shown

    def __init__(self, base_path: str = "/") -> None:
        self._cond = threading.Condition()
        self._snap = Snapshot(base_path=base_path)
        self._shown: dict[str, list] = {}  # URL path -> [browsers waiting now, when one last asked]

    def current(self) -> Snapshot:
        with self._cond:
            return self._snap

    def publish_build(self, folder: Path, build: int, warnings: tuple[Diagnostic, ...] = (), base_path: str = "/",
                      pages: object = None, full: bool = False) -> Snapshot:
        """Switch to a finished build; clears any error. `full`: it ran every stage, so a page showing
        an older build reloads in full rather than having its body patched (its stylesheets may differ)."""
        return self._publish(folder=folder, build=build, diagnostics=tuple(warnings), base_path=base_path, pages=pages,
                             **({"full": build} if full else {}))

    def publish_error(self, diagnostics: list[Diagnostic]) -> Snapshot:
        """A rebuild failed: keep serving the last good build, remember why."""
        return self._publish(diagnostics=tuple(diagnostics))

    def _publish(self, **changes) -> Snapshot:
        with self._cond:
            self._snap = replace(self._snap, version=self._snap.version + 1, **changes)
            self._cond.notify_all()
            return self._snap

    def wait_change(self, since: int, timeout: float, shown: str | None = None) -> Snapshot:
        """The snapshot once its version differs from `since`, or the current one after `timeout`.
        `shown`: the URL path of the page the waiting browser shows (rendered first after a save)."""
        with self._cond:
            entry = self._shown.setdefault(shown, [0, 0.0, 0]) if shown else None
            if entry is not None:
                entry[0] += 1
                entry[2] += 1  # polls started from this page: a reloaded page starts a new one
                self._cond.notify_all()
            try:
                self._cond.wait_for(lambda: self._snap.version != since, timeout)
                return self._snap
            finally:
                if entry is not None:
                    entry[0] -= 1
                    entry[1] = time.monotonic()

    def watched(self) -> list[str]:
        """URL paths of the pages browsers show now: waiting for news, or asked within WATCHED_SECONDS."""
        now = time.monotonic()
        with self._cond:
            for path in [p for p, (n, t, _) in self._shown.items() if not n and now - t > self.WATCHED_SECONDS]:
                del self._shown[path]
            return sorted(self._shown)

    def wake_all(self) -> None:
        """Release every waiting browser request (on shutdown)."""
        with self._cond:
            self._snap = replace(self._snap, version=self._snap.version + 1)
            self._cond.notify_all()

    def polls(self) -> dict[str, int]:
        """How many polls each shown page has started so far."""
        with self._cond:
            return {p: e[2] for p, e in self._shown.items()}

    def wait_reloaded(self, before: dict[str, int], timeout: float) -> bool:
        """Wait until every page of `before` has started a new poll (its reloaded copy has loaded)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: all(self._shown.get(p, (0, 0.0, 0))[2] > n for p, n in before.items()), timeout)
