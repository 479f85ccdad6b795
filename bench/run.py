#!/usr/bin/env python3
"""Build benchmark: ai-digest against Hugo on the same synthetic corpus.

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--warmup 1] [--search] [--serve] [--no-hugo]

For each corpus size it generates briefs with bench/make_corpus.py, then
measures, after one warm-up run:

  cold         empty cache and output, no search      (digest build --no-search)
  no-change    nothing changed since the last build
  add-one      one new brief since the last build (cache on disk, after one
               ordinary rebuild, as in steady use)
  add-one+srch the same with the Pagefind index updated (--search)
  cold+search  a full build with search from nothing (--search)
  serve        file save to updated page in a browser (--serve): digest serve,
               then hugo server on the same briefs ("hugo serve"); both medians
               and their ratio are printed, peak MiB is each server's RSS
  hugo cold    hugo with equivalent templates (bench/hugo/), when installed
  hugo add-one hugo after adding one brief (no cache between runs)
  hugo+pagefind  hugo cold, then one Pagefind run over its output (--search)

and prints the median wall time, CPU time (user+system of the build process
and its children) and peak memory (largest resident set of any process of
the build) of several runs, with each figure as a ratio to Hugo's cold build,
then the targets of the project's speed issues against those ratios.
Nothing here is part of the test suite.

    python bench/run.py --profile [--sizes 2000]

instead profiles one cold build and one add-one build in a single process
(`DIGEST_JOBS=1`, cProfile) and prints where the time goes, by stage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


CORPUS_SCRIPT = REPO / "bench" / "make_corpus.py"


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, float, float]:
    """Run a command; return (wall seconds, CPU seconds, peak RSS MiB) from wait4's rusage."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure_tree(cmd, **kw):
    """wait4's rusage already folds in the command's reaped children (build workers, Pagefind):
    CPU is their sum, peak memory the largest single process."""
    return measure(cmd, **kw)


def digest(root: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "generator", "build", "--root", str(root), *extra]


def add_brief(root: Path, n: int) -> Path:
    """A new brief, newest of all, made from the newest existing one with a fresh URL and title."""
    newest = sorted((root / "content" / "briefs").rglob("*.md"))[-1]
    text = newest.read_text(encoding="utf-8")
    text = text.replace('title: "', f'title: "Bench addition {n}: ', 1)
    text = text.replace('  url: "https://', f'  url: "https://bench-{n}.', 1)
    path = newest.with_name(f"zz-bench-addition-{n}.md")
    path.write_text(text, encoding="utf-8")
    return path


def touch_one(root: Path) -> None:
    """A new modification time on one brief: same bytes, so a rebuild that renders nothing."""
    os.utime(sorted((root / "content" / "briefs").rglob("*.md"))[0])


def set_aside(path: Path, work: Path) -> None:
    """Move an old output out of the way; it is deleted with `work` once everything is measured.

    Not deleted now: on ext4 without a journal (this project's CI and benchmark machines), the
    kernel skips every inode freed in the last minute or more when it allocates a new one
    (ext4's `recently_deleted` check), so creating files right after deleting thousands costs
    up to several times as much kernel time, and whichever build runs next would pay for it.
    """
    if path.exists():
        aside = work / "set-aside"
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{len(list(aside.iterdir()))}-{path.name}")


def hugo_site(corpus: Path, work: Path) -> Path:
    site = work / "hugo-site"
    set_aside(site, work)
    shutil.copytree(REPO / "bench" / "hugo", site)
    shutil.copytree(corpus / "content" / "briefs", site / "content" / "briefs")
    return site


def median_row(samples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return tuple(statistics.median(s[i] for s in samples) for i in range(3))


def run_size(n: int, args, results: dict) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"digest-bench-{n}-"))
    corpus = work / "corpus"
    subprocess.run([PYTHON, str(CORPUS_SCRIPT), str(n), str(corpus)], check=True, stdout=subprocess.DEVNULL)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    rows: dict[str, list] = {k: [] for k in ("cold", "no-change", "add-one", "add-one+search", "cold+search",
                                             "hugo cold", "hugo add-one", "hugo+pagefind")}
    counter = 0
    for run in range(args.runs + args.warmup):  # warm-up runs fill the disk cache and are not counted
        counted = run >= args.warmup
        for d in (corpus / "site", corpus / ".site.spare", corpus / ".digest-cache"):
            set_aside(d, work)
        cold = measure_tree(digest(corpus, "--no-search"), env=env)
        nochange = measure_tree(digest(corpus, "--no-search"), env=env)
        # steady state: one ordinary rebuild first, so the spare tree a rebuild updates exists
        touch_one(corpus)
        measure_tree(digest(corpus, "--no-search"), env=env)
        counter += 1
        added = add_brief(corpus, counter)
        addone = measure_tree(digest(corpus, "--no-search"), env=env)
        added.unlink()
        if args.search:
            for d in (corpus / "site", corpus / ".site.spare", corpus / ".digest-cache"):
                set_aside(d, work)
            coldsearch = measure_tree(digest(corpus), env=env)  # everything, index included, from nothing
            touch_one(corpus)
            measure_tree(digest(corpus), env=env)  # steady state, as above
            counter += 1
            added = add_brief(corpus, counter)
            addsearch = measure_tree(digest(corpus), env=env)
            added.unlink()
        if counted:
            rows["cold"].append(cold)
            rows["no-change"].append(nochange)
            rows["add-one"].append(addone)
            if args.search:
                rows["add-one+search"].append(addsearch)
                rows["cold+search"].append(coldsearch)
        if args.hugo:
            site = hugo_site(corpus, work)
            set_aside(work / "hugo-out", work)  # cold: into nothing, as ours
            hcold = measure_tree(["hugo", "--quiet", "-s", str(site), "-d", str(work / "hugo-out")])
            counter += 1
            add_brief(site, counter)
            hadd = measure_tree(["hugo", "--quiet", "-s", str(site), "-d", str(work / "hugo-out")])
            if args.search:
                set_aside(work / "hugo-out", work)
                hboth = measure_tree(["hugo", "--quiet", "-s", str(site), "-d", str(work / "hugo-out")])
                pf = measure_tree(pagefind() + ["--site", str(work / "hugo-out"), "--quiet"])
                hboth = (hboth[0] + pf[0], hboth[1] + pf[1], max(hboth[2], pf[2]))
            if counted:
                rows["hugo cold"].append(hcold)
                rows["hugo add-one"].append(hadd)
                if args.search:
                    rows["hugo+pagefind"].append(hboth)
    if args.serve:
        latency = serve_latency(corpus, args.hugo)
        if latency:
            rows["serve"] = [(latency["digest"]["median"], 0.0, latency["digest"]["rss_mib"])]
            if latency["hugo"]:
                rows["hugo serve"] = [(latency["hugo"]["median"], 0.0, latency["hugo"]["rss_mib"])]
            print(f"bench: {n} briefs, save to new page in Chromium: {describe_serve(latency)}", file=sys.stderr)
    results[n] = {k: median_row(v) for k, v in rows.items() if v}
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def serve_latency(corpus: Path, hugo: bool) -> dict | None:
    """File save to new DOM, in Chromium: hugo server then digest serve on the same briefs (median of 5 saves each)."""
    try:
        sys.path.insert(0, str(REPO / "bench"))
        from serve_latency import measure_side_by_side  # noqa: WPS433
    except ImportError:
        return None
    return measure_side_by_side(corpus, 5, hugo=hugo)


def describe_serve(result: dict) -> str:
    from serve_latency import describe  # noqa: WPS433

    return describe(result)


STAGES = (  # (label, function as pstats names it: file suffix, function name)
    ("the command around it", None, None),
    ("load and validate", "generator/stages.py", "load_and_validate"),
    ("  reading files", "generator/load.py", "find_content"),
    ("  parsing new briefs", "generator/validate.py", "parse_brief"),
    ("assemble", "generator/stages.py", "assemble_site"),
    ("plan", "generator/stages.py", "make_plan"),
    ("render, check, write", "generator/produce.py", "update_tree"),
    ("  Markdown", "generator/markdown.py", ("render_block", "render_inline")),
    ("  Jinja", "jinja2/environment.py", "render"),
    ("  email editions", "generator/render.py", ("_email_html", "_email_text")),
    ("  disclaimer check", "generator/check_output.py", "check_page"),
    ("search index", "generator/stages.py", "index"),
    ("manifest", "generator/stages.py", "write_manifest"),
    ("swap", "generator/write.py", "swap_in"),
    ("remember (cache files)", "generator/incremental.py", "store_fragments"),
    ("whole build", "generator/build.py", "build_site"),
)


# cProfile timing CPU, not wall, time: on a shared machine other processes' work stays out of the figures
PROFILED = """
import cProfile, runpy, sys, time
out, sys.argv = sys.argv[1], ["generator"] + sys.argv[2:]
profiler = cProfile.Profile(time.process_time)
profiler.enable()
try:
    runpy.run_module("generator", run_name="__main__")
except SystemExit:
    pass
profiler.disable()
profiler.dump_stats(out)
"""


def profile(n: int, keep: bool) -> None:
    """One cold build and one add-one build of an n-brief corpus, each in one process under cProfile."""
    import pstats

    work = Path(tempfile.mkdtemp(prefix=f"digest-profile-{n}-"))
    corpus = work / "corpus"
    subprocess.run([PYTHON, str(CORPUS_SCRIPT), str(n), str(corpus)], check=True, stdout=subprocess.DEVNULL)
    env = {**os.environ, "PYTHONPATH": str(REPO), "DIGEST_JOBS": "1"}

    def profiled(name: str, *extra: str) -> Path:
        out = work / f"{name}.prof"
        cmd = [PYTHON, "-c", PROFILED, str(out), "build", "--root", str(corpus), *extra]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return out

    reports = {"cold": profiled("cold", "--no-search", "--clean")}
    subprocess.run(digest(corpus, "--no-search"), env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # a second tree, so the add-one below is the steady case
    add_brief(corpus, 1)
    reports["add-one"] = profiled("add-one", "--no-search")
    print(f"\n{n} briefs, one process (DIGEST_JOBS=1), cumulative CPU seconds under cProfile:\n")
    print(f"{'stage':<26}" + "".join(f"{k:>10}" for k in reports))
    stats = {k: pstats.Stats(str(v)) for k, v in reports.items()}
    for label, suffix, func in STAGES:
        cells = []
        for st in stats.values():
            if suffix is None:  # the command around the build: argument parsing, printing the report
                cum = lambda f, n: sum(v[3] for key, v in st.stats.items() if key[0].endswith(f) and key[2] == n)  # noqa: E731
                cells.append(cum("generator/cli.py", "main") - cum("generator/build.py", "build_site"))
                continue
            names = func if isinstance(func, tuple) else (func,)
            cells.append(sum(v[3] for key, v in st.stats.items() if key[0].endswith(suffix) and key[2] in names))
        print(f"{label:<26}" + "".join(f"{c:>10.2f}" for c in cells))
    for name, st in stats.items():
        print(f"\ntop functions by own time, {name}:")
        st.sort_stats("tottime").print_stats(12)
    print(f"profiles kept in {work}" if keep else "")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


def pagefind() -> list[str]:
    from pagefind_bin import get_executable

    return [str(get_executable())]


AT_SCALE = 10000  # briefs: the corpus #12 sets its targets for
TARGETS = (  # (issue, what, scenario, compared with, at most this ratio, for this many briefs only or None)
    ("#12", "one brief added, search included", "add-one+search", "hugo cold", 0.2, AT_SCALE),
    ("#12", "nothing changed", "no-change", "hugo cold", 0.05, AT_SCALE),
    ("#13", "cold, no search", "cold", "hugo cold", 1.0, None),
    ("#13", "full build with search from nothing", "cold+search", "hugo+pagefind", 1.0, None),
    ("#14", "preview: save to new page in Chromium", "serve", "hugo serve", 0.5, None),
)


def print_targets(results: dict) -> None:
    print(f"{'briefs':>8}  {'issue':<5} {'target':<38} {'ratio':>7} {'limit':>6}  met")
    for n, rows in results.items():
        for issue, what, ours, theirs, limit, only_at in TARGETS:
            if ours in rows and theirs in rows and only_at in (None, n):
                ratio = rows[ours][0] / rows[theirs][0]
                print(f"{n:>8}  {issue:<5} {what:<38} {ratio:>7.3f} {limit:>6.2f}  {'yes' if ratio <= limit else 'NO'}")
        if "add-one+search" in rows and n == AT_SCALE:
            wall = rows["add-one+search"][0]
            print(f"{n:>8}  {'#12':<5} {'one brief added with search, seconds':<38} {wall:>7.2f} {3.0:>6.2f}  "
                  f"{'yes' if wall < 3.0 else 'NO'}")
        if "cold" in rows:
            print(f"{n:>8}  {'#13':<5} {'peak memory without search, MiB':<38} {rows['cold'][2]:>7.0f} {300:>6}  "
                  f"{'yes' if rows['cold'][2] < 300 else 'NO'}")
    print()


def print_table(results: dict) -> None:
    print()
    print(f"{'briefs':>8}  {'scenario':<15} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'× hugo cold':>11}")
    for n, rows in results.items():
        hugo = rows.get("hugo cold", (None,))[0]
        for name, (wall, cpu, rss) in rows.items():
            ratio = f"{wall / hugo:>11.3f}" if hugo else f"{'–':>11}"
            print(f"{n:>8}  {name:<15} {wall:>8.3f} {cpu:>8.2f} {rss:>9.0f} {ratio}")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (e.g. 1000,10000,100000)")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per scenario")
    ap.add_argument("--warmup", type=int, default=1, help="runs before those, not counted (default 1)")
    ap.add_argument("--search", action="store_true", help="also time add-one with the Pagefind index")
    ap.add_argument("--serve", action="store_true", help="also time save-to-browser: digest serve and hugo server side by side")
    ap.add_argument("--no-hugo", dest="hugo", action="store_false", help="skip Hugo even when installed")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpora")
    ap.add_argument("--profile", action="store_true", help="profile one cold and one add-one build instead")
    args = ap.parse_args(argv)
    if args.profile:
        for n in (int(x) for x in args.sizes.split(",")):
            profile(n, args.keep)
        return 0
    if args.hugo and not shutil.which("hugo"):
        print("bench: hugo is not installed (apt-get install hugo); running without it", file=sys.stderr)
        args.hugo = False
    # Bytecode for the generator, as installing a wheel makes it: with PYTHONDONTWRITEBYTECODE set
    # (as on CI machines) every measured build would otherwise compile its modules again.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(REPO / "generator")], check=True, stdout=subprocess.DEVNULL)
    results: dict = {}
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"bench: {n} briefs ...", file=sys.stderr, flush=True)
        run_size(n, args, results)
    print_table(results)
    print_targets(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
