"""Which saved paths start a rebuild, and how bursts of saves become one rebuild."""

import pytest

from generator.serve.watch import ChangeKind, Debouncer, classify_change, describe

C, L, G, I = ChangeKind.CONTENT, ChangeKind.LAYOUT, ChangeKind.CONFIG, ChangeKind.IGNORED


@pytest.mark.parametrize("path, kind", [
    ("content/briefs/2025/x.md", C),
    ("content/briefs/new-folder", C),            # a new folder (its files follow)
    ("content/issues/2026-W11.md", C),
    ("content/pages/about.md", C),
    ("content/site.yaml", G),
    ("content/sources.yaml", G),
    ("layouts/brief.html", L),
    ("layouts/assets/style.css", L),
    ("content/briefs/.x.md.swp", I),             # vim swap
    ("content/briefs/x.md.swp", I),
    ("content/briefs/x.md~", I),                 # backup
    ("content/briefs/.#x.md", I),                # emacs lock
    ("content/briefs/#x.md#", I),                # emacs autosave
    ("content/briefs/4913", I),                  # vim's write probe
    ("content/briefs/.x.md.tmp-123", I),         # write-temp-then-rename
    ("content/briefs/x.md___jb_tmp___", I),      # JetBrains safe write
    ("content/briefs/.goutputstream-ABC", I),    # gedit
    ("layouts/sedCbrRw2", I),                    # sed -i
    ("content/briefs/sedimentary.md", C),
    ("content/.git/index", I),
    ("layouts/.DS_Store", I),
    ("site/index.html", I),                      # our own output
    ("README.md", I),
    ("content", I),                              # the folder itself
    ("layouts", L),                              # made after start: its first files may come before its watch
    ("", I),
])
def test_classify_change(path, kind):
    assert classify_change(path) is kind


def test_describe_names_what_changed():
    assert describe({"content/briefs/x.md": C}) == "brief changed: content/briefs/x.md"
    assert describe({"content/site.yaml": G}) == "settings changed: content/site.yaml"
    assert describe({"layouts/base.html": L}) == "layout changed: layouts/base.html"
    assert describe({"content/briefs/a.md": C, "content/briefs/b.md": C, "layouts/x.html": L}) == \
        "3 files changed: content/briefs/a.md, content/briefs/b.md, +1 more"


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_burst_of_20_saves_in_100_ms_is_one_batch():
    clock = FakeClock()
    d = Debouncer(delay=0.1, clock=clock)
    for i in range(20):
        d.add("content/briefs/x.md", C)
        d.add(f"content/briefs/.x.md.tmp-{i}", I)
        clock.now += 0.005
        assert d.take() is None                  # still saving
    clock.now += 0.09                            # 95 ms after the last save
    assert d.take() is None                      # not quiet for 100 ms yet
    clock.now += 0.006
    assert d.take() == {"content/briefs/x.md": C}
    assert d.take() is None                      # handed over once


def test_ignored_paths_never_start_a_rebuild():
    clock = FakeClock()
    d = Debouncer(delay=0.1, clock=clock)
    d.add("content/briefs/.x.md.swp", I)
    clock.now += 1
    assert not d.ready() and d.take() is None


def test_changes_during_a_build_wait_for_the_next_batch():
    clock = FakeClock()
    d = Debouncer(delay=0.1, clock=clock)
    d.add("content/briefs/a.md", C)
    clock.now += 0.2
    assert d.take() == {"content/briefs/a.md": C}
    d.add("content/briefs/b.md", C)              # lands while the first build runs
    d.add("layouts/brief.html", L)
    clock.now += 0.2
    assert d.take() == {"content/briefs/b.md": C, "layouts/brief.html": L}
