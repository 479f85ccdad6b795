"""Progress on long work: one status line on a terminal, stage timings with -v.

The build and ingest report progress through a callback, `progress(stage,
done, total)` (total 0: a stage that is not counted). A `Progress` turns
those calls into output on stderr:

- on a terminal (and not with -q, nor with TERM=dumb) a single line such as
  `rendering pages: 1,200 of 4,800 (25%)`, redrawn in place with a carriage
  return at most ten times a second (and at once when the stage changes or
  its count is complete), and erased when the work is done or fails;
- with -v, a line per finished stage with its count and time, on a terminal
  or not, e.g. `  rendering pages: 4,800 in 12.31 s`;
- otherwise nothing at all, so logs and pipes get exactly the usual output.

Lines that must stay (results, warnings) go through `print`, which writes
them where the status line was; the next report draws it again below.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

REDRAW_EVERY = 0.1  # seconds: at most ten redraws a second
CLEAR = "\r\x1b[K"  # back to the start of the line, erase to its end


def live_on(stream: TextIO, verbosity: int) -> bool:
    """Whether a status line may be drawn on `stream`: a terminal that can erase a line, and not -q."""
    if verbosity < 0 or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """The callback the build and ingest call; a context manager that erases the line on the way out."""

    def __init__(self, stream: TextIO, *, live: bool, timings: bool, clock=time.monotonic,
                 every: float = REDRAW_EVERY) -> None:
        self.stream, self.live, self.timings = stream, live, timings
        self.clock, self.every = clock, every
        self.stage = ""  # the stage being reported
        self.started = 0.0  # when it started
        self.count = 0  # its total, or the last `done` of an uncounted stage
        self.latest: tuple[int, int, str] = (0, 0, "")  # the last (done, total, detail) reported
        self.text = ""  # the status line as last drawn ("" when none is shown)
        self.drawn_at = float("-inf")

    @classmethod
    def for_command(cls, stream: TextIO, verbosity: int) -> Progress:
        return cls(stream, live=live_on(stream, verbosity), timings=verbosity > 0)

    @property
    def active(self) -> bool:
        """False when it would print nothing: the caller may then pass no callback at all."""
        return self.live or self.timings

    def __call__(self, stage: str, done: int, total: int, detail: str = "") -> None:
        now = self.clock()
        changed = stage != self.stage
        if changed:
            if self.text and self.timings and self.stage:  # the stage's time goes where the line was
                self._erase()
            self._finish(now)
            self.stage, self.started = stage, now
        self.latest, self.count = (done, total, detail), total or done
        if self.live and (changed or done == total or not self.text or now - self.drawn_at >= self.every):
            self._draw(self._status(), now)

    def print(self, text: str) -> None:
        """A line that stays, where the status line was (drawn again at the next report)."""
        if self.text:
            self._erase()
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self, *, completed: bool = True) -> None:
        """Erase the status line; with -v, the time of the last stage (when the work completed)."""
        if self.text:
            self._erase()
            self.stream.flush()
        if completed:
            self._finish(self.clock())
        self.stage = ""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(completed=kind is None)

    # ---- drawing -------------------------------------------------------------------------

    def _status(self) -> str:
        stage, (done, total, detail) = self.stage, self.latest
        if total:
            text = f"{stage}: {min(done, total):,} of {total:,} ({min(done, total) * 100 // total}%)"
        elif done:
            text = f"{stage}: {done:,}"
        else:
            text = f"{stage} ..."
        return f"{text}, {detail}" if detail else text

    def _draw(self, text: str, now: float) -> None:
        width = _width(self.stream)
        if len(text) >= width:  # a wrapped line could not be redrawn in place
            text = text[:max(width - 2, 1)] + "…"
        if text == self.text:
            return
        self.stream.write(CLEAR + text)
        self.stream.flush()
        self.text, self.drawn_at = text, now

    def _erase(self) -> None:
        self.stream.write(CLEAR)
        self.text = ""

    def _finish(self, now: float) -> None:
        """The stage being reported is over: with -v, say how long it took."""
        if not self.stage or not self.timings:
            return
        count = f"{self.count:,} in " if self.count else ""
        self.print(f"  {self.stage}: {count}{now - self.started:.2f} s")


def _width(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80
