"""Save-to-new-DOM latency of `digest serve`, measured in Chromium.

Opens a brief in the middle of the corpus, then repeatedly renames a new
version of its file over the old one (as editors' save-by-rename does) and
times from the rename to the reloaded page's DOM showing the new title.
Used by bench/run.py --serve; runnable alone:

    python bench/serve_latency.py CORPUS_DIR [SAVES]
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def measure_serve_latency(root: Path, env: dict | None = None, saves: int = 5) -> float:
    """Median milliseconds from file rename to new DOM, over `saves` edits (returned in seconds)."""
    from conftest import CHROMIUM, CHROMIUM_ARGS, free_port
    from playwright.sync_api import expect, sync_playwright
    from serve_process import ServeProcess

    briefs = sorted((root / "content" / "briefs").rglob("*.md"))
    target = briefs[len(briefs) // 2]
    text = target.read_text(encoding="utf-8")
    title_line = re.search(r"^title: (.*)$", text, re.M).group(0)
    slug_line = re.search(r"^slug: (.*)$", text, re.M)
    slug = slug_line.group(1).strip() if slug_line else target.stem
    serve = ServeProcess(root, free_port())
    results: list[float] = []
    try:
        serve.wait_for_line("serving ", 1800)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(serve.url() + f"briefs/{slug}/")
            for i in range(saves):
                title = f"Latency probe {i} {random.randint(0, 10**6)}"
                time.sleep(1.0)
                temp = target.with_name("." + target.name + ".tmp")
                temp.write_text(text.replace(title_line, f'title: "{title}"', 1), encoding="utf-8")
                started = time.time() * 1000
                temp.replace(target)
                expect(page.locator("h1")).to_have_text(title, timeout=900_000)
                dom = page.evaluate("performance.timeOrigin + performance.getEntriesByType('navigation')[0].domInteractive")
                results.append(dom - started)
            browser.close()
    finally:
        if serve.proc.poll() is None:
            serve.interrupt(600)
        target.write_text(text, encoding="utf-8")
    return statistics.median(results) / 1000


if __name__ == "__main__":
    corpus = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"{corpus}: median save-to-DOM {measure_serve_latency(corpus, saves=count) * 1000:.0f} ms over {count} saves")
