"""Golden files for the weekly email editions: every edition of a small fixed site, byte for byte.

The input is tests/fixtures/sites/email/: three briefs over two ISO weeks
and one editorial, written to reach every kind of Markdown the editions turn
into mail-ready HTML and wrapped plain text (lists in lists, loose lists,
tables with alignment, code, quotes, headings, hard breaks, images, links to
the site and elsewhere, entities, words longer than a line, non-breaking
spaces), with "&", "<" and quotes in the site's settings and a brief's title,
source and implications, a brief without a jurisdiction, an action the site
adds, a week of one brief and no marking. tests/golden/email/ holds the
expected files. The same site with the theme's brief templates copied into
its own layouts/ must give the same bytes.

When a change to the output is intended, update the golden files and review
the diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_email_golden.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, build
from goldens import UPDATE, check_golden, compare_with_golden

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "sites" / "email"
GOLDEN = HERE / "golden" / "email"

CASES = {f"{week}.{ext}": f"issues/{week}/email.{ext}" for week in ("2026-w11", "2026-w12") for ext in ("html", "txt")}


def _built(tmp_path_factory, own_layouts: dict[str, str] | None = None) -> Path:
    root = tmp_path_factory.mktemp("email-golden") / "root"
    shutil.copytree(FIXTURE / "content", root / "content")
    for rel, text in (own_layouts or {}).items():
        path = root / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    build(root, root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory):
    return _built(tmp_path_factory)


@pytest.fixture(scope="module")
def own_templates_site(tmp_path_factory):
    """The theme's brief templates as a site's own, with a comment first (so they are not the theme's files)."""
    return _built(tmp_path_factory, {
        f"email/_brief.{ext}": "{# the site's own copy #}" + (REPO / f"layouts/email/_brief.{ext}").read_text(encoding="utf-8")
        for ext in ("html", "txt")
    })


def _compare(actual: str, name: str) -> None:
    compare_with_golden(actual, GOLDEN / name, CASES[name], "tests/test_email_golden.py")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_edition_matches_its_golden_file(golden_site, name):
    check_golden((golden_site / CASES[name]).read_text(encoding="utf-8"), GOLDEN / name, CASES[name],
                 "tests/test_email_golden.py")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_theme_s_templates_as_a_site_s_own_give_the_same_bytes(own_templates_site, name):
    if UPDATE:
        pytest.skip("updating the golden files")
    _compare((own_templates_site / CASES[name]).read_text(encoding="utf-8"), name)


def test_the_fixture_site_is_what_the_docstring_says():
    assert sorted(p.name for p in (FIXTURE / "content/briefs").glob("*.md")) == [
        "lone-brief.md", "short-notice.md", "tools-and-rules.md"]
    assert sorted(p.name for p in (FIXTURE / "content/issues").glob("*.md")) == ["2026-W11.md"]
    assert "marking" not in (FIXTURE / "content/site.yaml").read_text(encoding="utf-8")
    assert sorted(p.name for p in FIXTURE.iterdir()) == ["content"], "build the fixture elsewhere (tests copy it to a temp folder)"
