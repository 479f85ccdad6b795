"""A clean build starts its brief-parsing workers before it imports Jinja and Markdown.

Importing the render stack (Jinja, markdown-it-py, the renderer) takes 0.1-0.15 s,
on one core while the other would wait. The build forks its parse workers first
and imports the render stack in its own process while they parse; the workers
that render pages are forked later, from a process that has it, and so inherit it
with the brief pages' templates already compiled.

The build runs in its own Python process (a fork is refused while a thread runs,
and a pytest process may hold threads from other tests' servers), with os.fork
wrapped to note which of those modules each fork inherits.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, brief_text, make_project

HEAVY = ("jinja2", "markdown_it", "generator.render")

RUN = r"""
import json, os, sys
from generator import produce, validate
validate.PARALLEL_FROM = produce.PARALLEL_FROM = 10  # parse and render in workers from a few dozen briefs
forks, real_fork = [], os.fork
def fork():
    pid = real_fork()
    if pid:  # noted in this process only: the child goes on to its work
        forks.append(sorted(m for m in %r if m in sys.modules))
    return pid
os.fork = fork
from generator.cli import main
code = main(["build", "--root", sys.argv[1], "--no-search", "--jobs", "2", "--quiet"])
print(json.dumps({"code": code, "forks": forks}))
""" % (HEAVY,)


def test_parse_workers_start_before_the_render_stack_is_imported(tmp_path):
    files = {f"content/briefs/2026/brief-{n:02d}.md": brief_text(f"Brief number {n}", published=f"2026-03-{n % 28 + 1:02d}",
                                                                 url=f"https://example.org/item/{n}")
             for n in range(40)}
    root = make_project(tmp_path / "site", files)
    done = subprocess.run([sys.executable, "-c", RUN, str(root)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0
    forks = answer["forks"]
    assert forks, "no worker was forked: the test's site is too small to parse ahead"
    assert forks[0] == [], f"the parse worker was forked after importing {forks[0]}"
    assert len(forks) > 1 and all(f == sorted(HEAVY) for f in forks[1:]), forks  # render workers inherit it
    page = (root / "site" / "briefs" / "brief-07" / "index.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Brief number 7" in page
