"""The preview's in-memory session against the real build: after any sequence of saves, every page it
serves is the page a clean build of the same content writes, and it got there the short way."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from conftest import brief_text, build
from serve_live import Live, wait_for
from test_incremental import Scenario


def served_tree(live: Live) -> dict[str, bytes]:
    plan = live.session.plan
    return {f.dest: live.session.get(f.dest) for f in plan.files}


def clean_tree(root: Path, out: Path) -> dict[str, bytes]:
    build(root, out, cache=False, drafts=True, today=None)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "build-manifest.json"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_saves_every_served_page_equals_a_clean_build(tmp_path, seed):
    rng = random.Random(seed)
    scenario = Scenario(tmp_path / "root", rng)
    live = Live(scenario.root, tmp_path / "work")
    try:
        for step in range(8):
            kind = scenario.edit()
            if kind == "version":
                continue
            before = len(live.results)
            live.sync()
            new = [r for r in live.results[before:] if not all(p.startswith("content/prompts") for p in r.paths)]
            assert all(r.ok for r in new), [(r.reason, [d.format() for d in r.diagnostics]) for r in new]
            if kind in ("template", "config"):
                assert any(r.full for r in new), kind
            elif new:
                assert not any(r.full for r in new), (kind, [r.reason for r in new])
            served = served_tree(live)
            clean = clean_tree(scenario.root, tmp_path / f"clean-{step}")
            assert sorted(served) == sorted(clean), (kind, sorted(set(served) ^ set(clean))[:5])
            different = [d for d in clean if served[d] != clean[d]]
            assert not different, (kind, different[:5])
    finally:
        live.close()


def test_the_page_the_browser_shows_is_rendered_before_the_reload_and_the_rest_after(project, tmp_path):
    files = {f"content/briefs/b{i}.md": brief_text(f"Brief {i}", published=f"2026-03-{10 + i:02d}",
                                                   url=f"https://example.org/b{i}") for i in range(6)}
    root = project(files)
    live = Live(root, tmp_path / "work")
    try:
        shown = "/digest/briefs/b3/"
        waiter = threading.Thread(target=live.state.wait_change, args=(live.state.current().version, 30, shown))
        waiter.start()  # a browser on that page, waiting for news
        assert wait_for(lambda: shown in live.state.watched())
        (root / "content/briefs/b3.md").write_text(brief_text("Brief 3, retitled", published="2026-03-13",
                                                               url="https://example.org/b3"))
        results = live.sync()
        save = results[-1]
        assert save.ok and not save.full
        assert save.rendered == 1 and save.pending > 0  # the shown page first; home, listings, neighbours after
        waiter.join(5)
        assert "Brief 3, retitled" in live.page("briefs/b3/index.html")
        assert "Brief 3, retitled" in live.page("index.html")
        assert "Brief 3, retitled" in live.page("briefs/b4/index.html")  # its neighbour links to it
    finally:
        live.close()


def test_a_broken_save_keeps_every_page_and_the_fix_clears_the_problem(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("First title"), "content/briefs/y.md": brief_text("Other")})
    live = Live(root, tmp_path / "work")
    try:
        good = live.state.current()
        (root / "content/briefs/x.md").write_text(brief_text("First title").replace('title: "First title"', 'title: "Broken'))
        results = live.sync()
        assert not results[-1].ok
        snap = live.state.current()
        assert not snap.ok and snap.build == good.build
        assert snap.diagnostics[0].path == "content/briefs/x.md" and snap.diagnostics[0].line > 0
        assert "First title" in live.page("briefs/x/index.html") and "First title" in live.page("index.html")
        # another file saved while x is broken: still broken, still the last good pages
        (root / "content/briefs/y.md").write_text(brief_text("Other, edited"))
        results = live.sync()
        assert not results[-1].ok and "Other, edited" not in live.page("index.html")
        (root / "content/briefs/x.md").write_text(brief_text("Second title"))
        results = live.sync()
        assert results[-1].ok and live.state.current().ok
        home = live.page("index.html")
        assert "Second title" in home and "Other, edited" in home
    finally:
        live.close()


def test_slug_and_url_clashes_are_errors_like_a_build(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("One", url="https://example.org/same")})
    live = Live(root, tmp_path / "work")
    try:
        (root / "content/briefs/y.md").write_text(brief_text("Two", url="https://example.org/same"))
        results = live.sync()
        assert not results[-1].ok
        assert [d.path for d in results[-1].diagnostics] == ["content/briefs/y.md"]
        assert "is used by 2 briefs" in results[-1].diagnostics[0].text
        (root / "content/briefs/y.md").write_text(brief_text("Two", url="https://example.org/other"))
        results = live.sync()
        assert results[-1].ok and "Two" in live.page("briefs/y/index.html")
    finally:
        live.close()


def test_listing_membership_follows_a_new_brief_and_a_changed_tag(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("Tagged one", tags="[privacy]")})
    live = Live(root, tmp_path / "work")
    try:
        (root / "content/briefs/y.md").write_text(brief_text("Newcomer", published="2026-03-18", tags="[privacy]"))
        live.sync()
        assert "Newcomer" in live.page("index.html") and "Newcomer" in live.page("tags/privacy/index.html")
        (root / "content/briefs/x.md").write_text(brief_text("Tagged one", tags="[procurement]"))
        live.sync()
        assert "Tagged one" not in live.page("tags/privacy/index.html")
        assert "Tagged one" in live.page("tags/procurement/index.html")
        assert "procurement" in live.page("tags/index.html")
        (root / "content/briefs/y.md").unlink()
        live.sync()
        assert live.page("tags/privacy/index.html") is None and live.page("briefs/y/index.html") is None
        assert "Newcomer" not in live.page("index.html")
    finally:
        live.close()


def test_a_template_change_goes_the_full_way_into_a_folder_nobody_reads(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("Layout test"),
                    "layouts/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost here</h1>{% endblock %}"})
    live = Live(root, tmp_path / "work")
    s = live.session
    try:
        first = s.base
        with s._cond:  # a request is still reading the first build
            s._readers[first] = 1
        for word in ("Gone away", "Far away", "Away again"):
            (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>" + word +
                                                   "</h1>{% endblock %}")
            results = live.sync()
            assert results[-1].ok and results[-1].full
            assert word in live.page("404.html")
            assert "Lost here" in (first / "404.html").read_text()  # never reused while it is read
        with s._cond:
            s._readers[first] = 0
            s._cond.notify_all()
        (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Last</h1>{% endblock %}")
        live.sync()
        builds = sorted(p.name for p in (tmp_path / "work").glob("build-*"))
        assert len(builds) <= 3, builds
    finally:
        live.close()


def test_saves_of_ignored_files_change_nothing(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("Untouched")})
    live = Live(root, tmp_path / "work")
    try:
        (root / "content/briefs/.x.md.swp").write_bytes(b"\x00swap")
        (root / "content/briefs/x.md~").write_text("backup")
        (root / "content/briefs/.#x.md").write_text("lock")
        results = live.sync()
        assert results == [] and live.state.current().build == 1
    finally:
        live.close()


def test_no_reader_ever_gets_a_half_written_or_mixed_page(project, tmp_path):
    """Readers hammer the preview over HTTP while the brief is saved again and again (and a template once):
    every answer is a whole page of one saved version."""
    import http.client
    import re

    from generator.serve.server import PreviewServer

    root = project({"content/briefs/x.md": brief_text("Version 0"), "content/briefs/y.md": brief_text("Other")})
    live = Live(root, tmp_path / "work")
    server = PreviewServer(("127.0.0.1", 0), live.state)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_address[1]
    stop, seen, bad = threading.Event(), [], []

    def reader(path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read().decode()
            titles = re.findall(r"Version \d+", body)
            if r.status != 200 or body.count("</html>") != 1 or not titles or len(set(titles)) != 1:
                bad.append((path, r.status, body[-200:]))
            seen.append(titles[0] if titles else None)
        conn.close()

    readers = [threading.Thread(target=reader, args=(p,)) for p in ("/digest/briefs/x/", "/digest/", "/digest/tags/testing/")]
    for t in readers:
        t.start()
    try:
        target = root / "content/briefs/x.md"
        for i in range(1, 16):
            tmp = target.with_name(".x.md.tmp")
            tmp.write_text(brief_text(f"Version {i}"))
            tmp.replace(target)
            if i == 8:
                (root / "layouts").mkdir(exist_ok=True)
                (root / "layouts/404.html").write_text("{% extends 'base.html' %}{% block main %}<h1>Moved</h1>{% endblock %}")
            wait_for(lambda: False, 0.03)
        live.sync()
        n = len(seen)
        assert wait_for(lambda: len(seen) > n + 10)
    finally:
        stop.set()
        for t in readers:
            t.join(30)
        server.shutdown()
        server.server_close()
        live.close()
    assert not bad, bad[:3]
    assert seen[-1] == "Version 15" and len(set(seen)) >= 2  # the readers saw the saves land
