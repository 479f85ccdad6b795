"""Save-to-new-DOM latency of `digest serve` and of `hugo server`, side by side, measured in Chromium.

For each server: start it on the corpus, open a brief in the middle of it,
then repeatedly rename a new version of its file over the old one (as
editors' save-by-rename does) and time from the rename to the moment the new
title is in the page's DOM, the same way for both servers: when the page
reloaded (hugo server always; digest serve when it cannot patch), the new
navigation's domInteractive; when digest serve patched the open page in place,
the time its live-reload script recorded right after swapping the DOM
(window.__digestPatchedAt, cleared before each save). Each sample is whichever
of the two applies; the result counts how many saves were patched.
Hugo serves a copy of the same briefs with the equivalent templates in
bench/hugo/, in its default fast render mode. The two run one after the
other in one invocation, on the same briefs and the same browser; the
resident memory of each server is read at the end of its run.
Used by bench/run.py --serve; runnable alone:

    python bench/serve_latency.py CORPUS_DIR [SAVES] [--no-hugo]
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


# When the new title reached the DOM: the in-place patch's moment if the page was patched, else the
# new navigation's domInteractive. Both are milliseconds since the epoch, as time.time() * 1000 is.
NEW_DOM_AT = """() => {
  const patched = window.__digestPatchedAt;
  if (typeof patched === "number") { return [patched, true]; }
  return [performance.timeOrigin + performance.getEntriesByType("navigation")[0].domInteractive, false];
}"""


def _probe(page, target: Path, saves: int) -> tuple[list[float], int]:
    """Milliseconds from each rename to the new DOM, and how many of the saves were patched in place."""
    from playwright.sync_api import expect

    text = target.read_text(encoding="utf-8")
    title_line = re.search(r"^title: (.*)$", text, re.M).group(0)
    results: list[float] = []
    patched = 0
    try:
        for i in range(saves):
            title = f"Latency probe {i} {random.randint(0, 10**6)}"
            time.sleep(1.0)
            page.evaluate("delete window.__digestPatchedAt")
            temp = target.with_name("." + target.name + ".tmp")
            temp.write_text(text.replace(title_line, f'title: "{title}"', 1), encoding="utf-8")
            started = time.time() * 1000
            temp.replace(target)
            expect(page.locator("h1")).to_have_text(title, timeout=900_000)
            dom, in_place = page.evaluate(NEW_DOM_AT)
            results.append(dom - started)
            patched += in_place
    finally:
        target.write_text(text, encoding="utf-8")
    return results, patched


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _middle_brief(root: Path) -> Path:
    briefs = sorted((root / "content" / "briefs").rglob("*.md"))
    return briefs[len(briefs) // 2]


def measure_digest(root: Path, browser, saves: int = 5) -> dict:
    from conftest import free_port
    from serve_process import ServeProcess

    target = _middle_brief(root)
    slug_line = re.search(r"^slug: (.*)$", target.read_text(encoding="utf-8"), re.M)
    slug = slug_line.group(1).strip() if slug_line else target.stem
    serve = ServeProcess(root, free_port())
    try:
        serve.wait_for_line("serving ", 1800)
        page = browser.new_page()
        page.goto(serve.url() + f"briefs/{slug}/")
        results, patched = _probe(page, target, saves)
        rss = _rss_mib(serve.proc.pid)
        page.close()
    finally:
        if serve.proc.poll() is None:
            serve.interrupt(600)
    return {"median": statistics.median(results) / 1000, "samples": results, "rss_mib": rss, "patched": patched}


def measure_hugo(root: Path, browser, saves: int = 5) -> dict:
    """hugo server on a copy of the briefs with bench/hugo's templates, default (fast render) mode."""
    from conftest import free_port

    work = Path(tempfile.mkdtemp(prefix="digest-bench-hugo-"))
    site = work / "hugo-site"
    shutil.copytree(REPO / "bench" / "hugo", site)
    shutil.copytree(root / "content" / "briefs", site / "content" / "briefs")
    target = _middle_brief(site)
    port = free_port()
    proc = subprocess.Popen(["hugo", "server", "-s", str(site), "--bind", "127.0.0.1", "--port", str(port),
                             "--disableFastRender=false"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    try:
        end = time.monotonic() + 1800
        url = None
        while url is None and time.monotonic() < end and proc.poll() is None:
            for line in list(lines):
                found = re.search(r"(http://\S+)", line) if "Web Server is available" in line else None
                if found:
                    url = found.group(1)
            time.sleep(0.1)
        if url is None:
            raise SystemExit("bench: hugo server did not start:\n" + "".join(lines[-20:]))
        rel = target.relative_to(site / "content").with_suffix("").as_posix().lower()
        page = browser.new_page()
        page.goto(url.rstrip("/") + "/" + rel + "/")
        results, patched = _probe(page, target, saves)
        rss = _rss_mib(proc.pid)
        page.close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    return {"median": statistics.median(results) / 1000, "samples": results, "rss_mib": rss, "patched": patched}


def measure_side_by_side(root: Path, saves: int = 5, hugo: bool = True) -> dict:
    """{"digest": {...}, "hugo": {...} or None, "ratio": digest median / hugo median or None}."""
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            theirs = measure_hugo(root, browser, saves) if hugo and shutil.which("hugo") else None
            ours = measure_digest(root, browser, saves)
        finally:
            browser.close()
    ratio = ours["median"] / theirs["median"] if theirs else None
    return {"digest": ours, "hugo": theirs, "ratio": ratio}


def measure_serve_latency(root: Path, env: dict | None = None, saves: int = 5) -> float:
    """Median seconds from file rename to new DOM through digest serve alone."""
    return measure_side_by_side(root, saves, hugo=False)["digest"]["median"]


def describe(result: dict) -> str:
    ours, theirs = result["digest"], result["hugo"]
    line = f"digest serve {ours['median'] * 1000:.0f} ms (RSS {ours['rss_mib']:.0f} MiB)"
    if theirs:
        line += (f", hugo server {theirs['median'] * 1000:.0f} ms (RSS {theirs['rss_mib']:.0f} MiB), "
                 f"ratio {result['ratio']:.2f}")
    return line


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = Path(args[0])
    count = int(args[1]) if len(args) > 1 else 5
    result = measure_side_by_side(corpus, count, hugo="--no-hugo" not in sys.argv)
    print(f"{corpus}: median save-to-DOM over {count} saves: {describe(result)}")
    for name in ("digest", "hugo"):
        if result[name]:
            r = result[name]
            print(f"  {name + ' samples ms:':20}{[round(x) for x in r['samples']]} "
                  f"({r['patched']} of {len(r['samples'])} patched in place)")
