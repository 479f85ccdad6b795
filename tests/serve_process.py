"""Run `digest serve` as a real process for tests: start it, read its lines, stop it with Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class ServeProcess:
    def __init__(self, root: Path, port: int, *args: str, env: dict | None = None):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port), *args],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, start: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in list(self.lines):
                if line.startswith(start):
                    return line
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no line starting {start!r}; output so far:\n" + "\n".join(self.lines))

    def url(self) -> str:
        return self.wait_for_line("serving ").split()[1]

    def interrupt(self, timeout: float = 20.0) -> int:
        """Ctrl-C, as a terminal sends it; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code


@contextlib.contextmanager
def running_serve(root: Path, port: int, *args: str, env: dict | None = None):
    p = ServeProcess(root, port, *args, env=env)
    try:
        p.url()
        yield p
    finally:
        if p.proc.poll() is None:
            try:
                p.interrupt()
            except subprocess.TimeoutExpired:
                p.proc.kill()
                p.proc.wait()
