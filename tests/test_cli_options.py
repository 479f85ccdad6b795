"""--jobs, -q and -v, and every environment variable the tool reads documented in --help and the README."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import generator.build
import generator.produce
from conftest import REPO, brief_text
from generator.cli import main
from generator.environment import VARIABLES
from test_ingest_helpers import FEEDS, make_site, run_ingest


def digest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "build-manifest.json"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough briefs for the build to use worker processes."""
    root = tmp_path_factory.mktemp("jobs") / "site"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"),
                           str(generator.produce.PARALLEL_FROM + 20), str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root


def test_jobs_sets_the_worker_processes_and_the_output_does_not_depend_on_it(corpus, tmp_path, monkeypatch, capsys):
    used: list[int] = []
    real = generator.produce.run_in_workers

    def counting(function, jobs, **options):  # the real workers, counted
        used.append(jobs)
        return real(function, jobs, **options)

    monkeypatch.setattr(generator.produce, "run_in_workers", counting)
    monkeypatch.setenv("DIGEST_JOBS", "3")
    outputs = {}
    for jobs in ("1", "2", None):
        used.clear()
        out = tmp_path / f"site-{jobs}"
        args = ["build", "--root", str(corpus), "--out", str(out), "--no-search", "--clean"]
        assert main(args + (["--jobs", jobs] if jobs else [])) == 0, capsys.readouterr().err
        assert max(used) == int(jobs or 3)  # without --jobs, DIGEST_JOBS decides (small batches run in one)
        outputs[jobs] = tree(out)
    assert outputs["1"] == outputs["2"] == outputs[None]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_whole_number(tmp_path, value):
    done = digest("build", "--root", str(tmp_path), "--jobs", value)
    assert done.returncode == 2
    assert "--jobs" in done.stderr and "is not a whole number of 1 or more" in done.stderr


def test_quiet_prints_only_problems_and_verbose_says_what_it_does(project):
    long_standfirst = brief_text("Another brief").replace("Why it matters to agencies.", "A long standfirst. " * 20)
    root = project({"content/briefs/a.md": brief_text("A brief"), "content/briefs/b.md": long_standfirst})
    loud = digest("build", "--root", str(root), "--no-search", "-v")
    assert loud.returncode == 0, loud.stderr
    assert re.search(r"^building .*content into .*site: up to \d+ worker processes", loud.stderr, re.M)
    assert "warning" in loud.stderr and loud.stdout.startswith("built ")

    quiet = digest("build", "--root", str(root), "--no-search", "--quiet", "--clean")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    assert "warning" in quiet.stderr and "building" not in quiet.stderr  # problems are still reported

    clash = digest("build", "--root", str(root), "-q", "-v")
    assert clash.returncode == 2 and "not allowed with argument" in clash.stderr


def test_ingest_quiet_and_verbose(tmp_path, capsys):
    root = make_site(tmp_path / "site")
    feed = str(FEEDS / "gov-media-releases.xml")
    assert run_ingest(root, "-q", feed) == 0
    out, err = capsys.readouterr()
    assert out == "" and "[1/1]" not in err
    assert list((root / "content" / "briefs").rglob("*.md"))  # it did its work

    assert run_ingest(root, "-v", feed) == 0
    out, err = capsys.readouterr()
    assert "[1/1]" in err
    assert "nothing new" in out  # a note for every feed, even one with nothing to say

    assert run_ingest(root, feed) == 0
    out, _ = capsys.readouterr()
    assert "nothing new" not in out


# ---- environment variables ---------------------------------------------------------------

READS = [
    re.compile(r"""environ\.get\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""),
    re.compile(r"""getenv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']"""),
    re.compile(r"""environ\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]"""),
]


def variables_read_by_the_code() -> set[str]:
    names = set()
    for path in sorted((REPO / "generator").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in READS:
            names.update(pattern.findall(text))
    return names


def test_every_environment_variable_the_code_reads_is_documented():
    read = variables_read_by_the_code()
    assert {"SOURCE_DATE_EPOCH", "DIGEST_JOBS", "DIGEST_DEBUG"} <= read  # the scan finds them
    assert read - set(VARIABLES) == set(), "add them to generator/environment.py and the README"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Environment variables", 1)[1].split("\n## ", 1)[0]
    assert {name for name in VARIABLES if f"`{name}`" not in section} == set()
    help_text = digest("--help").stdout
    assert {name for name in VARIABLES if name not in help_text} == set()
    build_help = digest("build", "--help").stdout
    assert "SOURCE_DATE_EPOCH" in build_help and "https_proxy" not in build_help
    assert "https_proxy" in digest("ingest", "--help").stdout


# ---- leaving: exit_now skips the interpreter's teardown, nothing else -------------

def _leave(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_exit_now_keeps_the_exit_code_buffered_output_and_atexit_callbacks():
    done = _leave("import atexit, sys\n"
                  "from generator.cli import exit_now\n"
                  "atexit.register(lambda: print('atexit ran'))\n"
                  "print('to a pipe, so buffered'); sys.stderr.write('and to stderr\\n')\n"
                  "exit_now(3)\n"
                  "print('never')\n")
    assert done.returncode == 3
    assert done.stdout == "to a pipe, so buffered\natexit ran\n"
    assert done.stderr == "and to stderr\n"


def test_exit_now_waits_for_a_thread_still_running_as_python_does():
    # The thread finishes only when Python's own exit tells it to (the hook concurrent.futures
    # uses, called before Python waits for threads): if exit_now left at once, it never would.
    done = _leave("import threading\n"
                  "from generator.cli import exit_now\n"
                  "go = threading.Event()\n"
                  "threading._register_atexit(go.set)\n"
                  "threading.Thread(target=lambda: (go.wait(), print('thread finished'))).start()\n"
                  "exit_now(4)\n")
    assert done.returncode == 4
    assert done.stdout == "thread finished\n"


def test_the_command_line_exits_with_its_code_and_its_output(tmp_path):
    done = digest("check", "--root", str(tmp_path))  # no site there
    assert done.returncode == 1
    assert "no content/ folder here" in done.stdout + done.stderr
    version = digest("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"ai-digest {generator.__version__}")
