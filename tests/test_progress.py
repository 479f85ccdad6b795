"""Progress on long work: a status line on a terminal, stage timings with -v, nothing in a pipe.

The command runs for real with its stderr on a pseudo-terminal; what it wrote
there is replayed on a small screen model (carriage return, erase to end of
line, newline) to see what the user is left looking at.
"""

from __future__ import annotations

import errno
import fcntl
import io
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import generator.produce
from generator.incremental import racy
from conftest import REPO
from generator.build import BuildOptions, build_site
from generator.commands.progress import CLEAR, Progress
from test_ingest_helpers import FEEDS, make_site

COLUMNS = 200


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str  # as written, escape sequences and all (the terminal's \r\n made \n again)

    @property
    def screen(self) -> list[str]:
        """The lines left on the terminal once the command has finished."""
        lines, line, col = [], [], 0
        for token in re.findall(r"\x1b\[K|\r|\n|[^\r\n\x1b]+|\x1b", self.stderr):
            if token == "\r":
                col = 0
            elif token == "\n":
                lines.append("".join(line).rstrip())
                line, col = [], 0
            elif token == "\x1b[K":
                del line[col:]
            else:
                line[col:col + len(token)] = list(token)
                col += len(token)
        if "".join(line).strip():
            lines.append("".join(line).rstrip())
        return lines


def digest_on_terminal(*args: str, env: dict | None = None, timeout: float = 300) -> Run:
    """`digest ARGS` with stderr on a pseudo-terminal COLUMNS wide; stdout is a pipe."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLUMNS, 0, 0))
    environment = {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update({"TERM": "xterm", **(env or {})})
    process = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=REPO, env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    written, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError as exc:  # every copy of the terminal's other end closed: the command is done
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            written += chunk
        else:
            process.kill()
            pytest.fail(f"digest {' '.join(args)} did not finish in {timeout} s")
        stdout = process.stdout.read().decode()
        process.wait(timeout=60)
    finally:
        os.close(master)
        process.stdout.close()
    return Run(process.returncode, stdout, written.decode().replace("\r\n", "\n"))


def digest_in_pipe(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "TERM": "xterm", **(env or {})})


@pytest.fixture
def sample(tmp_path) -> Path:
    """The sample site's content (30 briefs), in a folder of its own."""
    shutil.copytree(REPO / "content", tmp_path / "site" / "content")
    return tmp_path / "site"


def settle(root: Path) -> None:
    """Wait until content/ is old enough for the build to trust its stamp (a file just written may change again)."""
    newest = max(max(p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in (root / "content").rglob("*"))
    while racy(newest, time.time_ns()):
        time.sleep(0.05)


def briefs_in(root: Path) -> int:
    return len(list((root / "content" / "briefs").rglob("*.md")))


# ---- digest build -----------------------------------------------------------------------

def test_build_on_a_terminal_shows_each_stage_with_counts_and_erases_the_line(sample):
    settle(sample)  # so that the second build finds nothing changed
    done = digest_on_terminal("build", "--root", str(sample))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ")  # the summary is unchanged, on stdout
    pages = int(re.search(r"(\d+) rendered", done.stdout).group(1))
    shown = done.stderr.split(CLEAR)
    briefs = briefs_in(sample)
    assert "loading briefs ..." in shown  # reading content/, before the count is known
    assert f"loading briefs: {briefs:,} of {briefs:,} (100%)" in shown
    assert "planning ..." in shown
    assert any(re.fullmatch(rf"rendering pages: \d+ of {pages} \(\d+%\)", s) for s in shown)
    assert f"rendering pages: {pages} of {pages} (100%)" in shown
    assert "indexing search ..." in shown and "writing ..." in shown
    order = [next(i for i, s in enumerate(shown) if s.startswith(stage))
             for stage in ("loading briefs", "planning", "rendering pages", "indexing search", "writing")]
    assert order == sorted(order)
    assert done.stderr.endswith(CLEAR)  # erased at the end
    assert done.screen == []  # nothing left behind on the terminal
    assert "\n" not in done.stderr  # all of it on one line, redrawn

    again = digest_on_terminal("build", "--root", str(sample))  # nothing changed
    assert again.returncode == 0 and "is up to date" in again.stdout
    assert again.stderr.split(CLEAR) == ["", "checking for changes ...", ""]


def test_no_progress_in_a_pipe_with_quiet_or_on_a_dumb_terminal(sample):
    piped = digest_in_pipe("build", "--root", str(sample), "--clean")
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""  # CI logs get exactly what they got before
    assert piped.stdout.startswith("built ")

    quiet = digest_on_terminal("build", "--root", str(sample), "--clean", "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""

    dumb = digest_on_terminal("build", "--root", str(sample), "--clean", env={"TERM": "dumb"})
    assert dumb.returncode == 0 and dumb.stdout.startswith("built ") and dumb.stderr == ""


def test_no_colour_still_shows_progress_without_colour(sample):
    done = digest_on_terminal("build", "--root", str(sample), "--clean", env={"NO_COLOR": "1"})
    assert done.returncode == 0 and "rendering pages: " in done.stderr
    assert set(re.findall(r"\x1b\[[0-9;]*[A-Za-z]", done.stderr)) == {"\x1b[K"}  # erasing only, no colour


STAGE_TIME = r"  {}: (?:[\d,]+ in )?\d+\.\d\d s"


def test_verbose_prints_each_stage_and_its_time(sample):
    on_terminal = digest_on_terminal("build", "--root", str(sample), "-v")
    assert on_terminal.returncode == 0, on_terminal.stderr
    screen = on_terminal.screen
    assert screen[0].startswith("building ")
    stages = [re.match(r"  ([a-z ]+): ", line).group(1) for line in screen[1:]]
    assert stages == ["checking for changes", "loading briefs", "planning", "rendering pages", "indexing search",
                      "writing"]
    assert re.search(r"\x1b\[Krendering pages: \d+ of \d+", on_terminal.stderr)  # the live line as well
    assert on_terminal.stderr.endswith(" s\n")  # the last thing written is the last stage's time

    piped = digest_in_pipe("build", "--root", str(sample), "--clean", "-v")
    assert piped.returncode == 0, piped.stderr
    briefs = briefs_in(sample)
    lines = piped.stderr.splitlines()
    assert lines[0].startswith("building ")
    assert re.fullmatch(rf"  loading briefs: {briefs} in \d+\.\d\d s", lines[1])
    assert re.fullmatch(STAGE_TIME.format("planning"), lines[2])
    assert re.fullmatch(r"  rendering pages: \d+ in \d+\.\d\d s", lines[3])
    assert re.fullmatch(STAGE_TIME.format("indexing search"), lines[4])
    assert re.fullmatch(STAGE_TIME.format("writing"), lines[5])
    assert len(lines) == 6 and "\r" not in piped.stderr and "\x1b" not in piped.stderr


def test_a_failed_build_erases_the_line_before_its_errors(sample):
    brief = next((sample / "content" / "briefs").rglob("*.md"))
    brief.write_text(brief.read_text(encoding="utf-8").replace("published:", "published: not-a-date\nx:"),
                     encoding="utf-8")
    done = digest_on_terminal("build", "--root", str(sample), "-v")
    assert done.returncode == 1
    screen = done.screen
    assert not any("loading briefs" in line for line in screen)  # neither the status nor a time for it
    assert any("error" in line for line in screen) and screen[-1].startswith("build failed: ")


# ---- the render workers report through shared counts ----------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("progress") / "site"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"),
                           str(generator.produce.PARALLEL_FROM + 40), str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root


def test_forked_workers_report_pages_as_they_go(corpus, tmp_path):
    reports: list[tuple[str, int, int]] = []
    report = build_site(BuildOptions(root=corpus, out=tmp_path / "site", search=False, cache=False, jobs=2,
                                     progress=lambda *args: reports.append(args)))
    rendering = [(done, total) for stage, done, total in reports if stage == "rendering pages"]
    total = report.rendered
    assert total > generator.produce.PARALLEL_FROM
    assert {t for _, t in rendering} == {total} and rendering[-1] == (total, total)
    counts = [d for d, _ in rendering]
    assert counts == sorted(counts)  # never backwards
    briefs = report.briefs
    assert any(0 < d < briefs for d in counts)  # read from the workers' shared counts while they rendered
    loading = [(d, t) for s, d, t in reports if s == "loading briefs"]
    assert loading[0] == (0, 0) and loading[-1] == (briefs, briefs)
    stages = list(dict.fromkeys(s for s, _, _ in reports))
    assert stages == ["loading briefs", "planning", "rendering pages", "writing"]


def test_workers_results_come_back_in_order_while_the_parent_is_woken_to_report():
    from generator.parallel import run_in_workers

    wakes: list[float] = []

    def work(job: int, count: int) -> bytes:
        time.sleep(0.3 * job)  # a worker that takes a while, so the parent waits for it
        return bytes([job]) * (3 << 20)  # more than a pipe holds at once

    results = run_in_workers(work, 3, while_waiting=lambda: wakes.append(time.monotonic()))
    assert [r[:1] for r in results] == [b"\0", b"\1", b"\2"] and all(len(r) == 3 << 20 for r in results)
    assert len(wakes) >= 3 and wakes[-1] - wakes[0] >= 0.3  # woken all along, not only at the end

    def failing(job: int, count: int) -> int:
        if job == 1:
            raise ValueError("worker one failed")
        return job

    with pytest.raises(ValueError, match="worker one failed"):
        run_in_workers(failing, 2, while_waiting=lambda: None)


# ---- the status line itself -------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_redrawn_at_most_ten_times_a_second_and_at_once_for_a_new_stage_or_the_last_count():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, live=True, timings=False, clock=clock)
    for done in range(1, 10_001):  # 10,000 pages in two seconds
        clock.now = done * 0.0002
        progress("rendering pages", done, 10_000)
    draws = stream.getvalue().split(CLEAR)[1:]
    assert 20 <= len(draws) <= 22
    assert draws[0] == "rendering pages: 1 of 10,000 (0%)" and draws[-1] == "rendering pages: 10,000 of 10,000 (100%)"
    progress("writing", 0, 0)
    assert stream.getvalue().endswith(CLEAR + "writing ...")
    progress.close()
    assert stream.getvalue().endswith(CLEAR)


def test_a_long_line_is_cut_to_the_terminal_width_and_lines_that_stay_go_above_it():
    stream = io.StringIO()  # not a terminal: 80 columns assumed
    progress = Progress(stream, live=True, timings=True, clock=Clock())
    progress("feeds fetched", 0, 3, "fetching " + "a very long feed name " * 10)
    assert len(stream.getvalue().split(CLEAR)[-1]) < 80
    progress.print("[1/3] A feed: 3 entries, 3 new")
    progress("feeds fetched", 1, 3, "3 drafts written")
    progress.close()
    written = stream.getvalue()
    assert written.endswith(CLEAR + "  feeds fetched: 3 in 0.00 s\n")
    assert CLEAR + "[1/3] A feed: 3 entries, 3 new\n" + CLEAR + "feeds fetched: 1 of 3 (33%), 3 drafts written" in written


def test_nothing_at_all_without_a_terminal_or_verbose():
    stream = io.StringIO()
    progress = Progress.for_command(stream, 0)
    assert not progress.active
    with progress:
        progress("loading briefs", 5, 10)
    assert stream.getvalue() == ""


# ---- digest ingest ----------------------------------------------------------------------------

def test_ingest_on_a_terminal_shows_feeds_fetched_and_drafts_written(tmp_path):
    root = make_site(tmp_path / "site")
    feeds = [str(FEEDS / "gov-media-releases.xml"), str(FEEDS / "atom-research-blog.xml"),
             str(FEEDS / "not-a-feed.html")]
    done = digest_on_terminal("ingest", "--root", str(root), *feeds)
    assert done.returncode == 0, done.stderr
    shown = done.stderr.split(CLEAR)
    assert f"feeds fetched: 0 of 3 (0%), 0 drafts written; fetching {feeds[0]}" in shown
    assert f"feeds fetched: 1 of 3 (33%), 3 drafts written; fetching {feeds[1]}" in shown
    assert f"feeds fetched: 2 of 3 (66%), 5 drafts written; fetching {feeds[2]}" in shown
    assert "feeds fetched: 3 of 3 (100%), 5 drafts written" in shown
    assert done.screen == [  # what stays: the outcome of each feed; the status line is gone
        "[1/3] Digital Agency – Media Releases: 3 entries, 3 new",
        "[2/3] Safety Lab Blog: 2 entries, 2 new",
        f"[3/3] {feeds[2]}: error: not an RSS or Atom feed (not well-formed XML at line 2: syntax error)",
    ]
    assert len(list((root / "content" / "briefs").rglob("*.md"))) == 5
    assert "total" in done.stdout  # the table, on stdout as before

    piped = digest_in_pipe("ingest", "--root", str(root), "--force", *feeds[:2])
    assert piped.returncode == 0
    assert piped.stderr.splitlines() == [
        f"[1/2] fetching {feeds[0]} ({feeds[0]}) ...",
        "[1/2] Digital Agency – Media Releases: 3 entries, 0 new",
        f"[2/2] fetching {feeds[1]} ({feeds[1]}) ...",
        "[2/2] Safety Lab Blog: 2 entries, 0 new",
    ]

    quiet = digest_on_terminal("ingest", "--root", str(root), "-q", *feeds[:2])
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
