"""The preview with the real watcher and the real build: what editors do, what gets served.

Every test waits for a condition, never for a while: `live.sync()` saves a
marker file last and waits until it is handled, so whatever the watcher saw
before it has been handled too, on a slow machine as on a fast one.
"""

import os
import re
import threading

import pytest

from conftest import brief_text
from serve_live import Live, wait_for


def h1(html):
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html or "", re.S)
    return found.group(1) if found else None


@pytest.fixture
def preview(project, tmp_path):
    made = []

    def start(files, **kw):
        root = project(files)
        p = Live(root, tmp_path / "workdir", **kw)
        made.append(p)
        return root, p

    yield start
    for p in made:
        p.close()


def test_first_build_is_served_with_drafts_badged(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Draft one", extra="draft: true\n")})
    snap = p.state.current()
    assert snap.ok and snap.build == 1 and snap.base_path == "/digest/"
    assert "badge-draft" in p.page("briefs/x/index.html")


def test_a_broken_save_keeps_the_last_good_build_and_the_next_good_save_clears_it(preview):
    root, p = preview({"content/briefs/x.md": brief_text("First title")})
    good = p.state.current()
    (root / "content/briefs/x.md").write_text(brief_text("First title").replace('title: "First title"', 'title: "Broken'))
    saves = p.sync()
    snap = p.state.current()
    assert len(saves) >= 1 and not saves[-1].ok and not snap.ok
    assert (snap.folder, snap.build) == (good.folder, good.build)
    assert "First title" in p.page("briefs/x/index.html")
    assert snap.diagnostics[0].path == "content/briefs/x.md" and snap.diagnostics[0].line > 0
    (root / "content/briefs/x.md").write_text(brief_text("Second title"))
    p.sync()
    snap = p.state.current()
    assert snap.ok and snap.diagnostics == () and snap.build > good.build
    assert h1(p.page("briefs/x/index.html")) == "Second title"


def test_undoing_a_broken_save_clears_the_problem_without_a_reload(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Kept")})
    good = p.state.current()
    (root / "content/briefs/x.md").write_text("---\ntitle: [unclosed\n---\n")
    p.sync()
    assert not p.state.current().ok
    (root / "content/briefs/x.md").write_text(brief_text("Kept"))
    p.sync()
    snap = p.state.current()
    assert snap.ok and snap.build > good.build and h1(p.page("briefs/x/index.html")) == "Kept"


def test_a_burst_of_20_saves_in_100_ms_gives_one_consistent_result(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Save 0")})
    target = root / "content/briefs/x.md"
    for i in range(1, 21):
        target.write_text(brief_text(f"Save {i}"))
        wait_for(lambda: False, 0.005)
    saves = p.sync()
    # Few updates (one when the machine keeps up), never a broken page, and the last save wins.
    assert 1 <= len(saves) <= 4 and all(r.ok for r in saves), [(r.reason, r.ok) for r in saves]
    assert h1(p.page("briefs/x/index.html")) == "Save 20"


def test_save_by_rename_over(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Before rename")})
    tmp = root / "content/briefs/.x.md.tmp-4242"
    tmp.write_text(brief_text("After rename"))
    os.replace(tmp, root / "content/briefs/x.md")
    saves = p.sync()
    assert [(r.ok, r.full) for r in saves] == [(True, False)]
    assert "After rename" in p.page("briefs/x/index.html")


def test_vim_style_save_backup_then_new_file(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Before vim")})
    target = root / "content/briefs/x.md"
    os.rename(target, root / "content/briefs/x.md~")
    (root / "content/briefs/4913").write_text("")
    (root / "content/briefs/4913").unlink()
    target.write_text(brief_text("After vim"))
    (root / "content/briefs/x.md~").unlink()
    saves = p.sync()
    assert saves and all(r.ok for r in saves)
    assert "After vim" in p.page("briefs/x/index.html")


def test_swap_files_alone_change_nothing(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Untouched")})
    (root / "content/briefs/.x.md.swp").write_bytes(b"\x00swap")
    (root / "content/briefs/x.md~").write_text("backup")
    (root / "content/briefs/.#x.md").write_text("lock")
    assert p.sync() == [] and p.state.current().build == 1


def test_delete_rename_and_new_folders(preview):
    root, p = preview({"content/briefs/a.md": brief_text("Alpha"), "content/briefs/b.md": brief_text("Beta")})
    (root / "content/briefs/a.md").unlink()
    p.sync()
    assert p.page("briefs/a/index.html") is None
    assert "briefs/a/" not in p.page("index.html") and "briefs/b/" in p.page("index.html")

    (root / "content/briefs/2026/03").mkdir(parents=True)
    os.rename(root / "content/briefs/b.md", root / "content/briefs/2026/03/gamma.md")
    p.sync()
    assert p.page("briefs/b/index.html") is None
    assert "Beta" in p.page("briefs/gamma/index.html")
    assert "briefs/gamma/" in p.page("index.html")

    os.rename(root / "content/briefs/2026", root / "content/briefs/archive")  # a whole folder moves
    (root / "content/briefs/c.md").write_text(brief_text("Gamma's sibling"))
    p.sync()
    assert "Beta" in p.page("briefs/gamma/index.html") and "sibling" in p.page("index.html")


def test_a_save_during_a_running_save_is_handled_right_after(preview):
    started, release = threading.Event(), threading.Event()
    seen = []

    def slow(batch):
        seen.append(sorted(batch))
        if len(seen) == 1:  # the first save is slow: the next one lands while it runs
            started.set()
            release.wait(10)

    root, p = preview({"content/briefs/x.md": brief_text("One")}, before_change=slow)
    (root / "content/briefs/x.md").write_text(brief_text("Two"))
    assert started.wait(10)
    (root / "content/briefs/x.md").write_text(brief_text("Three"))
    release.set()
    saves = p.sync()
    assert all(r.ok for r in saves) and len(saves) >= 2
    assert h1(p.page("briefs/x/index.html")) == "Three"


def test_a_layout_change_rebuilds_in_full(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Layout test"),
                       "layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost here</h1>{% endblock %}"})
    assert "Lost here" in p.page("404.html")
    (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Gone away</h1>{% endblock %}")
    saves = p.sync()
    assert saves[-1].ok and saves[-1].full
    assert "Gone away" in p.page("404.html")


def test_a_template_error_keeps_the_last_good_build(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Template test"),
                       "layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>Fine</h1>{% endblock %}"})
    (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>{{ nope( }}</h1>{% endblock %}")
    saves = p.sync()
    assert not saves[-1].ok and saves[-1].diagnostics[0].path == "layouts/404.html"
    assert "Fine" in p.page("404.html") and not p.state.current().ok


def test_search_is_indexed_in_the_background_and_refreshed_after_saves(project, tmp_path):
    from generator.serve.rebuild import SearchIndexer

    root = project({"content/briefs/a.md": brief_text("Alpha quokka")})
    p = Live(root, tmp_path / "workdir")
    indexer = SearchIndexer(p.session, tmp_path / "workdir", quiet=0.05)
    p.session.after_publish = indexer.request
    try:
        indexer.request(p.session)
        assert indexer.wait_runs(1, 120)
        first = p.session.search_dir
        assert len(list((first / "pagefind/fragment").iterdir())) == 2  # the brief and its week's issue page
        assert p.session.get("pagefind/pagefind.js")
        (root / "content/briefs/b.md").write_text(brief_text("Beta wombat"))
        p.sync()
        assert indexer.wait_runs(2, 120)
        folder = p.session.search_dir
        assert folder != first and not first.exists()
        assert len(list((folder / "pagefind/fragment").iterdir())) == 3
        assert p.session.get("pagefind/pagefind.js") and p.session.get("pagefind/shards.json")
    finally:
        indexer.stop()
        p.close()
