"""Golden files: one brief page, one issue page, feed.xml and one email edition, compared byte for byte.

The input is the small fixed site in tests/fixtures/sites/golden/ (four
briefs over two ISO weeks of March 2026, one editorial), built with the
default theme. The expected output is in tests/golden/. On a difference the
test fails with a unified diff.

When a change to the output is intended (a template or renderer change),
update the golden files and review the diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

With UPDATE_GOLDEN=1 the tests rewrite tests/golden/ and pass; run them
again without it to confirm.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import build
from goldens import check_golden

HERE = Path(__file__).parent
FIXTURE = HERE / "fixtures" / "sites" / "golden"
GOLDEN = HERE / "golden"

CASES = {
    "brief.html": "briefs/records-guidance/index.html",
    "issue.html": "issues/2026-w11/index.html",
    "feed.xml": "feed.xml",
    "email.html": "issues/2026-w11/email.html",
    "email.txt": "issues/2026-w11/email.txt",
}


@pytest.fixture(scope="module")
def golden_site(tmp_path_factory):
    """Built from a fresh copy, so no build cache from an earlier run takes part and nothing is written into tests/."""
    root = tmp_path_factory.mktemp("golden") / "root"
    shutil.copytree(FIXTURE / "content", root / "content")
    build(root, root / "site")
    return root / "site"


@pytest.mark.parametrize("golden_name", sorted(CASES))
def test_output_matches_the_golden_file(golden_site, golden_name):
    check_golden((golden_site / CASES[golden_name]).read_text(encoding="utf-8"), GOLDEN / golden_name,
                 CASES[golden_name], "tests/test_golden.py")


def test_the_fixture_site_is_what_the_docstring_says():
    """Keep the fixture small and fixed: 4 briefs over 2 weeks, one editorial, no layouts of its own."""
    briefs = sorted(p.name for p in (FIXTURE / "content/briefs").glob("*.md"))
    assert len(briefs) == 4
    assert sorted(p.name for p in (FIXTURE / "content/issues").glob("*.md")) == ["2026-W11.md"]
    assert not (FIXTURE / "layouts").exists()
    assert sorted(p.name for p in FIXTURE.iterdir()) == ["content"], "build the fixture elsewhere (tests copy it to a temp folder)"
