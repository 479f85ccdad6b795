"""Draw layouts/assets/og-image.png (1200x630), the picture shown when a link unfurls in Teams or Outlook.

    .venv/bin/python scripts/og-image.py

Run once after changing the design; the PNG is committed. It carries no protective
marking (the pages carry the site's own), so it never claims the wrong one. Uses the test suite's Chromium.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CARD = """<!doctype html><html><body style="margin:0">
<div style="width:1200px;height:630px;box-sizing:border-box;background:#12355b;color:#fff;
 font-family:system-ui,'Segoe UI',Arial,sans-serif;display:flex;flex-direction:column">
 <div style="flex:1;display:flex;flex-direction:column;justify-content:center;padding:0 90px">
  <div style="font-size:120px;font-weight:800;line-height:1">SIMS</div>
  <div style="font-size:54px;margin-top:18px">Weekly AI digest</div>
  <div style="font-size:30px;margin-top:28px;color:#d7e3f0">AI governance, regulation, strategy and practice for Australian agencies</div>
  <div style="margin-top:40px;display:flex;gap:18px;font-size:28px;font-weight:700">
   <span style="border:4px solid #6fd39e;color:#6fd39e;padding:2px 14px;border-radius:8px">Implement</span>
   <span style="border:4px double #ff9b8a;color:#ff9b8a;padding:2px 14px;border-radius:8px">Decide</span>
   <span style="border:4px dashed #c9b2ff;color:#c9b2ff;padding:2px 14px;border-radius:8px">Consider</span>
   <span style="border:4px dotted #95c2ff;color:#95c2ff;padding:2px 14px;border-radius:8px">Monitor</span>
  </div>
 </div>
</div></body></html>"""


def main() -> int:
    from playwright.sync_api import sync_playwright

    target = REPO / "layouts" / "assets" / "og-image.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(CARD)
        page.screenshot(path=str(target))
        browser.close()
    print(target.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
