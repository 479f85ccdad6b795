"""The preview's index job: `python -m generator.serve.index_job FOLDER PREVIOUS`.

FOLDER holds .pages.json ([[sort order], path, file to link or null] per
page; a null page is already written there); PREVIOUS is the folder of the index served now ("-": none), whose
unchanged shards are linked instead of indexed again. Runs as its own
process at low priority, so the preview's server never forks and a stop
can end it and its Pagefind together.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    folder, previous = Path(argv[0]), argv[1]
    try:
        os.nice(10)
    except (AttributeError, OSError):
        pass
    from generator.search import SearchIndexError, update_index

    listed = json.loads((folder / ".pages.json").read_text(encoding="utf-8"))
    for _order, dest, source in listed:
        if source is not None:
            target = folder / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
    pages = [(tuple(order), dest) for order, dest, _source in listed]
    hashes = {dest: hashlib.sha256((folder / dest).read_bytes()).hexdigest() for _order, dest in pages}
    try:
        update_index(folder, None if previous == "-" else Path(previous), pages, hashes, {}, {})
    except SearchIndexError as exc:
        print(f"search index failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
