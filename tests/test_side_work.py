"""A build's side work: the parse cache written, and every page template compiled, by a helper
process while the build validates and plans; the workers that render listings compile nothing.

Each build is its own Python process: the helper is never forked while threads run, and a
pytest process may hold threads from other tests' servers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import REPO, brief_text, make_project

RUN = r"""
import datetime as dt, json, os, sys
from pathlib import Path
import jinja2
from generator import parallel, produce, stages, validate
from generator.build import BuildOptions, build_site
from generator.diagnostics import ContentError
from generator.incremental import Memory, cache_folder, variant_for

root = Path(sys.argv[1])
stages.SIDE_WORK_FROM = validate.PARALLEL_FROM = produce.PARALLEL_FROM = 2
parent, log = os.getpid(), root / "compiled.log"
helpers, start = [], parallel.start
parallel.start = lambda function: helpers.append(1) or start(function)
compile_ = jinja2.Environment.compile
def compiling(self, source, name=None, *args, **kwargs):  # notes which process compiles what
    with open(log, "a") as f:
        f.write(json.dumps(["parent" if os.getpid() == parent else "other", name]) + "\n")
    return compile_(self, source, name, *args, **kwargs)
jinja2.Environment.compile = compiling
out = root / "site"
try:
    report = build_site(BuildOptions(root=root, out=out, search=False, today=dt.date(2026, 11, 29), jobs=2))
    result = {"briefs": report.briefs}
except ContentError as exc:
    result = {"errors": [(d.path, d.line, d.message + " " + d.hint) for d in exc.diagnostics]}
try:
    os.waitpid(-1, os.WNOHANG)
    result["children"] = "left behind"
except ChildProcessError:
    result["children"] = "all waited for"
memory = Memory(cache_folder(root, variant_for(out)))
result["parsed"] = sorted(memory.parsed())
result["helpers"] = len(helpers)
result["compiled"] = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
print(json.dumps(result))
"""


def run(root) -> dict:
    (root / "compiled.log").unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", RUN, str(root)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def site(root):
    return make_project(root, {f"content/briefs/b{n:02d}.md": brief_text(f"Brief {n}", url=f"https://example.org/{n}",
                                                                         published=f"2026-03-{n % 28 + 1:02d}")
                               for n in range(24)})


def test_a_clean_build_s_helper_writes_the_parse_cache_and_compiles_every_template_once(tmp_path):
    root = site(tmp_path / "site")
    first = run(root)
    assert first["briefs"] == 24 and first["helpers"] == 1 and first["children"] == "all waited for"
    assert first["parsed"] == [f"content/briefs/b{n:02d}.md" for n in range(24)]
    names = [name for _, name in first["compiled"]]
    assert sorted(names) == sorted(set(names))  # each template compiled once, in one process or another
    assert {"brief.html", "base.html", "_card.html", "home.html", "tag.html", "email.html"} <= set(names)
    parent = {name for who, name in first["compiled"] if who == "parent"}
    assert parent == {"brief.html", "base.html", "_macros.html", "_card.html", "_entry.html"}  # while parsing
    # the rest by the helper: neither a worker nor this process compiled a listing's template

    (root / "content/briefs/b03.md").write_text(brief_text("Brief 3, revised", url="https://example.org/3",
                                                           published="2026-03-04"), encoding="utf-8")
    again = run(root)
    assert again["briefs"] == 24 and again["helpers"] == 0  # one brief parsed: no helper is worth its fork
    assert again["compiled"] == []  # the templates came from the cache folder


def test_a_build_that_fails_in_a_template_waits_for_its_helper_and_reports_the_line(tmp_path):
    root = site(tmp_path / "site")
    shutil.copytree(REPO / "layouts", root / "layouts")
    tag = root / "layouts" / "tag.html"
    text = tag.read_text(encoding="utf-8")
    assert "{% block main %}\n" in text
    tag.write_text(text.replace("{% block main %}\n", "{% block main %}\n{{ missing_name.attribute }}\n", 1),
                   encoding="utf-8")
    failed = run(root)
    line = text.splitlines().index("{% block main %}") + 2
    assert failed["helpers"] == 1 and failed["children"] == "all waited for"
    assert [(path, n) for path, n, _ in failed["errors"]] == [("layouts/tag.html", line)]
    assert failed["parsed"] == [f"content/briefs/b{n:02d}.md" for n in range(24)]  # the helper's work is kept
