"""The preview re-reads a saved file by the same rules as a whole load (generator.load.examine)."""

from __future__ import annotations

import os

import pytest

from conftest import brief_text
from generator.load import find_content
from generator.serve.content import read_source


@pytest.fixture
def linked_site(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.md").write_text(brief_text("Far away"))
    root = project({"content/briefs/real.md": brief_text("Real", url="https://example.org/real"),
                    "content/briefs/kept/inner.md": brief_text("Inner", url="https://example.org/inner"),
                    "content/briefs/.hidden.md": brief_text("Hidden", url="https://example.org/hidden"),
                    "content/briefs/notes.txt": "not a brief\n"})
    briefs = root / "content/briefs"
    os.symlink(briefs / "real.md", briefs / "alias.md")  # inside content/: followed
    os.symlink(outside / "far.md", briefs / "far.md")  # outside: refused
    os.symlink("nowhere.md", briefs / "broken.md")  # broken: refused
    os.symlink(outside, briefs / "folder")  # a linked folder: never walked into
    os.symlink(briefs / "kept", briefs / "folder.md")  # a linked folder named like a brief: refused
    return root


def test_each_file_reads_as_a_whole_load_reads_it(linked_site):
    whole = find_content(linked_site)
    loaded = {f.src_path: f for f in whole.files}
    problems = {d.path: d for d in whole.diagnostics if d.severity == "error"}
    names = ["real.md", "kept/inner.md", "alias.md", "far.md", "broken.md", "folder.md", ".hidden.md",
             "notes.txt", "folder/far.md"]
    for name in names:
        src_path = f"content/briefs/{name}"
        source, found = read_source(linked_site, src_path)
        if src_path in loaded:
            assert source is not None and found == [], src_path
            assert (source.kind, source.text, source.digest) == (loaded[src_path].kind, loaded[src_path].text,
                                                                  loaded[src_path].digest)
        else:
            assert source is None, src_path
            assert found == ([problems[src_path]] if src_path in problems else []), src_path
    assert sorted(problems) == ["content/briefs/broken.md", "content/briefs/far.md", "content/briefs/folder",
                                "content/briefs/folder.md"]
    assert problems["content/briefs/folder.md"].text.startswith("symlinked folders are not followed")
