"""Screenshots of the sample site for docs/screenshots/: home, brief, issue and search at 1280 and 375 px.

    .venv/bin/python scripts/screenshots.py

Builds the sample (with search) into a temporary folder, serves it and drives
Debian's Chromium through Playwright, like the browser tests do.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import CHROMIUM, CHROMIUM_ARGS, build, serve_folder  # noqa: E402
from page_kinds import BASE_PATH, page_kinds  # noqa: E402

SHOTS = ["home", "brief", "issue", "search"]
WIDTHS = {1280: 900, 375: 812}


def main() -> int:
    from playwright.sync_api import sync_playwright

    out_dir = REPO / "docs" / "screenshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        import shutil

        root = Path(tmp)
        shutil.copytree(REPO / "content", root / "content")
        shutil.copytree(REPO / "layouts", root / "layouts")
        build(root, root / "site", search=True)
        kinds = page_kinds(root / "site")
        base, stop = serve_folder(root / "site", BASE_PATH)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for width, height in WIDTHS.items():
                    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="light")
                    for name in SHOTS:
                        path = kinds[name] + ("?q=agencies" if name == "search" else "")
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(300)
                        target = out_dir / f"{name}-{width}.png"
                        page.screenshot(path=str(target))
                        print(target.relative_to(REPO))
                    page.close()
                browser.close()
        finally:
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
