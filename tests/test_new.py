"""`digest new`: stubs that check clean as drafts, explain every field, and never overwrite."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from conftest import brief_text
from generator.cli import main
from generator.commands.new import unique_slug
from generator.validate import BRIEF_FIELDS

SOURCES = """\
- name: Digital Transformation Agency
  feed: https://www.dta.gov.au/news/rss.xml
  author: DTA
  section: Australian Government
  jurisdiction: AU
  tags: [governance, assurance]
  aliases: [DTA]
"""


def new(root, *argv) -> int:
    kind, *rest = argv
    return main(["new", kind, *rest, "--root", str(root)])


def today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Australia/Sydney")).date()


def test_new_brief_writes_a_commented_draft_that_checks_clean(project, capsys):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    assert new(root, "brief", "EU AI Act: what's next?") == 0
    rel = capsys.readouterr().out.strip()
    assert rel == f"content/briefs/{today().year}/eu-ai-act-what-s-next.md"
    text = (root / rel).read_text(encoding="utf-8")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "EU AI Act: what's next?"
    assert meta["draft"] is True
    assert meta["published"] == today()
    # every field is there, either with a value or as a commented line to fill in
    for name in BRIEF_FIELDS:
        assert f"\n{name}:" in text or f"\n# {name}:" in text or f"\n  {name}:" in text, name
    # and every field line has an explaining comment right above it
    lines = text.split("---\n")[1].splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith((" ", "#", "---")) and ":" in line:
            assert lines[i - 1].startswith(("#", "  ")), f"no comment above {line!r}"
    assert main(["check", "--root", str(root), "--strict"]) == 0


def test_a_brief_cannot_leave_draft_while_it_still_says_todo(project, capsys):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    assert new(root, "brief", "Placeholder left in") == 0
    path = root / capsys.readouterr().out.strip()
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    for field in ("standfirst", "source.name", "source.url", "tags[0]", "key_points[0]", "implications[0].text", "body"):
        assert f": error: {field}: " in err and "TODO placeholder" in err, field


def test_a_known_source_fills_in_author_section_jurisdiction_and_tags(project, capsys):
    root = project({"content/briefs/2026/existing.md": brief_text(), "content/sources.yaml": SOURCES})
    assert new(root, "brief", "GovAI opens to agencies", "--source", "dta",
               "--url", "https://www.dta.gov.au/news/govai") == 0
    text = (root / capsys.readouterr().out.strip()).read_text()
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["source"] == {"name": "Digital Transformation Agency", "author": "DTA",
                              "url": "https://www.dta.gov.au/news/govai"}
    assert (meta["section"], meta["jurisdiction"], meta["tags"]) == ("Australian Government", "AU", ["governance", "assurance"])
    assert main(["check", "--root", str(root)]) == 0


def test_slugs_are_unique_across_years_and_slug_fields(project, capsys):
    root = project({
        "content/briefs/2025/same-title.md": brief_text("Same title", url="https://example.org/1"),
        "content/briefs/2025/other.md": brief_text("Other", url="https://example.org/2", extra="slug: same-title-2\n"),
    })
    assert new(root, "brief", "Same title") == 0
    assert capsys.readouterr().out.strip() == f"content/briefs/{today().year}/same-title-3.md"
    assert new(root, "brief", "Same title") == 0
    assert capsys.readouterr().out.strip() == f"content/briefs/{today().year}/same-title-4.md"
    assert main(["check", "--root", str(root)]) == 0


def test_unique_slug():
    assert unique_slug("a", set()) == "a"
    assert unique_slug("a", {"a", "a-2"}) == "a-3"


@pytest.mark.parametrize("argv, message", [
    (["brief", "!!!"], "has no letters or digits"),
    (["brief", "Fine title", "--url", "javascript:alert(1)"], "--url must be an http(s) address"),
    (["issue", "2026-W60"], "is not an ISO week"),
])
def test_bad_arguments_exit_2(project, capsys, argv, message):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    before = sorted(root.rglob("*"))
    assert new(root, *argv) == 2
    assert message in capsys.readouterr().err
    assert sorted(root.rglob("*")) == before


def test_new_issue_defaults_to_this_week_and_refuses_to_overwrite(project, capsys):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    iso = today().isocalendar()
    label = f"{iso[0]}-W{iso[1]:02d}"
    assert new(root, "issue") == 0
    rel = capsys.readouterr().out.strip()
    assert rel == f"content/issues/{label}.md"
    path = root / rel
    path.write_text("---\ntitle: Mine\n---\nThe editor's own words.\n")
    assert new(root, "issue", label.lower()) == 1
    assert f"content/issues/{label}.md already exists; not overwriting it" in capsys.readouterr().err
    assert path.read_text() == "---\ntitle: Mine\n---\nThe editor's own words.\n"


def test_an_unedited_editorial_stub_does_not_publish(project, capsys):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    assert new(root, "issue", "2026-W11") == 0
    assert capsys.readouterr().out.strip() == "content/issues/2026-W11.md"
    text = (root / "content/issues/2026-W11.md").read_text()
    assert "2026-03-09 to 2026-03-15" in text
    assert main(["check", "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert "content/issues/2026-W11.md:4:8: error: title: still holds the TODO placeholder" in err
    assert "content/issues/2026-W11.md:6:1: error: body: the editorial still holds the TODO placeholder" in err


def test_a_brief_file_that_exists_is_never_overwritten(project, capsys, monkeypatch):
    root = project({"content/briefs/2026/existing.md": brief_text()})
    import generator.commands.new as new_module

    monkeypatch.setattr(new_module, "unique_slug", lambda base, taken: base)  # as if two editors raced
    assert new(root, "brief", "Race") == 0
    path = root / capsys.readouterr().out.strip()
    path.write_text("mine\n")
    assert new(root, "brief", "Race") == 1
    assert "already exists; not overwriting it" in capsys.readouterr().err
    assert path.read_text() == "mine\n"


def test_new_needs_a_site_root(tmp_path, capsys):
    assert main(["new", "brief", "Title", "--root", str(tmp_path)]) == 2
    assert "no content/ folder" in capsys.readouterr().err
