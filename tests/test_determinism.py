"""Deterministic output: the same content gives byte-identical files, wherever and whenever it is built.

The sample site is copied into two differently named folders and built
into two different output folders (with search, as a user builds it), then
compared file by file. No output file may carry the local path of the
content or the output, or the date or time the build ran.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build


def copy_sample(dest: Path) -> Path:
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copytree(REPO / "layouts", dest / "layouts")
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    first = copy_sample(tmp_path_factory.mktemp("one") / "digest")
    second = copy_sample(tmp_path_factory.mktemp("two-other-name") / "elsewhere")
    build(first, first / "site", search=True)
    build(second, second / "out-folder", search=True)
    return (first, first / "site"), (second, second / "out-folder")


def test_two_builds_are_byte_identical_file_by_file(two_builds):
    (_, a), (_, b) = two_builds
    files_a, files_b = tree(a), tree(b)
    assert sorted(files_a) == sorted(files_b), "different file lists: " + str(sorted(set(files_a) ^ set(files_b)))
    differ = []
    for name in sorted(files_a):
        if files_a[name] != files_b[name]:
            try:
                diff = "".join(difflib.unified_diff(files_a[name].decode().splitlines(True),
                                                    files_b[name].decode().splitlines(True), name, name, n=1))
            except UnicodeDecodeError:
                diff = f"{name}: binary files differ"
            differ.append(diff[:2000])
    assert not differ, f"{len(differ)} file(s) differ:\n" + "\n".join(differ[:5])
    assert len(files_a) > 80


def test_a_rebuild_in_place_gives_the_same_bytes(tmp_path):
    root = copy_sample(tmp_path / "digest")
    build(root)
    first = tree(root / "site")
    build(root)
    assert tree(root / "site") == first


def test_output_carries_no_local_paths(two_builds):
    for root, out in two_builds:
        needles = {str(root), str(root.resolve()), str(out), str(out.resolve()), str(Path.home()), os.getcwd(),
                   str(REPO)}
        needles = {n.encode() for n in needles if len(n) > 1}
        leaks = [f"{name}: {n.decode()}" for name, data in tree(out).items() for n in needles if n in data]
        assert not leaks, "\n".join(leaks[:20])
        for name, data in tree(out).items():
            if name.endswith((".html", ".xml", ".json", ".txt", ".js", ".css")):
                m = re.search(rb"(file://|/tmp/|/home/|/root/|[A-Z]:\\\\Users)", data)
                assert m is None, f"{name}: {data[max(0, m.start() - 60):m.end() + 60]!r}"


def test_output_carries_no_build_date_or_time(tmp_path):
    """Build on the real clock: neither today's date nor a wall-clock time appears in any file."""
    root = copy_sample(tmp_path / "digest")
    build(root, today=None)
    now = dt.datetime.now()
    today, yesterday = now.date(), now.date() - dt.timedelta(days=1)  # the build may straddle midnight
    from generator.dates import long_date

    needles = []
    for day in (today, yesterday):
        needles += [day.isoformat().encode(), long_date(day).encode(), day.strftime("%d %b %Y").encode()]
    # every timestamp in the output is midnight of a content date, never a time of day
    stamp = re.compile(rb"\d{4}-\d{2}-\d{2}[T ](\d{2}:\d{2}:\d{2})")
    for name, data in tree(root / "site").items():
        if name == "build-manifest.json" and os.environ.get("SOURCE_DATE_EPOCH"):
            continue
        for n in needles:
            assert n not in data, f"{name} contains the build date {n.decode()}"
        for m in stamp.finditer(data):
            assert m.group(1) == b"00:00:00", f"{name}: {m.group(0).decode()}"


def test_content_file_order_on_disk_does_not_change_the_output(tmp_path):
    """Briefs are sorted by date, title and slug, not by how the file system lists them."""
    a = copy_sample(tmp_path / "a")
    b = copy_sample(tmp_path / "b")
    # the same briefs in a different folder layout (folders are free)
    for brief in sorted((b / "content/briefs").rglob("*.md")):
        brief.rename(b / "content/briefs" / brief.name)
    build(a)
    build(b)
    ta, tb = tree(a / "site"), tree(b / "site")
    ta.pop("build-manifest.json"), tb.pop("build-manifest.json")  # it lists the source paths, which differ
    assert ta == tb
