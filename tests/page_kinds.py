"""Every kind of page in the sample site, served over HTTP for browser tests.

    PAGE_KINDS: kind -> a path under the site's base path, chosen from the built
    output so the tests follow the sample content as it changes.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import serve_folder

BASE_PATH = "/ai-digest/"  # the path part of the sample's base_url (content/site.yaml)
TAGS_WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def _first(folder: Path) -> str:
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != "page")
    assert names, f"no pages under {folder}"
    return names[0]


def page_kinds(site: Path) -> dict[str, str]:
    """kind -> path (relative to the base path) of one page of that kind."""
    return {
        "home": "",
        "brief": f"briefs/{_first(site / 'briefs')}/",
        "briefs catalogue": "briefs/",
        "issue": f"issues/{sorted(_first_all(site / 'issues'))[-1]}/",
        "issues index": "issues/",
        "tag": f"tags/{_first(site / 'tags')}/",
        "tags index": "tags/",
        "source": f"sources/{_first(site / 'sources')}/",
        "sources index": "sources/",
        "action": f"actions/{_first(site / 'actions')}/",
        "action legend": "actions/",
        "search": "search/",
        "404": "no-such-page/",
        "about": "about/",
    }


def _first_all(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.is_dir()]


def all_briefs(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "briefs").iterdir() if p.is_dir() and p.name != "page")


@pytest.fixture(scope="session")
def served(sample_site):
    """(base URL ending in the base path, kinds) for the sample site built with search."""
    base, stop = serve_folder(sample_site, BASE_PATH)
    yield base, page_kinds(sample_site)
    stop()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
