"""The ingest state file: .digest-cache/ingest-state.json at the site root.

Remembers, per feed URL, the ETag/Last-Modified validators for conditional
requests, and which entry URLs/GUIDs were ingested before (so a deleted draft
is not re-created). Kept out of content/ on purpose. Written atomically with
sorted keys, so the same state gives the same bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.ingest.fetch import Validators

STATE_PATH = ".digest-cache/ingest-state.json"
STATE_VERSION = 1


@dataclass
class IngestState:
    feeds: dict[str, Validators] = field(default_factory=dict)
    seen_urls: set[str] = field(default_factory=set)
    seen_guids: set[str] = field(default_factory=set)


def load_state(root: Path) -> tuple[IngestState, str]:
    """The saved state, and a warning ("" when none). A damaged file counts as empty."""
    path = Path(root) / STATE_PATH
    if not path.exists():
        return IngestState(), ""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        feeds = {
            url: Validators(v.get("etag"), v.get("last_modified"))
            for url, v in (data.get("feeds") or {}).items()
            if isinstance(v, dict)
        }
        return IngestState(
            feeds=feeds,
            seen_urls={str(u) for u in data.get("seen_urls") or []},
            seen_guids={str(g) for g in data.get("seen_guids") or []},
        ), ""
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        return IngestState(), f"{STATE_PATH}: ignored a damaged state file ({exc.__class__.__name__}); starting afresh"


def save_state(root: Path, state: IngestState) -> None:
    path = Path(root) / STATE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": STATE_VERSION,
        "feeds": {
            url: {k: v for k, v in (("etag", val.etag), ("last_modified", val.last_modified)) if v}
            for url, val in sorted(state.feeds.items())
        },
        "seen_urls": sorted(state.seen_urls),
        "seen_guids": sorted(state.seen_guids),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ingest-state.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
