"""The files of a new site, as `digest init` writes them.

The starter lives in generator/starter/ (inside the wheel too): settings, one
source list, an example brief, an About page, the three GitHub Actions
workflows (check pull requests, publish main, draft briefs from the feeds),
the editor's pull-request checklist, a requirements.txt that pins this version of the tool for those workflows,
and a .gitignore. `digest check --strict` and `digest build` accept it as
written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator import __version__

STARTER = Path(__file__).parent / "starter"
SOURCE_URL = "https://github.com/ai-digest/ai-digest"  # as under [project.urls] in pyproject.toml
DOCS_URL = f"{SOURCE_URL}/blob/main/docs/editing.md"

# site path -> file in generator/starter/
LAYOUT = {
    "content/site.yaml": "site.yaml",
    "content/sources.yaml": "sources.yaml",
    "content/briefs/{year}/welcome.md": "brief.md",
    "content/pages/about.md": "about.md",
    ".github/workflows/check.yml": "workflows/check.yml",
    ".github/workflows/publish.yml": "workflows/publish.yml",
    ".github/workflows/ingest.yml": "workflows/ingest.yml",
    ".github/pull_request_template.md": "pull_request_template.md",
    "requirements.txt": "requirements.txt",
    ".gitignore": "gitignore",
}


def starter_files(today: dt.date) -> dict[str, bytes]:
    """{path in the new site: its bytes}; `today` dates the example brief."""
    values = {"@TODAY@": today.isoformat(), "@VERSION@": __version__, "@SOURCE_URL@": SOURCE_URL,
              "@DOCS_URL@": DOCS_URL}
    files = {}
    for target, name in LAYOUT.items():
        text = (STARTER / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        files[target.format(year=today.year)] = text.encode("utf-8")
    return files


def already_there(folder: Path, files: dict[str, bytes]) -> list[str]:
    """The files that would be overwritten (init never overwrites anything)."""
    return [rel for rel in files if (folder / rel).exists() or (folder / rel).is_symlink()]


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write every file, creating folders; "x" mode, so a file that appeared meanwhile is not overwritten."""
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as fh:
            fh.write(data)
