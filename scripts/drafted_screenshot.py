"""A screenshot of a drafted and reviewed brief for docs/screenshots/drafted-brief-1280.png.

    .venv/bin/python scripts/drafted_screenshot.py

Copies the sample site into a temporary folder, ingests a feed file, drafts
one brief with `digest draft` against the local stand-in server the tests use,
marks it reviewed, builds, and photographs the page in Chromium from the
standfirst to the provenance line under the disclaimer.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, build, serve_folder  # noqa: E402
from test_draft_page import SLUG, drafted_sample  # noqa: E402


def main() -> int:
    from playwright.sync_api import sync_playwright

    target = REPO / "docs" / "screenshots" / "drafted-brief-1280.png"
    with tempfile.TemporaryDirectory() as tmp:
        root = drafted_sample(Path(tmp))
        build(root, root / "site")
        base, stop = serve_folder(root / "site", "/ai-digest/")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
                page.goto(base + f"briefs/{SLUG}/")
                page.wait_for_load_state("networkidle")
                top = page.locator("h1").bounding_box()["y"] - 16
                note = page.locator(".provenance").bounding_box()
                bottom = note["y"] + note["height"] + 48
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": top, "width": 1280, "height": bottom - top})
                browser.close()
        finally:
            stop()
    print(target.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
