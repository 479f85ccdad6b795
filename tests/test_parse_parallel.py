"""Briefs parsed ahead in worker processes give exactly what parsing them one by one gives.

A site with valid and broken briefs (and a broken editorial and page) is
checked with one process and with two and three workers, the threshold
lowered so that a few dozen briefs are parsed ahead: the content, every
diagnostic (with its source line) and their order must be identical. The
build's parse cache must be filled the same way, on a clean build and on the
first build of a new day (briefs listed unread, read where they are parsed).

Each run is its own Python process: a fork is refused while a thread runs,
and a pytest process may hold threads from other tests' servers.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
import threading

from conftest import REPO, brief_text, make_project
from generator.load import SourceFile
from generator.validate import BriefParser, parse_ahead

RUN = r"""
import datetime as dt, pickle, sys
from pathlib import Path
from generator import validate
from generator.diagnostics import ContentError

root, mode, jobs, threshold, today = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
validate.PARALLEL_FROM = threshold
forks = []
real = validate.run_in_workers
validate.run_in_workers = lambda function, n, while_waiting=None, **kw: forks.append(n) or real(function, n, while_waiting, **kw)
today = dt.date.fromisoformat(today)
reports = []
progress = lambda stage, done, total: reports.append((stage, done, total))
if mode == "check":
    from generator.build import check_site
    checked = check_site(Path(root), today, jobs=jobs, progress=progress)
    cache = None
else:
    from generator import stages
    from generator.build import BuildOptions
    from generator.incremental import Memory, cache_folder
    memory = Memory(cache_folder(Path(root), "parallel-test"))
    import generator.build
    unread, find_content = [0], generator.load.find_content
    def counting(root, known=None, read_briefs=True):
        loaded = find_content(root, known, read_briefs)
        unread[0] = sum(1 for f in loaded.files if f.text is None)
        return loaded
    generator.load.find_content = counting
    made, cached_parser = [], stages.CachedParser
    stages.CachedParser = lambda known, now: made.append(cached_parser(known, now)) or made[-1]
    try:
        checked = stages.load_and_validate(BuildOptions(root=Path(root), out=Path(root) / "site", today=today,
                                                         jobs=jobs, progress=progress), memory)
    except ContentError as exc:
        checked = None
        diagnostics = exc.diagnostics
    memory.save_state()  # as a build does: the next run then finds the parse cache under the same key
    entries = lambda parsed: [(path, e.signature != (), e.day, e.digest, e.result) for path, e in parsed.items()]
    cache = {"unread": unread[0], "changed": entries(made[0].changed), "seen": sorted(made[0].seen), "kept": entries(memory.parsed())}
    memory.close()
if checked is not None:
    diagnostics = checked.diagnostics
content = checked.content if checked is not None else None
briefs = [(b, b.lines) for b in content.briefs] if content is not None else None
sys.stdout.buffer.write(pickle.dumps({
    "briefs": briefs, "content": content, "files_checked": checked.files_checked if checked is not None else None,
    "diagnostics": [(d.path, d.line, d.col, d.severity, d.field, d.message, d.hint, d.source_line) for d in diagnostics],
    "cache": cache, "forks": forks, "progress": reports,
}))
"""

TODAY = "2026-11-29"


def run(root, mode: str, jobs: int, threshold: int = 2, today: str = TODAY) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, str(root), mode, str(jobs), str(threshold), today],
                          capture_output=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    return pickle.loads(done.stdout)


def site_with_broken_briefs(root):
    files = {f"content/briefs/2026/brief-{n:02d}.md": brief_text(f"Brief number {n}", published=f"2026-03-{n % 28 + 1:02d}",
                                                                 url=f"https://example.org/item/{n}",
                                                                 tags="[testing, ai-safety]" if n % 3 else "[testing]")
             for n in range(40)}
    files.update({
        "content/briefs/2026/yaml-syntax.md": "---\ntitle: \"Unclosed\nstandfirst: x\n---\nBody.\n",
        "content/briefs/2026/unknown-field.md": brief_text("Unknown field", url="https://example.org/u", extra="colour: red\n"),
        "content/briefs/2026/bad-url.md": brief_text("Bad link", url="javascript:alert(1)"),
        "content/briefs/2026/bad-action.md": brief_text("Bad action", url="https://example.org/a", action="Monitr"),
        "content/briefs/2026/duplicate-key.md": brief_text("Twice", url="https://example.org/t", extra="title: \"again\"\n"),
        "content/briefs/2026/same-url.md": brief_text("Same link as brief 7", url="https://example.org/item/7"),
        "content/briefs/2026/brief-07-copy.md": brief_text("Copy", url="https://example.org/copy", extra="slug: brief-07\n"),
        "content/briefs/2026/future.md": brief_text("From the future", published="2027-01-05", url="https://example.org/f"),
        "content/briefs/2026/empty-body.md": brief_text("No summary", url="https://example.org/e", body=""),
        "content/briefs/2026/todo.md": brief_text("TODO: a title", url="https://example.org/todo"),
        "content/briefs/2026/no-front-matter.md": "Just text.\n",
        "content/briefs/2026/bell.md": brief_text("Bell \\a", url="https://example.org/b"),
        "content/briefs/2026/control.md": brief_text("Control", url="https://example.org/c").replace("First point.", "First\x07 point."),
        "content/briefs/2026/tag-near.md": brief_text("Near tag", url="https://example.org/n", tags="[testin]"),
        "content/briefs/2026/draft-old.md": brief_text("Old draft", published="2025-01-01", url="https://example.org/d",
                                                       extra="draft: true\n"),
        "content/briefs/2026/not-utf8.md": b"---\ntitle: \"\xff\"\n---\nBody.\n",
        "content/briefs/2026/dates.md": brief_text("Odd dates", published="16/03/2026", url="https://example.org/o",
                                                   extra="updated: 2026-02-30\n"),
        "content/issues/2026-W11.md": "---\ntitle: \"TODO: a headline\"\n---\nThe week.\n",
        "content/pages/about.md": "---\ntitle: About\ncolour: red\n---\nAbout us.\n",
    })
    return make_project(root, files)


def test_parsing_ahead_in_workers_gives_the_serial_result_in_the_same_order(tmp_path):
    root = site_with_broken_briefs(tmp_path / "site")
    serial = run(root, "check", jobs=1)
    assert serial["forks"] == []
    assert len(serial["diagnostics"]) > 15 and len(serial["briefs"]) > 30
    for jobs in (2, 3):
        parallel = run(root, "check", jobs=jobs)
        assert parallel["forks"] == [jobs]
        assert parallel["diagnostics"] == serial["diagnostics"]
        assert parallel["briefs"] == serial["briefs"]  # each Brief and its field positions, in order
        assert parallel["content"] == serial["content"]
        assert parallel["files_checked"] == serial["files_checked"]


def test_below_the_threshold_nothing_is_forked(tmp_path):
    root = site_with_broken_briefs(tmp_path / "site")
    result = run(root, "check", jobs=2, threshold=1000)
    assert result["forks"] == []
    assert result["diagnostics"] == run(root, "check", jobs=1)["diagnostics"]


def test_progress_counts_every_brief_once_and_never_back(tmp_path):
    root = site_with_broken_briefs(tmp_path / "site")
    for jobs in (1, 2):
        reports = [r for r in run(root, "check", jobs=jobs)["progress"] if r[2]]
        done = [r[1] for r in reports]
        total = 40 + 16  # the brief that is not UTF-8 is never parsed
        assert reports[-1] == ("loading briefs", total, total)
        assert done == sorted(done) and max(done) == total


def test_the_parse_cache_is_filled_the_same_way(tmp_path):
    """What the build would remember of each brief parsed (it remembers nothing while errors remain)."""
    serial_root = site_with_broken_briefs(tmp_path / "serial")
    parallel_root = site_with_broken_briefs(tmp_path / "parallel")
    serial, parallel = run(serial_root, "load", jobs=1), run(parallel_root, "load", jobs=2)
    assert serial["forks"] == [] and parallel["forks"] == [2]
    assert parallel["diagnostics"] == serial["diagnostics"]
    # the build reads brief files where it parses them, `digest check` as it lists them: the same messages
    assert serial["cache"]["unread"] == len(serial["cache"]["seen"]) + 1  # every brief, the unreadable one too
    assert serial["diagnostics"] == run(serial_root, "check", jobs=1)["diagnostics"]
    assert parallel["cache"]["seen"] == serial["cache"]["seen"]
    changed = {name: r["cache"]["changed"] for name, r in (("serial", serial), ("parallel", parallel))}
    assert len(changed["serial"]) == 40 + 16  # every brief but the one that is not UTF-8, in file order
    assert [e[0] for e in changed["parallel"]] == [e[0] for e in changed["serial"]]
    assert [e[2:] for e in changed["parallel"]] == [e[2:] for e in changed["serial"]]  # day, digest, answer


def test_a_valid_site_builds_the_same_from_workers_today_and_the_next_day(tmp_path):
    files = {f"content/briefs/b{n:03d}.md": brief_text(f"Valid brief {n}", url=f"https://example.org/v/{n}")
             for n in range(30)}
    serial_root = make_project(tmp_path / "serial", files)
    parallel_root = make_project(tmp_path / "parallel", files)
    for today in (TODAY, "2026-11-30"):
        serial, parallel = run(serial_root, "load", jobs=1, today=today), run(parallel_root, "load", jobs=2, today=today)
        assert parallel["forks"] == [2] and serial["forks"] == []
        assert parallel["briefs"] == serial["briefs"] and parallel["content"] == serial["content"]
        assert parallel["diagnostics"] == serial["diagnostics"]
        for what in ("changed", "kept"):
            assert [e[0] for e in parallel["cache"][what]] == [e[0] for e in serial["cache"][what]]
            assert [e[2:] for e in parallel["cache"][what]] == [e[2:] for e in serial["cache"][what]]
        assert len(parallel["cache"]["changed"]) == 30
        # listed unread and read where they are parsed: on the clean build (nothing cached) and the
        # next day (cached for another day); by the workers, or by the one process (serial)
        assert parallel["cache"]["unread"] == serial["cache"]["unread"] == 30
        assert {e[2] for e in parallel["cache"]["kept"]} == {dt.date.fromisoformat(today)}
    again = run(parallel_root, "load", jobs=2, today="2026-11-30")  # the same day again: all from the cache
    assert again["forks"] == [] and again["cache"]["changed"] == [] and again["content"] == serial["content"]


class Exploding(BriefParser):
    def work(self, src, cfg, today):
        if src.src_path.endswith("b3.md"):
            raise ValueError(f"cannot parse {src.src_path}")
        return super().work(src, cfg, today)


def _files(n: int) -> list[SourceFile]:
    out = []
    for i in range(n):
        text = brief_text(f"B{i}", url=f"https://example.org/{i}")
        out.append(SourceFile(f"content/briefs/b{i}.md", f"/nowhere/b{i}.md", "brief", text, text.encode(), "d"))
    return out


def test_no_fork_while_a_thread_runs(monkeypatch):
    from generator import validate
    from generator.config import load_config

    monkeypatch.setattr(validate, "PARALLEL_FROM", 2)
    cfg, _ = load_config(REPO)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert parse_ahead(BriefParser(), _files(8), cfg, dt.date(2026, 11, 29), jobs=2) == {}
    finally:
        stop.set()
        thread.join()


CRASH = r"""
import datetime as dt, sys
sys.path.insert(0, "tests")
from test_parse_parallel import Exploding, _files
from generator import validate
from generator.config import load_config
from pathlib import Path
validate.PARALLEL_FROM = 2
cfg, _ = load_config(Path("."))
try:
    validate.parse_ahead(Exploding(), _files(8), cfg, dt.date(2026, 11, 29), jobs=2)
except ValueError as exc:
    print("raised:", exc)
"""


def test_an_exception_in_a_worker_is_raised_in_the_parent():
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "raised: cannot parse content/briefs/b3.md"


def test_the_diagnostics_print_the_same(tmp_path):
    """`digest check`, as text and as JSON, with workers and without: the same bytes."""
    root = site_with_broken_briefs(tmp_path / "site")
    script = ("import sys; from generator import validate; validate.PARALLEL_FROM = 2; real = validate.run_in_workers\n"
              "def spy(function, jobs, while_waiting=None, **kw):\n"
              "    print('forked', jobs, file=sys.stderr)\n"
              "    return real(function, jobs, while_waiting, **kw)\n"
              "validate.run_in_workers = spy\n"
              "from generator.cli import main; sys.exit(main(['check', '--root', sys.argv[1], '--format', sys.argv[2]]))")
    for form in ("text", "json"):
        outputs = []
        for jobs in ("1", "2"):
            done = subprocess.run([sys.executable, "-c", script, str(root), form], capture_output=True, text=True,
                                  cwd=REPO, env={"DIGEST_JOBS": jobs, "PATH": "/usr/bin:/bin"}, timeout=300)
            assert done.returncode == 1, done.stderr
            assert ("forked 2" in done.stderr) == (jobs == "2")
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1]
        if form == "json":
            assert len(json.loads(outputs[0])) > 15


MEANWHILE = r"""
import datetime as dt, os, sys, time
sys.path.insert(0, "tests")
from pathlib import Path
from test_parse_parallel import _files
from generator import validate
from generator.config import load_config
validate.PARALLEL_FROM = 2
cfg, _ = load_config(Path("."))
day, log, parent = dt.date(2026, 11, 29), Path(sys.argv[1]), os.getpid()
files = _files(40)

class Logging(validate.BriefParser):  # notes each brief a worker parses
    def work(self, src, cfg, today):
        if os.getpid() != parent:
            with open(log, "a") as f:
                f.write(src.src_path + "\n")
        return super().work(src, cfg, today)

def until_the_worker_has_parsed_them_all():  # this process's own work, long enough for that
    deadline = time.monotonic() + 60
    while not (log.exists() and len(log.read_text().splitlines()) == len(files)):
        assert time.monotonic() < deadline, "the worker stopped short"
        time.sleep(0.01)

done = validate.parse_ahead(Logging(), files, cfg, day, jobs=2, meanwhile=until_the_worker_has_parsed_them_all)
serial = {f.src_path: validate.BriefParser().work(f, cfg, day) for f in files}
print(len(done), done == serial, sorted(log.read_text().splitlines()) == sorted(serial))
"""


def test_while_this_process_does_its_own_work_the_worker_takes_every_brief(tmp_path):
    done = subprocess.run([sys.executable, "-c", MEANWHILE, str(tmp_path / "log")], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["40", "True", "True"]


def test_without_workers_there_is_no_meanwhile(monkeypatch):
    from generator import validate
    from generator.config import load_config

    monkeypatch.setattr(validate, "PARALLEL_FROM", 2)
    cfg, _ = load_config(REPO)
    called = []
    assert parse_ahead(BriefParser(), _files(8), cfg, dt.date(2026, 11, 29), jobs=1,
                       meanwhile=lambda: called.append(1)) == {}
    assert called == []
