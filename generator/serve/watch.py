"""Watch: which saved paths matter, and bursts of saves folded into one rebuild.

Editors save in odd ways: write a temp file and rename it over, keep swap and
backup files (.swp, ~, .#x), touch a probe file (vim's "4913"). classify_change
sorts every path into content, layout, config or ignored; the Debouncer waits
for a quiet moment so a burst of events becomes one rebuild.
"""

from __future__ import annotations

import enum
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from generator.load import is_ignored


class ChangeKind(enum.Enum):
    CONTENT = "content"
    LAYOUT = "layout"
    CONFIG = "config"
    IGNORED = "ignored"


CONFIG_FILES = {"content/site.yaml", "content/sources.yaml"}
# Temporary names editors and tools use besides the ones generator.load ignores.
EDITOR_PROBES = {"4913", ".DS_Store", "Thumbs.db"}
TEMP_SUFFIXES = ("___jb_tmp___", "___jb_old___", ".crswap", ".kate-swp", ".part")
SED_TEMP = re.compile(r"^sed[A-Za-z0-9]{6}$")  # sed -i writes one of these, then renames it over


def classify_change(rel_path: str) -> ChangeKind:
    """Kind of a changed path, given relative to the site root in POSIX form ("content/briefs/x.md")."""
    parts = PurePosixPath(rel_path).parts
    if not parts or any(_ignored_name(p) for p in parts):
        return ChangeKind.IGNORED
    if rel_path in CONFIG_FILES:
        return ChangeKind.CONFIG
    if parts[0] == "content" and len(parts) > 1:
        return ChangeKind.CONTENT
    if parts[0] == "layouts":  # the folder itself too: made or removed, it changes every template
        return ChangeKind.LAYOUT
    return ChangeKind.IGNORED


def _ignored_name(name: str) -> bool:
    return is_ignored(name) or name in EDITOR_PROBES or name.endswith(TEMP_SUFFIXES) or name == "__pycache__" or bool(SED_TEMP.match(name))


def describe(changes: dict[str, ChangeKind]) -> str:
    """"brief changed: content/briefs/x.md", or "3 files changed: a, b, +1 more"."""
    if not changes:
        return "nothing changed"
    paths = sorted(changes)
    if len(paths) == 1:
        return f"{_noun(paths[0], changes[paths[0]])} changed: {paths[0]}"
    shown = ", ".join(paths[:2]) + (f", +{len(paths) - 2} more" if len(paths) > 2 else "")
    return f"{len(paths)} files changed: {shown}"


def _noun(path: str, kind: ChangeKind) -> str:
    if kind is ChangeKind.CONFIG:
        return "settings"
    if kind is ChangeKind.LAYOUT:
        return "layout"
    for folder, noun in (("content/briefs/", "brief"), ("content/issues/", "editorial"), ("content/pages/", "page")):
        if path.startswith(folder):
            return noun
    return "content"


@dataclass
class Debouncer:
    """Collects changes; `take()` hands them over once `delay` seconds passed with no new change.

    A file written in place (modified, not yet closed) holds the batch back until
    it is closed, for at most `write_wait` seconds, so a half-written file is not
    read; a rename over the file is complete at once. The clock is injectable so
    tests can step time by hand.
    """

    delay: float = 0.1
    clock: Callable[[], float] = time.monotonic
    on_add: Callable[[], None] | None = None  # called after each change is noted (wakes the preview's worker)
    write_wait: float = 1.0
    _pending: dict[str, ChangeKind] = field(default_factory=dict)
    _writing: set = field(default_factory=set)  # paths modified and not closed since
    _last: float = 0.0
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, rel_path: str, kind: ChangeKind, writing: bool = False) -> None:
        if kind is ChangeKind.IGNORED:
            return
        with self._cond:
            self._pending[rel_path] = kind
            if writing:
                self._writing.add(rel_path)
            else:
                self._writing.discard(rel_path)
            self._last = self.clock()
            self._cond.notify_all()
        if self.on_add is not None:
            self.on_add()

    def _left(self) -> float:
        """Under the lock: seconds until the pending batch is due."""
        quiet = self.clock() - self._last
        return (self.write_wait if self._writing else self.delay) - quiet

    def ready(self) -> bool:
        with self._cond:
            return bool(self._pending) and self._left() <= 0

    def due_in(self) -> float | None:
        """Seconds until the pending batch is due (0 or less: now); None when nothing is pending."""
        with self._cond:
            if not self._pending:
                return None
            return self._left()

    def take(self) -> dict[str, ChangeKind] | None:
        """The pending batch if it is due, else None."""
        with self._cond:
            if not self._pending or self._left() > 0:
                return None
            batch, self._pending = self._pending, {}
            self._writing = set()
            return batch

    def wait(self, stop: threading.Event, poll: float = 0.5) -> dict[str, ChangeKind] | None:
        """Block until a batch is due (or `stop` is set: None). Uses the real passage of time."""
        with self._cond:
            while not stop.is_set():
                if self._pending:
                    left = self._left()
                    if left <= 0:
                        batch, self._pending = self._pending, {}
                        self._writing = set()
                        return batch
                    self._cond.wait(min(left, poll))
                else:
                    self._cond.wait(poll)
        return None


class _Handler:
    """watchdog event handler: maps absolute paths to site-relative ones and feeds the debouncer."""

    def __init__(self, root: Path, debouncer: Debouncer, aliases: dict[Path, str]):
        self.root = root
        self.debouncer = debouncer
        self.aliases = aliases  # watched folder -> the name it stands for ("layouts")
        self.closes_seen = False

    def dispatch(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed; that file has its own event
        if event.event_type == "closed":
            self.closes_seen = True
        # a file being written is held back until "closed", where the platform reports closing (Linux)
        writing = self.closes_seen and not event.is_directory and event.event_type in ("modified", "created")
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                rel = self.relative(Path(raw.decode() if isinstance(raw, bytes) else raw))
                if rel is not None:
                    self.debouncer.add(rel, classify_change(rel), writing and raw == event.src_path)

    def relative(self, path: Path) -> str | None:
        for folder, alias in self.aliases.items():
            if path == folder or folder in path.parents:
                rest = path.relative_to(folder).as_posix()
                return alias if rest == "." else f"{alias}/{rest}"
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None


def start_watching(root: Path, layout_folders: list[Path], debouncer: Debouncer):
    """Watch content/ and every layouts folder recursively, and the root itself (new content/ or layouts/).

    Returns the running watchdog observer; call .stop() and .join() when done.
    """
    from watchdog.observers import Observer

    root = root.resolve()
    aliases = {p.resolve(): "layouts" for p in layout_folders if p.is_dir()}
    handler = _Handler(root, debouncer, aliases)
    observer = Observer()
    watched: set[Path] = set()

    def watch(folder: Path, recursive: bool) -> None:
        if folder.is_dir() and folder not in watched:
            observer.schedule(handler, str(folder), recursive=recursive)
            watched.add(folder)

    class _RootHandler(_Handler):
        def dispatch(self, event) -> None:
            super().dispatch(event)
            for name in ("content", "layouts"):
                folder = root / name
                if folder not in watched and folder.is_dir():
                    watch(folder, True)
                    if name == "layouts":
                        aliases[folder] = "layouts"

    watch(root / "content", True)
    for folder in aliases:
        watch(folder, True)
    observer.schedule(_RootHandler(root, debouncer, aliases), str(root), recursive=False)
    observer.start()
    return observer
