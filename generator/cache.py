"""The build cache: what the previous build learned, so this one can do less.

One SQLite file per output folder and option set, under .digest-cache/ in the
site root. It holds:

- meta: the cache format and the build key (generator and library versions,
  templates, site.yaml, options). A different key empties every table: a
  template edit or an upgrade is a full rebuild.
- briefs: each brief file's stat, sha256, parsed Brief and diagnostics, so an
  unchanged file is neither read as YAML nor validated again.
- fragments: each brief's rendered HTML pieces, by fingerprint.
- outputs: for each output file, the signature of everything its page was
  rendered from, and the size, mtime and sha256 it was written with. A page
  whose signature is unchanged, and whose file in the previous output is
  untouched, is hard-linked instead of rendered.

The cache is safe to delete at any time. A corrupt or foreign file is
discarded with a warning and never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from dataclasses import dataclass
from pathlib import Path

FORMAT = "ai-digest-cache-3"
CACHE_DIR = ".digest-cache"


@dataclass(frozen=True)
class OutputRecord:
    signature: str
    sha256: str
    size: int
    mtime_ns: int


STALE_DAYS = 30  # a cache file unused this long (an output folder no longer built) is removed


def prune(cache_dir: Path, keep: Path) -> None:
    """Remove cache files nobody has used for STALE_DAYS."""
    import time

    cutoff = time.time() - STALE_DAYS * 86400
    for f in cache_dir.glob("*.sqlite"):
        try:
            if f != keep and f.stat().st_mtime < cutoff:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(f) + suffix).unlink(missing_ok=True)
        except OSError:
            pass


def cache_path(root: Path, out: Path, variant: str) -> Path:
    """One cache per output folder and option set, so `serve` and `build` never thrash each other."""
    tag = hashlib.sha256(f"{out.resolve()}\0{variant}".encode()).hexdigest()[:16]
    return root / CACHE_DIR / f"build-{tag}.sqlite"


class BuildCache:
    def __init__(self, path: Path | None, key: str):
        """path None: a cache that remembers nothing (a clean build)."""
        self.path = path
        self.key = key
        self.warning = ""
        self.db: sqlite3.Connection | None = None
        if path is not None:
            self._open(path)
            prune(path.parent, path)

    # -- opening ----------------------------------------------------------------
    def _open(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.is_file() and path.stat().st_size > 0
        try:
            self.db = self._connect(path)
            row = self.db.execute("SELECT value FROM meta WHERE name='format'").fetchone()
            if row is None or row[0] != FORMAT:
                raise sqlite3.DatabaseError("not a cache of this version")
            key = self.db.execute("SELECT value FROM meta WHERE name='key'").fetchone()
            if key is None or key[0] != self.key:
                self._reset()
        except (sqlite3.DatabaseError, pickle.PickleError, OSError) as exc:
            if self.db is not None:
                self.db.close()
                self.db = None
            if existed:
                self.warning = f"build cache {path} was unreadable ({exc}); discarded it and rebuilt everything"
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(str(path) + suffix)
                except FileNotFoundError:
                    pass
            self.db = self._connect(path)
            self._reset()

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
        db.execute("PRAGMA busy_timeout=60000")  # forked workers write fragments side by side
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        return db

    def _reset(self) -> None:
        db = self.db
        db.execute("BEGIN")
        for table in ("briefs", "fragments", "outputs"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute("CREATE TABLE briefs (src_path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, sha TEXT, data BLOB)")
        db.execute("CREATE TABLE fragments (fingerprint TEXT PRIMARY KEY, data BLOB)")
        db.execute("CREATE TABLE outputs (dest_path TEXT PRIMARY KEY, signature TEXT, sha TEXT, size INTEGER, mtime_ns INTEGER)")
        db.execute("DELETE FROM meta")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('key', ?)", (self.key,))
        db.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        if self.db is not None:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def get_meta_blob(self, name: str) -> bytes:
        import base64
        return base64.b64decode(self.get_meta(name) or "")

    def set_meta_blob(self, name: str, value: bytes) -> None:
        import base64
        self.set_meta(name, base64.b64encode(value).decode())

    # -- briefs -------------------------------------------------------------------
    def parsed_files(self) -> dict[str, tuple[int, int, str, bytes]]:
        """src_path -> (mtime_ns, size, sha, pickled (brief, diagnostics))."""
        if self.db is None:
            return {}
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in self.db.execute("SELECT src_path, mtime_ns, size, sha, data FROM briefs")}

    def store_parsed(self, rows: list[tuple[str, int, int, str, bytes]], keep: set[str]) -> None:
        if self.db is None:
            return
        db = self.db
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO briefs VALUES (?, ?, ?, ?, ?)", rows)
        stale = [p for (p,) in db.execute("SELECT src_path FROM briefs") if p not in keep]
        db.executemany("DELETE FROM briefs WHERE src_path = ?", [(p,) for p in stale])
        db.execute("COMMIT")

    # -- fragments ----------------------------------------------------------------
    def fragment(self, fingerprint: str):
        if self.db is None:
            return None
        row = self.db.execute("SELECT data FROM fragments WHERE fingerprint = ?", (fingerprint,)).fetchone()
        return pickle.loads(row[0]) if row else None

    def missing_fragments(self, fingerprints: list[str]) -> set[str]:
        if self.db is None:
            return set(fingerprints)
        have = {fp for (fp,) in self.db.execute("SELECT fingerprint FROM fragments")}
        return {fp for fp in fingerprints if fp not in have}

    def reopen(self) -> "BuildCache":
        """A fresh connection to the same file (for a forked worker)."""
        clone = BuildCache.__new__(BuildCache)
        clone.path, clone.key, clone.warning = self.path, self.key, ""
        clone.db = self._connect(self.path) if self.path is not None else None
        return clone

    def add_fragments(self, new: dict) -> None:
        """Insert fragments (a worker's batch); nothing is removed."""
        if self.db is None or not new:
            return
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)",
                            [(fp, pickle.dumps(frag, protocol=pickle.HIGHEST_PROTOCOL)) for fp, frag in new.items()])
        self.db.execute("COMMIT")

    def store_fragments(self, new: dict, keep: set[str]) -> None:
        if self.db is None:
            return
        db = self.db
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)",
                       [(fp, pickle.dumps(frag, protocol=pickle.HIGHEST_PROTOCOL)) for fp, frag in new.items()])
        stale = [fp for (fp,) in db.execute("SELECT fingerprint FROM fragments") if fp not in keep]
        db.executemany("DELETE FROM fragments WHERE fingerprint = ?", [(fp,) for fp in stale])
        db.execute("COMMIT")

    # -- outputs ------------------------------------------------------------------
    def outputs(self) -> dict[str, OutputRecord]:
        if self.db is None:
            return {}
        return {r[0]: OutputRecord(r[1], r[2], r[3], r[4])
                for r in self.db.execute("SELECT dest_path, signature, sha, size, mtime_ns FROM outputs")}

    def store_outputs(self, records: dict[str, OutputRecord]) -> None:
        if self.db is None:
            return
        db = self.db
        db.execute("BEGIN")
        db.execute("DELETE FROM outputs")
        db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?, ?)",
                       [(k, r.signature, r.sha256, r.size, r.mtime_ns) for k, r in sorted(records.items())])
        db.execute("COMMIT")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
