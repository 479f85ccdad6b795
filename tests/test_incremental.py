"""Incremental builds give exactly the bytes of a clean build, after any sequence of edits.

Each scenario starts from a small site, builds it, then applies random edits
(add, change, rename, delete briefs; change a template; change site.yaml;
change the generator version) and after each one compares an incremental
build with a clean build of the same content, file by file.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from pathlib import Path

import pytest
from conftest import SITE_YAML, brief_text, build, make_project

import generator.build
import generator.incremental
import generator.produce
import generator.write

TAGS = ["llms", "privacy", "procurement", "evaluation", "agents", "standards"]
ACTIONS = ["Implement", "Decide", "Consider", "Monitor"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_tree(incremental: Path, clean: Path) -> None:
    a, b = tree(incremental), tree(clean)
    assert sorted(a) == sorted(b), f"files differ: only incremental {sorted(set(a) - set(b))[:5]}, only clean {sorted(set(b) - set(a))[:5]}"
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"{len(different)} files differ, e.g. {different[:5]}"


def random_brief(rng: random.Random, n: int) -> str:
    day = 1 + rng.randrange(28)
    month = 1 + rng.randrange(6)
    tags = rng.sample(TAGS, rng.randint(1, 3))
    return brief_text(
        f"Brief {n} about {rng.choice(['models', 'rules', 'audits', 'chips'])}",
        published=f"2026-{month:02d}-{day:02d}",
        url=f"https://example.org/item/{n}",
        tags="[" + ", ".join(tags) + "]",
        action=rng.choice(ACTIONS),
        body=f"Summary {n}: *{rng.choice(['new', 'revised', 'draft'])}* guidance on {rng.choice(TAGS)}.",
        extra="section: Research & Safety\n" if rng.random() < 0.5 else "",
    )


class Scenario:
    def __init__(self, root: Path, rng: random.Random):
        self.root = root
        self.rng = rng
        self.next_id = 0
        files = {}
        for _ in range(12):
            files[f"content/briefs/b{self.next_id}.md"] = random_brief(rng, self.next_id)
            self.next_id += 1
        files["content/issues/2026-W10.md"] = "---\ntitle: A week\n---\nThis week at a glance: *three* things.\n"
        files["content/pages/about.md"] = "---\ntitle: About\n---\nAbout this digest.\n"
        make_project(root, files)

    def briefs(self) -> list[Path]:
        return sorted((self.root / "content" / "briefs").glob("*.md"))

    def edit(self) -> str:
        rng = self.rng
        kind = rng.choice(["add", "add", "change", "change", "rename", "delete", "template", "config",
                           "version", "editorial", "page", "draft"])
        briefs = self.briefs()
        if kind == "add" or len(briefs) < 3:
            (self.root / "content" / "briefs" / f"b{self.next_id}.md").write_text(random_brief(rng, self.next_id))
            self.next_id += 1
            return "add"
        victim = rng.choice(briefs)
        if kind == "change":
            text = victim.read_text()
            if rng.random() < 0.5:
                text = text.replace("title: \"", "title: \"Updated ", 1)
            else:
                text = text.replace("Summary", "Revised summary", 1)
            victim.write_text(text)
        elif kind == "rename":
            victim.rename(victim.with_name(f"renamed-{self.next_id}.md"))
            self.next_id += 1
        elif kind == "delete":
            victim.unlink()
        elif kind == "draft":
            victim.write_text(victim.read_text().replace("---\n", "---\ndraft: true\n", 1) if "draft:" not in victim.read_text()
                              else victim.read_text().replace("draft: true\n", ""))
        elif kind == "template":
            layouts = self.root / "layouts"
            layouts.mkdir(exist_ok=True)
            default = Path(generator.build.__file__).parent.parent / "layouts" / "_card.html"
            (layouts / "_card.html").write_text(default.read_text() + f"<!-- variant {rng.randrange(1000)} -->\n")
        elif kind == "config":
            per_page = rng.choice([2, 3, 5, 20])
            (self.root / "content" / "site.yaml").write_text(SITE_YAML.replace("per_page: 20", f"per_page: {per_page}"))
        elif kind == "editorial":
            path = self.root / "content" / "issues" / "2026-W10.md"
            path.write_text(f"---\ntitle: Week {rng.randrange(100)}\n---\nAt a glance, version {rng.randrange(100)}.\n")
        elif kind == "page":
            (self.root / "content" / "pages" / "about.md").write_text(
                f"---\ntitle: About {rng.randrange(10)}\n---\nAbout text.\n")
        elif kind == "version":
            return "version"
        return kind


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_build_equals_clean_build_after_random_edits(tmp_path, monkeypatch, seed):
    if seed % 2 == 0:
        # Render in worker processes even for this small site (the path a big site takes), and
        # trust file signatures at once instead of re-reading files written a moment ago.
        monkeypatch.setattr(generator.produce, "PARALLEL_FROM", 2)
        monkeypatch.setattr(generator.incremental, "RACY_NS", 0)
    rng = random.Random(seed)
    scenario = Scenario(tmp_path / "root", rng)
    out = tmp_path / "root" / "site"
    build(scenario.root, out)
    for step in range(10):
        kind = scenario.edit()
        if kind == "version":
            monkeypatch.setattr(generator, "__version__", f"0.0.{step}-test")
        report = build(scenario.root, out)
        clean = tmp_path / f"clean-{step}"
        build(scenario.root, clean, cache=False)
        assert_same_tree(out, clean)
        assert report.pages > 0


def test_an_unchanged_rebuild_renders_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(generator.incremental, "RACY_NS", 0)  # trust files written a moment ago
    scenario = Scenario(tmp_path / "root", random.Random(7))
    out = tmp_path / "root" / "site"
    first = build(scenario.root, out)
    second = build(scenario.root, out)
    assert first.reused == 0 and first.rendered >= first.pages
    assert second.rendered == 0
    assert second.up_to_date
    (scenario.root / "content" / "pages" / "about.md").touch()  # same bytes, new mtime: a real check
    third = build(scenario.root, out)
    assert not third.up_to_date and third.rendered == 0
    assert third.reused == first.rendered


def test_changing_one_brief_renders_only_the_pages_that_show_it(tmp_path):
    scenario = Scenario(tmp_path / "root", random.Random(8))
    out = tmp_path / "root" / "site"
    first = build(scenario.root, out)
    victim = scenario.briefs()[0]
    victim.write_text(victim.read_text().replace("Summary", "A changed summary", 1))
    second = build(scenario.root, out)
    assert 0 < second.rendered < first.pages
    assert "A changed summary" in (out / "briefs" / victim.stem / "index.html").read_text()


def test_a_page_edited_by_hand_in_the_output_is_restored_by_a_clean_build(tmp_path):
    """The output folder is the build's own (as with Hugo): hand edits are not looked for on every
    build, which would cost a stat per file; --clean puts every file back."""
    scenario = Scenario(tmp_path / "root", random.Random(9))
    out = tmp_path / "root" / "site"
    build(scenario.root, out)
    about = out / "about" / "index.html"
    original = about.read_bytes()
    about.write_bytes(original.replace(b"About", b"Tampered"))
    build(scenario.root, out, cache=False)
    assert about.read_bytes() == original


def test_a_clean_build_over_a_spare_folder_of_unknown_content_builds_into_a_new_one(tmp_path):
    """With no records of what the spare holds, it is set aside and deleted in the background
    rather than pruned and replaced file by file; nothing of it reaches the output."""
    scenario = Scenario(tmp_path / "root", random.Random(12))
    out = tmp_path / "root" / "site"
    build(scenario.root, out)
    victim = scenario.briefs()[0]
    victim.write_text(victim.read_text().replace("Summary", "A changed summary", 1))
    build(scenario.root, out)
    spare = generator.write.spare_path(out)
    assert (spare / "index.html").is_file()
    (spare / "stray.html").write_text("left over")
    (spare / "index.html").write_text("tampered")
    build(scenario.root, out, cache=False)
    assert not (out / "stray.html").exists()
    clean = tmp_path / "clean"
    build(scenario.root, clean, cache=False)
    assert_same_tree(out, clean)
    deadline = time.monotonic() + 60
    while list(out.parent.glob(".site.old-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(out.parent.glob(".site.old-*"))  # the old folder was deleted


def test_a_corrupt_cache_is_discarded_with_a_warning(tmp_path):
    scenario = Scenario(tmp_path / "root", random.Random(10))
    out = tmp_path / "root" / "site"
    build(scenario.root, out)
    cache_files = list((scenario.root / ".digest-cache").rglob("*.pickle"))
    assert cache_files
    for cache_file in cache_files:
        cache_file.write_bytes(b"this is not a pickle" * 100)
    report = build(scenario.root, out)
    assert "discarded" in report.cache_warning
    assert report.rendered == report.files - 1  # everything rendered again (all but the manifest count)
    clean = tmp_path / "clean"
    build(scenario.root, clean, cache=False)
    assert_same_tree(out, clean)


def test_damaged_fragment_entries_are_rendered_again(tmp_path):
    """An entry of the fragment cache that no longer unpacks (a disk error, a foreign writer)
    is a miss: the listings that need that brief render it again, and the output is a clean build's."""
    import sqlite3

    scenario = Scenario(tmp_path / "root", random.Random(11))
    out = tmp_path / "root" / "site"
    build(scenario.root, out)
    [db_path] = (scenario.root / ".digest-cache").rglob("fragments.sqlite")
    with sqlite3.connect(db_path) as db:
        damaged = db.execute("UPDATE fragments SET data = ?", (b"\x00not packed fragments",)).rowcount
    assert damaged == len(scenario.briefs())
    victim = scenario.briefs()[0]  # one brief changes: every listing showing it needs its neighbours' fragments
    victim.write_text(victim.read_text().replace("Summary", "A changed summary", 1))
    build(scenario.root, out)
    clean = tmp_path / "clean"
    build(scenario.root, clean, cache=False)
    assert_same_tree(out, clean)


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path, monkeypatch):
    """Unchanged brief files are not read at all, known by size, mtime, inode and ctime; an
    edit that keeps the size and puts the old mtime back (as some sync tools do) changes the ctime."""
    scenario = Scenario(tmp_path / "root", random.Random(11))
    out = tmp_path / "root" / "site"
    victim = scenario.briefs()[0]
    monkeypatch.setattr(generator.incremental, "RACY_NS", 0)  # trusted by signature alone at once
    build(scenario.root, out)
    before = victim.stat()
    text = victim.read_text()
    changed = text.replace("Summary", "Sxmmary", 1)
    assert len(changed) == len(text) and changed != text
    victim.write_text(changed)
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(scenario.root, out)
    assert "Sxmmary" in (out / "briefs" / victim.stem / "index.html").read_text()


def test_a_brief_parsed_on_another_day_is_checked_again(tmp_path, monkeypatch):
    """Date warnings depend on the day: a brief known by its signature but checked yesterday is read again."""
    scenario = Scenario(tmp_path / "root", random.Random(12))
    victim = scenario.briefs()[0]
    victim.write_text(victim.read_text().replace("published: 2026-", "published: 2027-", 1))
    monkeypatch.setattr(generator.incremental, "RACY_NS", 0)
    early = build(scenario.root, tmp_path / "site", today=dt.date(2026, 7, 1))
    late = build(scenario.root, tmp_path / "site", today=dt.date(2028, 1, 1))
    assert any(d.path == victim.relative_to(scenario.root).as_posix() for d in early.warnings)
    assert not any(d.path == victim.relative_to(scenario.root).as_posix() for d in late.warnings)


def test_a_file_saved_in_the_same_clock_tick_as_the_build_is_read_again(tmp_path):
    """A file changed within its clock tick of being read is not trusted by its signature the next time."""
    scenario = Scenario(tmp_path / "root", random.Random(13))
    out = tmp_path / "root" / "site"
    build(scenario.root, out)  # every file was written just now: the build waits out their clock tick
    second = build(scenario.root, out)
    assert second.up_to_date
    victim = scenario.briefs()[0]
    before = victim.stat()
    text = victim.read_text()
    victim.write_text(text.replace("Summary", "Sxmmary", 1))
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    build(scenario.root, out)
    assert "Sxmmary" in (out / "briefs" / victim.stem / "index.html").read_text()


def test_a_steady_rebuild_updates_the_spare_folder_in_place(tmp_path):
    """From the third build on, the build updates the previous-but-one site (the spare) and
    touches only what changed since then: it neither relinks nor recreates unchanged files."""
    scenario = Scenario(tmp_path / "root", random.Random(14))
    out = tmp_path / "root" / "site"
    first = build(scenario.root, out)
    (scenario.root / "content" / "briefs" / "extra-1.md").write_text(random_brief(random.Random(1), 901))
    second = build(scenario.root, out)  # builds a second folder: everything it did not render is linked
    assert second.linked == second.files - 1 - second.rendered
    (scenario.root / "content" / "briefs" / "extra-2.md").write_text(random_brief(random.Random(2), 902))
    third = build(scenario.root, out)
    assert third.rendered < first.rendered
    assert third.linked <= second.rendered  # only what the second build changed
    clean = tmp_path / "clean"
    build(scenario.root, clean, cache=False)
    assert_same_tree(out, clean)


def test_the_racy_window_follows_the_file_systems_clock():
    """Whole-second times (ext3, FAT) get two seconds; nanosecond file systems a tenth of one."""
    from generator.incremental import racy

    now = 1_800_000_000_000_000_000
    assert racy(now - 1_500_000_000 - (now - 1_500_000_000) % 1_000_000_000, now)  # a whole second, 1.5 s ago
    assert not racy(now - 1_500_000_001, now)  # a fine-grained time 1.5 s ago
    assert racy(now - 50_000_001, now)
    assert not racy(now - 150_000_001, now)


def test_a_build_in_workers_leaves_every_brief_s_fragments_and_parsed_form_in_the_cache(tmp_path, monkeypatch):
    """The parent writes the parse cache while workers render brief pages, and their fragments
    while they render the rest: a build from nothing leaves one entry per brief in each."""
    import sqlite3

    monkeypatch.setattr(generator.produce, "PARALLEL_FROM", 2)
    scenario = Scenario(tmp_path / "root", random.Random(13))
    out = tmp_path / "root" / "site"
    report = build(scenario.root, out)
    assert report.briefs == len(scenario.briefs())
    cache = scenario.root / ".digest-cache"
    [db_path] = cache.rglob("fragments.sqlite")
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM fragments").fetchone()[0] == report.briefs
    parsed = generator.incremental.Memory(db_path.parent).parsed()  # parsed.pickle and parsed.log, read back
    assert sorted(parsed) == [f"content/briefs/{p.name}" for p in scenario.briefs()]
