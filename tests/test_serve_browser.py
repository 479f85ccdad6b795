"""digest serve in a real Chromium: saves show up by themselves, problems show as an overlay."""

import re
import time

import pytest

from conftest import brief_text, free_port
from generator.build import check_site
from serve_process import running_serve

pytestmark = pytest.mark.browser

WAIT_MS = 15000


def write_atomically(path, text):
    """Save the way many editors do: a temporary file renamed over the original."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_edit_break_fix_and_delete_a_brief_in_the_browser(project, page):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Original title"),
                    "content/briefs/y.md": brief_text("Other brief")})
    brief = root / "content/briefs/x.md"
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    with running_serve(root, free_port()) as serve:
        base = serve.url()
        page.goto(base + "briefs/x/")
        h1 = page.locator("h1")
        expect(h1).to_have_text("Original title")
        page.evaluate("window.loadedByTest = true")

        # 1. Change the title on disk: the open page shows it without a manual reload.
        write_atomically(brief, brief_text("Changed title"))
        expect(h1).to_have_text("Changed title", timeout=WAIT_MS)
        assert page.evaluate("window.loadedByTest") is True  # patched in place, no reload (test_serve_patch.py)
        assert serve.wait_for_line("rebuilt in ").endswith("(brief changed: content/briefs/x.md)")

        # 2. Break its YAML: the overlay names the file and line and shows the source line.
        broken = brief_text("Changed title").replace("tags: [testing]", "tags: [testing")
        expected = check_site(_scratch_with(root, broken)).diagnostics[0]
        assert expected.path == "content/briefs/x.md" and expected.line > 0
        write_atomically(brief, broken)
        overlay = page.locator("#digest-overlay")
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay.locator(".digest-problem-location")).to_have_text(expected.location)
        expect(overlay.locator(".digest-problem-source")).to_contain_text(expected.source_line.strip())
        expect(h1).to_have_text("Changed title")                  # the last good build stays
        assert serve.wait_for_line("content/briefs/x.md:").startswith(expected.location)
        expect(overlay).to_have_css("position", "fixed")          # overlay.css loaded under the CSP

        # 3. Fix it: the overlay goes and the page shows the fix.
        write_atomically(brief, brief_text("Fixed title"))
        expect(h1).to_have_text("Fixed title", timeout=WAIT_MS)
        expect(page.locator("#digest-overlay")).to_have_count(0)

        # 4. Delete it: the open page becomes the 404 page; the home page no longer lists it.
        brief.unlink()
        expect(h1).to_have_text("Page not found", timeout=WAIT_MS)
        page.goto(base)
        expect(page.locator('a[href="/digest/briefs/y/"]').first).to_be_visible()
        assert page.locator('a[href="/digest/briefs/x/"]').count() == 0
    assert [e for e in console_errors if "Content Security Policy" in e or "Refused" in e] == []


def test_a_layout_change_reloads_every_open_tab(project, browser):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Tab test"),
                    "layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost</h1>{% endblock %}"})
    context = browser.new_context()
    try:
        with running_serve(root, free_port()) as serve:
            base = serve.url()
            tabs = [context.new_page() for _ in range(3)]
            for tab in tabs:
                tab.goto(base + "nowhere/")
                expect(tab.locator("h1")).to_have_text("Lost")
            (root / "layouts/404.html").write_text(
                "{% extends 'base.html' %}{% block main %}<h1>Still lost</h1>{% endblock %}")
            for tab in tabs:
                expect(tab.locator("h1")).to_have_text("Still lost", timeout=WAIT_MS)
    finally:
        context.close()


def _scratch_with(root, broken_text):
    """A copy of the site with the broken brief, to ask the checker where the problem is."""
    import shutil
    import tempfile
    from pathlib import Path

    scratch = Path(tempfile.mkdtemp()) / "site"
    shutil.copytree(root / "content", scratch / "content")
    (scratch / "content/briefs/x.md").write_text(broken_text, encoding="utf-8")
    return scratch


def test_the_open_home_and_tag_pages_follow_a_new_brief_and_a_changed_tag(project, browser):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Standing brief", tags="[privacy]")})
    context = browser.new_context()
    try:
        with running_serve(root, free_port()) as serve:
            base = serve.url()
            home, tag = context.new_page(), context.new_page()
            home.goto(base)
            tag.goto(base + "tags/privacy/")
            expect(tag.locator("main")).to_contain_text("Standing brief")
            write_atomically(root / "content/briefs/new.md",
                             brief_text("Freshly added", published="2026-03-18", tags="[privacy]"))
            expect(home.locator("main")).to_contain_text("Freshly added", timeout=WAIT_MS)
            expect(tag.locator("main")).to_contain_text("Freshly added", timeout=WAIT_MS)
            write_atomically(root / "content/briefs/x.md", brief_text("Standing brief", tags="[procurement]"))
            expect(tag.locator("main")).not_to_contain_text("Standing brief", timeout=WAIT_MS)
            tag.goto(base + "tags/procurement/")
            expect(tag.locator("main")).to_contain_text("Standing brief")
    finally:
        context.close()
