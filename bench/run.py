#!/usr/bin/env python3
"""Build benchmark: ai-digest against Hugo on the same synthetic corpus.

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--search] [--serve] [--no-hugo]

For each corpus size it generates briefs with bench/make_corpus.py, then
measures, after one warm-up run:

  cold         empty cache and output, no search      (digest build --no-search)
  no-change    nothing changed since the last build
  add-one      one new brief since the last build (cache on disk, after one
               ordinary rebuild, as in steady use)
  add-one+srch the same with the Pagefind index updated (--search)
  serve        file save to updated page in a browser (--serve): digest serve,
               then hugo server on the same briefs ("hugo serve"); both medians
               and their ratio are printed, peak MiB is each server's RSS
  hugo cold    hugo with equivalent templates (bench/hugo/), when installed
  hugo add-one hugo after adding one brief (no cache between runs)

and prints the median wall time, CPU time (user+system of the build process
and its children) and peak memory (largest resident set of any process of
the build) of several runs, with each figure as a ratio to Hugo's cold build.
Nothing here is part of the test suite.
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


def hugo_site(corpus: Path, work: Path) -> Path:
    site = work / "hugo-site"
    if site.exists():
        shutil.rmtree(site)
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
    rows: dict[str, list] = {k: [] for k in ("cold", "no-change", "add-one", "add-one+search", "hugo cold", "hugo add-one")}
    counter = 0
    for run in range(args.runs + 1):  # the first run warms the disk cache and is not counted
        for d in (corpus / "site", corpus / ".digest-cache"):
            shutil.rmtree(d, ignore_errors=True)
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
            measure_tree(digest(corpus), env=env)  # the index of the corpus as it is
            counter += 1
            added = add_brief(corpus, counter)
            addsearch = measure_tree(digest(corpus), env=env)
            added.unlink()
        if run:
            rows["cold"].append(cold)
            rows["no-change"].append(nochange)
            rows["add-one"].append(addone)
            if args.search:
                rows["add-one+search"].append(addsearch)
        if args.hugo:
            site = hugo_site(corpus, work)
            hcold = measure_tree(["hugo", "--quiet", "-s", str(site), "-d", str(work / "hugo-out")])
            counter += 1
            add_brief(site, counter)
            hadd = measure_tree(["hugo", "--quiet", "-s", str(site), "-d", str(work / "hugo-out")])
            if run:
                rows["hugo cold"].append(hcold)
                rows["hugo add-one"].append(hadd)
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
    ap.add_argument("--runs", type=int, default=3, help="measured runs per scenario, after one warm-up")
    ap.add_argument("--search", action="store_true", help="also time add-one with the Pagefind index")
    ap.add_argument("--serve", action="store_true", help="also time save-to-browser: digest serve and hugo server side by side")
    ap.add_argument("--no-hugo", dest="hugo", action="store_false", help="skip Hugo even when installed")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpora")
    args = ap.parse_args(argv)
    if args.hugo and not shutil.which("hugo"):
        print("bench: hugo is not installed (apt-get install hugo); running without it", file=sys.stderr)
        args.hugo = False
    results: dict = {}
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"bench: {n} briefs ...", file=sys.stderr, flush=True)
        run_size(n, args, results)
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
