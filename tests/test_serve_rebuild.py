"""The rebuild loop with the real watcher and the real build: what editors do, what gets served."""

import os
import re
import threading
import time

import pytest

from conftest import brief_text
from generator.build import build_site
from generator.serve.rebuild import Rebuilder
from generator.serve.status import ServeState
from generator.serve.watch import Debouncer, start_watching
from generator.templates import layout_dirs


def h1(html):
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html or "", re.S)
    return found.group(1) if found else None


def wait_for(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Preview:
    """The watch -> debounce -> rebuild loop of digest serve, in-process, with a build counter."""

    def __init__(self, root, workdir, build_fn=build_site):
        self.root = root
        self.state = ServeState()
        self.builds = []  # (build id, ok) per finished build
        self.started = 0
        self.build_fn = build_fn

        def counting_build(opts):
            self.started += 1
            return self.build_fn(opts)

        self.rebuilder = Rebuilder(root, workdir, self.state, drafts=True, build_fn=counting_build)
        self.rebuilder.build_once("first build")
        self.debouncer = Debouncer(delay=0.1)
        self.stop = threading.Event()
        self.observer = start_watching(root, layout_dirs(root), self.debouncer)
        self.thread = threading.Thread(target=self.rebuilder.run,
                                       args=(self.debouncer, self.stop, lambda r: self.builds.append((r.build, r.ok))))
        self.thread.start()

    def page(self, rel):
        path = self.state.current().folder / rel
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def settle(self, n_builds, timeout=10.0):
        """Wait for n rebuilds, then a little longer to see that no more follow."""
        assert wait_for(lambda: len(self.builds) >= n_builds, timeout), f"only {len(self.builds)} rebuilds"
        time.sleep(0.4)

    def close(self):
        self.stop.set()
        self.observer.stop()
        self.observer.join(5)
        self.thread.join(5)


@pytest.fixture
def preview(project, tmp_path):
    made = []

    def start(files, **kw):
        root = project(files)
        p = Preview(root, tmp_path / "workdir", **kw)
        made.append(p)
        return root, p

    (tmp_path / "workdir").mkdir()
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
    p.settle(1)
    snap = p.state.current()
    assert not snap.ok
    assert (snap.folder, snap.build) == (good.folder, good.build)
    assert "First title" in p.page("briefs/x/index.html")
    assert snap.diagnostics[0].path == "content/briefs/x.md" and snap.diagnostics[0].line > 0
    (root / "content/briefs/x.md").write_text(brief_text("Second title"))
    p.settle(2)
    snap = p.state.current()
    assert snap.ok and snap.diagnostics == () and snap.build > good.build
    assert h1(p.page("briefs/x/index.html")) == "Second title"


def test_a_burst_of_20_saves_in_100_ms_gives_one_consistent_result(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Save 0")})
    target = root / "content/briefs/x.md"
    for i in range(1, 21):
        target.write_text(brief_text(f"Save {i}"))
        time.sleep(0.005)
    p.settle(1)
    # One rebuild after the burst (two at most if the machine stalled for 100 ms mid-burst), never a broken one.
    assert 1 <= len(p.builds) <= 2 and all(ok for _, ok in p.builds), p.builds
    assert h1(p.page("briefs/x/index.html")) == "Save 20"


def test_save_by_rename_over(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Before rename")})
    tmp = root / "content/briefs/.x.md.tmp-4242"
    tmp.write_text(brief_text("After rename"))
    os.replace(tmp, root / "content/briefs/x.md")
    p.settle(1)
    assert p.builds == [(2, True)]
    assert "After rename" in p.page("briefs/x/index.html")


def test_vim_style_save_backup_then_new_file(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Before vim")})
    target = root / "content/briefs/x.md"
    os.rename(target, root / "content/briefs/x.md~")
    (root / "content/briefs/4913").write_text("")
    (root / "content/briefs/4913").unlink()
    target.write_text(brief_text("After vim"))
    (root / "content/briefs/x.md~").unlink()
    p.settle(1)
    assert p.builds == [(2, True)]
    assert "After vim" in p.page("briefs/x/index.html")


def test_swap_files_alone_do_not_rebuild(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Untouched")})
    (root / "content/briefs/.x.md.swp").write_bytes(b"\x00swap")
    (root / "content/briefs/x.md~").write_text("backup")
    (root / "content/briefs/.#x.md").write_text("lock")
    time.sleep(0.6)
    assert p.builds == [] and p.started == 1


def test_delete_rename_and_new_folders(preview):
    root, p = preview({"content/briefs/a.md": brief_text("Alpha"), "content/briefs/b.md": brief_text("Beta")})
    (root / "content/briefs/a.md").unlink()
    p.settle(1)
    assert p.page("briefs/a/index.html") is None
    assert "briefs/a/" not in p.page("index.html") and "briefs/b/" in p.page("index.html")

    (root / "content/briefs/2026/03").mkdir(parents=True)
    os.rename(root / "content/briefs/b.md", root / "content/briefs/2026/03/gamma.md")
    p.settle(2)
    assert p.page("briefs/b/index.html") is None
    assert "Beta" in p.page("briefs/gamma/index.html")
    assert "briefs/gamma/" in p.page("index.html")


def test_a_save_during_a_running_build_is_built_right_after(preview):
    gate = threading.Event()
    calls = []

    def slow_build(opts):
        calls.append(opts.out)
        if len(calls) == 2:  # the first rebuild is slow: the next save lands while it runs
            gate.set()
            time.sleep(0.6)
        return build_site(opts)

    root, p = preview({"content/briefs/x.md": brief_text("One")}, build_fn=slow_build)
    (root / "content/briefs/x.md").write_text(brief_text("Two"))
    assert gate.wait(5)
    (root / "content/briefs/x.md").write_text(brief_text("Three"))
    p.settle(2)
    assert [ok for _, ok in p.builds] == [True, True] and len(calls) == 3
    assert h1(p.page("briefs/x/index.html")) == "Three"


def test_only_the_newest_two_builds_are_kept(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("Keep 0")})
    (tmp_path / "workdir").mkdir()
    state = ServeState()
    rebuilder = Rebuilder(root, tmp_path / "workdir", state)
    for i in range(4):
        assert rebuilder.build_once(f"manual {i}").ok
    kept = sorted(d.name for d in (tmp_path / "workdir").iterdir() if not d.name.startswith("."))
    assert kept == ["build-3", "build-4"]
    assert state.current().folder.name == "build-4"


def test_a_layout_change_rebuilds(preview):
    root, p = preview({"content/briefs/x.md": brief_text("Layout test"),
                       "layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost here</h1>{% endblock %}"})
    assert "Lost here" in p.page("404.html")
    (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Gone away</h1>{% endblock %}")
    p.settle(1)
    assert "Gone away" in p.page("404.html")


def test_search_is_indexed_in_the_background_and_refreshed_after_rebuilds(project, tmp_path):
    from generator.search import index_site
    from generator.serve.rebuild import SearchIndexer

    root = project({"content/briefs/a.md": brief_text("Alpha quokka")})
    (tmp_path / "workdir").mkdir()
    state = ServeState()
    rebuilder = Rebuilder(root, tmp_path / "workdir", state)
    indexer = SearchIndexer(index_site, state, rebuilder)
    rebuilder.after_publish = indexer.request
    try:
        first = rebuilder.build_once("first build")
        assert first.ok
        assert wait_for(lambda: indexer.runs == 1, 60)
        fragments = state.current().folder / "pagefind/fragment"
        assert len(list(fragments.iterdir())) == 2  # the brief and its week's issue page
        (root / "content/briefs/b.md").write_text(brief_text("Beta wombat"))
        second = rebuilder.build_once("brief added")
        folder = state.current().folder
        assert folder.name == f"build-{second.build}"
        assert wait_for(lambda: indexer.runs == 2, 60)
        assert len(list((folder / "pagefind/fragment").iterdir())) == 3
        assert (folder / "pagefind/pagefind.js").is_file()
        assert not list(tmp_path.joinpath("workdir").glob(".index-*"))
        assert not (folder / ".pagefind-old").exists()
    finally:
        indexer.stop()
