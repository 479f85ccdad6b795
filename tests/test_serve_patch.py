"""digest serve in a real Chromium: a save patches the open page in place, or reloads it when a patch would not be faithful.

The preview runs in this process (its real session, worker, watcher and HTTP server), so a test can
also see what the server saw: whether the patched page started its next poll, which is how the server
knows the shown page has the new build (session.RELOAD_GRACE).
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import REPO, brief_text
from generator.serve import session as session_module
from generator.serve.server import PreviewServer
from serve_live import Live, wait_for

pytestmark = pytest.mark.browser

WAIT_MS = 15000
WATCH = """() => {
  window.keptByTest = true;
  window.patchedBuilds = [];
  document.addEventListener("digest:patched", (e) => window.patchedBuilds.push(e.detail.build));
}"""


def write_atomically(path: Path, text: str) -> None:
    """Save the way many editors do: a temporary file renamed over the original."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@contextlib.contextmanager
def serving(root: Path, work: Path):
    """The preview of `root` on a free port, with a record of each save's wait for the shown pages."""
    live = Live(root, work)
    waits = []
    original = live.state.wait_reloaded

    def recorded(before, timeout):
        done = original(before, timeout)
        waits.append((dict(before), done))
        return done

    live.state.wait_reloaded = recorded
    server = PreviewServer(("127.0.0.1", 0), live.state)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield SimpleNamespace(live=live, waits=waits, url=f"http://127.0.0.1:{server.server_address[1]}/digest/")
    finally:
        live.state.wake_all()
        server.shutdown()
        server.server_close()
        live.close()


def shown(preview, path: str) -> None:
    """Wait until the open page at `path` is waiting for news from the server (a poll is open now)."""
    state = preview.live.state
    assert wait_for(lambda: state._shown.get(path, [0])[0] > 0, 15), state.polls()


@pytest.fixture(autouse=True)
def patient_grace(monkeypatch):
    """A slow machine must not turn a late poll into a pass: the wait below ends at the poll, not at this."""
    monkeypatch.setattr(session_module, "RELOAD_GRACE", 20.0)


def test_a_save_patches_the_open_brief_in_place(project, page, tmp_path):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Original title"),
                    "content/briefs/y.md": brief_text("Other brief")})
    brief = root / "content/briefs/x.md"
    with serving(root, tmp_path / "work") as preview:
        page.goto(preview.url + "briefs/x/")
        h1 = page.locator("h1")
        expect(h1).to_have_text("Original title")
        copy_hidden = page.locator(".copy-citation").evaluate("b => b.hidden")  # as site.js left it
        page.evaluate(WATCH)
        shown(preview, "/digest/briefs/x/")

        write_atomically(brief, brief_text("Changed title"))
        expect(h1).to_have_text("Changed title", timeout=WAIT_MS)
        expect(page).to_have_title("Changed title | Test Digest")
        build = preview.live.state.current().build
        assert page.evaluate("window.keptByTest") is True  # no new navigation: the same window
        assert page.evaluate("window.patchedBuilds") == [build]
        assert page.evaluate("typeof window.__digestPatchedAt") == "number"
        scripts = page.locator('script[src$="__digest__/livereload.js"]')
        expect(scripts).to_have_count(1)  # ours stays, the fetched page's copy is not added
        expect(scripts).to_have_attribute("data-build", str(build))
        assert page.evaluate("document.documentElement.lang") == "en-AU"
        assert page.locator(".copy-citation").evaluate("b => b.hidden") == copy_hidden  # site.js ran again
        expect(page.locator("nav.breadcrumbs")).to_contain_text("Changed title")
        # the server saw the patched page start its next poll, as it sees a reloaded one
        assert [(list(before), done) for before, done in preview.waits] == [(["/digest/briefs/x/"], True)]

        # the poll loop goes on: a second save patches again
        write_atomically(brief, brief_text("Changed again"))
        expect(h1).to_have_text("Changed again", timeout=WAIT_MS)
        assert page.evaluate("window.keptByTest") is True
        assert page.evaluate("window.patchedBuilds") == [build, preview.live.state.current().build]
        assert preview.waits[-1][1] is True

        # the skip link still leads to the main content
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()


def test_scroll_position_and_focus_in_an_unchanged_part_are_kept(project, page, tmp_path):
    from playwright.sync_api import expect

    long_body = "\n\n".join(f"Paragraph {i} of a long summary, long enough to scroll." for i in range(80))
    root = project({"content/briefs/x.md": brief_text("Title one", body=long_body)})
    brief = root / "content/briefs/x.md"
    page.set_viewport_size({"width": 800, "height": 500})
    with serving(root, tmp_path / "work") as preview:
        page.goto(preview.url + "briefs/x/")
        page.evaluate(WATCH)
        box = page.locator("#header-q")
        box.focus()
        box.type("kelp")  # the reader was typing in the header's search box
        page.evaluate("window.scrollTo(0, 1200)")
        assert page.evaluate("window.scrollY") == 1200
        shown(preview, "/digest/briefs/x/")

        write_atomically(brief, brief_text("Title two", body=long_body.replace("Paragraph 3 ", "Section 3 ")))
        expect(page.locator("main")).to_contain_text("Section 3 of a long summary", timeout=WAIT_MS)
        expect(page.locator("h1")).to_have_text("Title two")
        assert page.evaluate("window.patchedBuilds.length") == 1
        assert page.evaluate("window.scrollY") == 1200
        expect(box).to_be_focused()
        expect(box).to_have_value("kelp")


def test_a_broken_save_shows_the_overlay_and_the_fix_patches_it_away(project, page, tmp_path):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Changed title")})
    brief = root / "content/briefs/x.md"
    with serving(root, tmp_path / "work") as preview:
        page.goto(preview.url + "briefs/x/")
        page.evaluate(WATCH)
        shown(preview, "/digest/briefs/x/")
        write_atomically(brief, brief_text("Changed title").replace("tags: [testing]", "tags: [testing"))
        overlay = page.locator("#digest-overlay")
        expect(overlay).to_be_visible(timeout=WAIT_MS)
        expect(overlay.locator(".digest-problem-location")).to_contain_text("content/briefs/x.md:")
        expect(overlay).to_have_css("position", "fixed")
        expect(page.locator("h1")).to_have_text("Changed title")  # the last good build stays

        write_atomically(brief, brief_text("Fixed title"))
        expect(page.locator("h1")).to_have_text("Fixed title", timeout=WAIT_MS)
        expect(overlay).to_have_count(0)
        assert page.evaluate("window.keptByTest") is True
        assert page.evaluate("window.patchedBuilds.length") == 1


def _brief_layout(head: str, main_end: str) -> str:
    """The default theme's brief page with extra markup in the head and at the end of main."""
    text = (REPO / "layouts/brief.html").read_text(encoding="utf-8")
    text = text.replace("{% block main %}", "{% block head %}" + head + "{% endblock %}\n{% block main %}", 1)
    last = text.rindex("{% endblock %}")
    return text[:last] + main_end + text[last:]


def test_a_change_of_stylesheets_or_a_page_with_its_own_scripts_reloads_in_full(project, page, tmp_path):
    from playwright.sync_api import expect

    layout = _brief_layout(
        "{% if 'styled' in b.tags %}<link rel=\"stylesheet\" href=\"{{ link('assets/extra.css') }}\">{% endif %}",
        "{% if 'scripted' in b.tags %}<script src=\"{{ link('assets/extra.js') }}\" defer></script>{% endif %}")
    root = project({"content/briefs/x.md": brief_text("Plain"),
                    "layouts/brief.html": layout,
                    "layouts/assets/extra.css": "h1 { color: rgb(1, 2, 3); }\n",
                    "layouts/assets/extra.js": "document.documentElement.setAttribute('data-extra', 'ran');\n"})
    brief = root / "content/briefs/x.md"
    h1 = page.locator("h1")

    def save_and_expect_reload(title: str, tags: str) -> None:
        page.evaluate(WATCH)
        shown(preview, "/digest/briefs/x/")
        with page.expect_navigation(timeout=WAIT_MS):
            write_atomically(brief, brief_text(title, tags=tags))
        expect(h1).to_have_text(title)
        assert page.evaluate("window.keptByTest") is None  # a new document

    with serving(root, tmp_path / "work") as preview:
        page.goto(preview.url + "briefs/x/")
        save_and_expect_reload("Styled", "[testing, styled]")        # a stylesheet added
        expect(h1).to_have_css("color", "rgb(1, 2, 3)")
        save_and_expect_reload("Plain again", "[testing]")           # and removed
        expect(h1).not_to_have_css("color", "rgb(1, 2, 3)")
        save_and_expect_reload("Scripted", "[testing, scripted]")    # a script of its own in the body
        expect(page.locator("html")).to_have_attribute("data-extra", "ran")
        save_and_expect_reload("Scripted, edited", "[testing, scripted]")  # the page runs a script: never patched

        # the search page runs its own script (not patch-aware): a save elsewhere reloads it
        page.goto(preview.url + "search/")
        page.evaluate(WATCH)
        shown(preview, "/digest/search/")
        with page.expect_navigation(timeout=WAIT_MS):
            write_atomically(brief, brief_text("Unscripted", tags="[testing]"))
        expect(page.locator("h1")).to_have_text("Search")
        assert page.evaluate("window.keptByTest") is None


def test_an_asset_change_reloads_with_the_new_stylesheet(project, page, tmp_path):
    from playwright.sync_api import expect

    root = project({"content/briefs/x.md": brief_text("Asset test"),
                    "layouts/assets/extra.css": "h1 { color: rgb(1, 2, 3); }\n",
                    "layouts/brief.html": _brief_layout(
                        "<link rel=\"stylesheet\" href=\"{{ link('assets/extra.css') }}\">", "")})
    with serving(root, tmp_path / "work") as preview:
        page.goto(preview.url + "briefs/x/")
        h1 = page.locator("h1")
        expect(h1).to_have_css("color", "rgb(1, 2, 3)")
        page.evaluate(WATCH)
        shown(preview, "/digest/briefs/x/")
        (root / "layouts/assets/extra.css").write_text("h1 { color: rgb(4, 5, 6); }\n")
        expect(h1).to_have_css("color", "rgb(4, 5, 6)", timeout=WAIT_MS)  # same link, new bytes: a reload
        assert page.evaluate("window.keptByTest") is None
