"""Incremental: what one build remembers so the next does only what changed.

Glossary (every hash the build uses, and where it lives):

- build key: one hash of everything that can change every output at once:
  the generator's own code (every .py file of the package), the templates
  and assets of layouts/ (the site's and the default theme's), site.yaml,
  sources.yaml, the versions of Python and the libraries, and the build
  options (drafts, base URL). When it changes, nothing remembered is trusted.
- input stamp: a cheap hash of the size and mtime of every file the build
  reads (content/, layouts/, the package's code, the libraries' modules),
  the options and today's date, and which folder the output is. Equal stamps
  mean the output already is what a build would write: the build stops before
  importing the renderer or reading any content.
- fingerprint: per brief, a hash of the build key, its path and its bytes.
  It names the brief's parsed form and its rendered fragments.
- signature: per planned output file (generator.plan), a hash of the build
  key and the inputs the file's bytes depend on. Equal signature, equal bytes.
- tree records: per output folder, known by its device and inode (they
  survive the atomic exchange that publishes a build), the signature and
  sha256 of every file the folder holds. The build updates the spare folder
  to the new plan by touching only files whose signature differs, linking
  from the published folder those it already has, then exchanges the two.

Files, in .digest-cache/<variant>/ at the site root (safe to delete at any time):

- state.pickle: the build key, the last input stamp and report, tree records.
- parsed.pickle: per brief file, its content hash (with the day: date
  warnings depend on it) and the parsed brief with its diagnostics.
- fragments.sqlite: per fingerprint, the brief's rendered HTML fragments,
  read back only for the few briefs a small rebuild needs.

A cache that cannot be read is discarded with a warning and never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

CACHE_DIR = ".digest-cache"
FORMAT = 4
PACKAGE = Path(__file__).resolve().parent
KEEP_TREES = 4  # output folders whose records are kept: the site, its spare, a preview's few
LIBRARIES = ("markdown_it", "mdit_py_plugins", "jinja2", "markupsafe", "yaml", "nh3", "pagefind_bin", "css_inline")


def cache_folder(root: Path, variant: str) -> Path:
    return root / CACHE_DIR / variant


def variant_for(out: Path, name: str | None = None) -> str:
    """One cache per output folder (serve names its own, shared by its builds)."""
    return name or "build-" + hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]


def code_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".js", ".css", ".html") and p.is_file())


def library_files() -> list[str]:
    """The module file of each library the output depends on (its stat changes when it is upgraded)."""
    import importlib.util

    found = []
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        found.append(spec.origin if spec is not None and spec.origin else f"<no {name}>")
    return found


def build_key(layout_files: dict[str, bytes], settings: list[bytes], options: tuple) -> str:
    """The build key (see the glossary): code, templates, settings, library versions, options."""
    from generator.manifest import library_versions

    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{sorted(library_versions().items())!r}\0{options!r}\0".encode())
    for path in code_files():
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    for name, data in sorted(layout_files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    for data in settings:
        h.update(b"\1" + hashlib.sha256(data).digest())
    return h.hexdigest()


def input_stamp(root: Path, layout_dirs: list[Path], out: Path, options: tuple) -> str:
    """The input stamp (see the glossary). Costs one stat per file; reads nothing."""
    parts: list[str] = [repr(options), str(FORMAT), sys.version]
    for folder in [root / "content", *layout_dirs]:
        _stat_tree(str(folder), parts)
    for path in [*map(str, code_files()), *library_files()]:
        _stat_file(path, parts)
    try:
        st = os.stat(out)
        parts.append(f"out\0{st.st_dev}\0{st.st_ino}")
    except OSError:
        parts.append("no output")
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest()


def _stat_file(path: str, parts: list[str]) -> None:
    try:
        st = os.stat(path)
        parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    except OSError:
        parts.append(f"{path}\0missing")


def _stat_tree(folder: str, parts: list[str]) -> None:
    """'path size mtime' for every file under folder, in a fixed order (scandir: one call per folder)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _stat_tree(entry.path, parts)
        else:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}")


def tree_id(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


@dataclass
class State:
    key: str = ""
    stamp: str = ""
    report: object = None
    trees: dict = field(default_factory=dict)  # tree id -> {dest: (signature, sha256)}
    search: dict = field(default_factory=dict)  # tree id -> {search folder: shard signature}


class Memory:
    """The cache folder of one output: state, parsed briefs and fragments (see the module docstring)."""

    def __init__(self, folder: Path | None):
        self.folder = folder  # None: remember nothing (a clean build)
        self.warning = ""
        self.state = State()
        self._parsed: dict | None = None
        self._db: sqlite3.Connection | None = None
        if folder is not None:
            self.state = self._load("state.pickle", State) or State()

    # -- files ------------------------------------------------------------------
    def _load(self, name: str, kind):
        path = self.folder / name
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
            if not isinstance(value, kind):
                raise pickle.UnpicklingError("not a cache of this version")
            return value
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - anything unreadable is simply not trusted
            self.warning = f"build cache {path} was unreadable ({type(exc).__name__}); discarded it"
            return None

    def _save(self, name: str, value) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.{os.getpid()}"
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.folder / name)

    def save_state(self) -> None:
        self._save("state.pickle", self.state)

    # -- the key ------------------------------------------------------------------
    def use_key(self, key: str) -> None:
        """Forget everything made under another build key."""
        if self.state.key != key:
            self.state = State(key=key)
            self._parsed = {}
            if self.folder is not None:
                (self.folder / "fragments.sqlite").unlink(missing_ok=True)
                (self.folder / "parsed.pickle").unlink(missing_ok=True)

    # -- parsed briefs --------------------------------------------------------------
    def parsed(self) -> dict:
        """src_path -> (content hash, (brief, diagnostics))."""
        if self._parsed is None:
            self._parsed = (self._load("parsed.pickle", dict) if self.folder is not None else None) or {}
        return self._parsed

    def save_parsed(self, parsed: dict) -> None:
        self._parsed = parsed
        self._save("parsed.pickle", parsed)

    # -- fragments ------------------------------------------------------------------
    def _fragments_db(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        if self._db is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / "fragments.sqlite"
            try:
                self._db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
                self._db.execute("CREATE TABLE IF NOT EXISTS fragments (fingerprint TEXT PRIMARY KEY, data BLOB)")
            except sqlite3.DatabaseError as exc:
                self.warning = f"build cache {path} was unreadable ({exc}); discarded it"
                path.unlink(missing_ok=True)
                self._db = sqlite3.connect(str(path), isolation_level=None, timeout=60)
                self._db.execute("CREATE TABLE IF NOT EXISTS fragments (fingerprint TEXT PRIMARY KEY, data BLOB)")
        return self._db

    def fragment(self, fingerprint: str):
        db = self._fragments_db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT data FROM fragments WHERE fingerprint = ?", (fingerprint,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 - a bad entry is a miss
            return None

    def store_fragments(self, made: dict, keep: set[str]) -> None:
        db = self._fragments_db()
        if db is None:
            return
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)",
                       [(fp, pickle.dumps(f, protocol=pickle.HIGHEST_PROTOCOL)) for fp, f in made.items()])
        stale = [fp for (fp,) in db.execute("SELECT fingerprint FROM fragments") if fp not in keep]
        if stale:
            db.executemany("DELETE FROM fragments WHERE fingerprint = ?", [(fp,) for fp in stale])
        db.execute("COMMIT")

    def forget_connection(self) -> None:
        """In a forked worker: never use the parent's SQLite connection."""
        self._db = None

    # -- trees --------------------------------------------------------------------------
    def records(self, folder: Path) -> dict | None:
        """What `folder` holds ({dest: (signature, sha256)}), or None when unknown."""
        tid = tree_id(folder)
        return self.state.trees.get(tid) if tid is not None else None

    def forget_tree(self, folder: Path) -> None:
        """Before a folder is changed: if the build dies half-way, its records are not trusted."""
        tid = tree_id(folder)
        if tid is not None and (self.state.trees.pop(tid, None) is not None or self.state.search.pop(tid, None)):
            self.save_state()

    def remember_tree(self, folder: Path, records: dict, search: dict | None = None) -> None:
        tid = tree_id(folder)
        if tid is None:
            return
        self.state.trees.pop(tid, None)
        self.state.trees[tid] = records  # newest last
        self.state.search[tid] = search or {}
        for old in list(self.state.trees)[:-KEEP_TREES]:  # folders long since replaced
            self.state.trees.pop(old, None)
            self.state.search.pop(old, None)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
