"""Incremental: what one build remembers so the next does only what changed.

Glossary (every hash the build uses, and where it lives):

- build key: one hash of everything that can change every output at once:
  the generator's own code (every .py file of the package), the templates
  and assets of layouts/ (the site's and the default theme's), site.yaml,
  sources.yaml, the versions of Python and the libraries, and the build
  options (drafts, base URL). When it changes, nothing remembered is trusted.
- input stamp: a cheap hash of the size, mtime, inode and ctime of every
  file the build reads (content/, layouts/, the package's code, the libraries' modules),
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

- state.pickle: the build key, the last input stamp and report, tree records,
  and per search shard (named by its pages' content) the sha256 and size of
  each of its files, so the manifest never reads the index again.
- parsed.pickle and parsed.log: per brief file, its signature (size, mtime,
  inode, ctime), the sha256 of its bytes, the day it was checked on (date
  warnings depend on it) and the parsed brief with its diagnostics. A file
  whose signature is unchanged is not even read. A build appends what it
  parsed to the log; when the log grows past an eighth of the entries, the
  whole is written out again as parsed.pickle.
- fragments.sqlite: per fingerprint, the brief's rendered HTML fragments
  (packed by generator.fragments.pack), read back only for the few briefs a
  small rebuild needs.
- templates/: Jinja's compiled templates, each checked against its source and the
  generator's own code (code_key: the build key less templates, settings and options).

A cache that cannot be read is discarded with a warning and never trusted.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


CACHE_DIR = ".digest-cache"
FORMAT = 7
PACKAGE = Path(__file__).resolve().parent
KEEP_TREES = 4  # output folders whose records are kept: the site, its spare, a preview's few
LIBRARIES = ("markdown_it", "mdit_py_plugins", "jinja2", "markupsafe", "yaml", "nh3", "pagefind_bin", "css_inline", "lz4")


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


@lru_cache(maxsize=1)
def code_key() -> str:
    """The part of the build key that is the generator itself: its code, and the versions of
    Python and the libraries. Worked out once per process: the code that runs is the code
    that was imported, whatever happens to the files afterwards."""
    from generator.manifest import library_versions

    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{sorted(library_versions().items())!r}\0".encode())
    for path in code_files():
        h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def build_key(layout_files: dict[str, bytes], settings: list[bytes], options: tuple) -> str:
    """The build key (see the glossary): code, templates, settings, library versions, options."""
    h = hashlib.sha256(f"{code_key()}\0{options!r}\0".encode())
    for name, data in sorted(layout_files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    for data in settings:
        h.update(b"\1" + hashlib.sha256(data).digest())
    return h.hexdigest()


def input_stamp(root: Path, layout_dirs: list[Path], options: tuple) -> tuple[str, int]:
    """The input stamp (see the glossary) and the newest change time among the files.
    Costs one stat per file; reads nothing.

    Taken before the build reads anything, so a file saved while it runs makes
    the next stamp differ. The build waits until the newest change is older
    than its clock tick (wait_past_tick) before it reads: a second change in
    the same tick as the one it read would otherwise go unseen.
    """
    parts: list[str] = [repr(options), str(FORMAT), sys.version]
    newest = [0]
    for folder in [root / "content", *layout_dirs]:
        _stat_tree(str(folder), parts, newest)
    for path in [*map(str, code_files()), *library_files()]:
        _stat_file(path, parts, newest)
    return hashlib.blake2b("\n".join(parts).encode("utf-8", "surrogateescape"), digest_size=20).hexdigest(), newest[0]


def _stat_file(path: str, parts: list[str], newest: list[int]) -> None:
    try:
        st = os.stat(path)
    except OSError:
        parts.append(f"{path}\0missing")
        return
    parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_ctime_ns}")
    newest[0] = max(newest[0], st.st_mtime_ns, st.st_ctime_ns)


def _stat_tree(folder: str, parts: list[str], newest: list[int]) -> None:
    """'path size mtime inode ctime' for every file under folder, in a fixed order (one scandir per folder)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            _stat_tree(entry.path, parts, newest)
        else:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            parts.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0{st.st_ctime_ns}")
            if st.st_ctime_ns > newest[0]:
                newest[0] = max(st.st_mtime_ns, st.st_ctime_ns)


def tree_id(folder: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


@dataclass(frozen=True)
class Parsed:
    """A brief file as last parsed: its signature (size, mtime, inode, ctime; () when it was
    too fresh to trust), the day it was checked on, the sha256 of its bytes, and
    parse_brief's answer (brief, diagnostics)."""

    signature: tuple
    day: object
    digest: str
    result: tuple


RACY_NS = 2_000_000_000  # a file changed this close to being read may change again unseen


def racy(changed_ns: int, now_ns: int) -> bool:
    """True when a file last changed at changed_ns (its mtime or ctime, the later) could change
    again within the same tick of the file system's clock without its signature changing.

    File systems that keep whole seconds (ext3, FAT, some network mounts) get RACY_NS; the
    others (ext4, XFS, btrfs, tmpfs keep nanoseconds, advanced in ticks of a few ms) a
    twentieth of it. A time of exactly a whole second is taken as the coarse kind.
    """
    window = RACY_NS if changed_ns % 1_000_000_000 == 0 else RACY_NS // 20
    return changed_ns >= now_ns - window


def wait_past_tick(changed_ns: int) -> None:
    """Sleep until a file changed at changed_ns is no longer racy (0.1 s at most on most file
    systems, 2 s on whole-second ones; usually not at all): a build that reads its files after
    this and keeps the stamp taken before never misses a change made after it read them."""
    while racy(changed_ns, time.time_ns()):
        time.sleep(0.01)


def parsed_entry(src, day, result, now_ns: int) -> Parsed:
    """What to remember of a brief file just parsed; a file changed within its clock tick of now
    (see racy) is recorded without its signature, so the next build reads it again rather than trust it."""
    signature = src.signature if src.signature and not racy(max(src.signature[1], src.signature[3]), now_ns) else ()
    return Parsed(signature, day, src.digest, result)


@contextmanager
def collector_paused(freeze: bool = False):
    """Python's cycle collector paused while tens of thousands of long-lived objects are made
    (unpickled, loaded, planned): it would walk them over and over, though they hold no cycles.
    `freeze`: afterwards, tell it to leave them be for good (gc.freeze)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


@dataclass
class State:
    key: str = ""
    stamp: str = ""
    report: object = None
    trees: dict = field(default_factory=dict)  # tree id -> {dest: (signature, sha256)}
    search: dict = field(default_factory=dict)  # tree id -> {"primary": shard name, "shards": [names]}
    shards: dict = field(default_factory=dict)  # shard name -> {path: (sha256, size)} of its files


class Memory:
    """The cache folder of one output: state, parsed briefs and fragments (see the module docstring)."""

    def __init__(self, folder: Path | None):
        self.folder = folder  # None: remember nothing (a clean build)
        self.warning = ""
        self.state = State()
        self._parsed: dict | None = None
        self._logged = 0  # records in parsed.log
        self._unsaved: list = []  # (path, entry or None) recorded by update_parsed, not yet written
        self._elsewhere: list = []  # joins of other processes writing the parse cache (written_elsewhere)
        self._stored_now: set[str] = set()  # fingerprints this build has put in the fragment cache
        self._db: sqlite3.Connection | None = None
        self._stored: set[str] | None = None  # fingerprints the fragment cache holds, read once
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
                (self.folder / "parsed.log").unlink(missing_ok=True)

    # -- parsed briefs --------------------------------------------------------------
    def parsed(self) -> dict:
        """src_path -> Parsed: the base file with the log's later records applied."""
        if self._parsed is None:
            self._parsed, self._logged = {}, 0
            if self.folder is not None:
                with collector_paused():
                    self._parsed = self._load("parsed.pickle", dict) or {}
                    self._logged = self._replay(self.folder / "parsed.log")
        return self._parsed

    def update_parsed(self, changed: dict, removed) -> None:
        """Record what this build parsed anew and which files are gone; save_parsed writes it."""
        parsed = self.parsed()
        parsed.update(changed)
        for path in removed:
            parsed.pop(path, None)
        if self.folder is not None:
            self._unsaved += [(p, e) for p, e in changed.items()] + [(p, None) for p in removed]

    def written_elsewhere(self, join) -> None:
        """The parse cache's writes taken (parsed_writes) by another process: close() calls `join`
        to wait for it, so that no build ends while that process still writes. What the process
        raised is the build's to report (or gives way to the build's own error), not close()'s."""
        self._elsewhere.append(join)

    def unsaved_parsed(self) -> int:
        """How many records update_parsed has made that are not yet written."""
        return len(self._unsaved)

    def save_parsed(self) -> None:
        """What update_parsed recorded, into the cache folder: appended to the log, or, once the
        log holds more than an eighth of the entries, written out as a new base file. A build
        that parsed many briefs hands this to a helper process instead (parsed_writes,
        stages.SideWork); others call it while workers render the first pages, or after
        rendering; close() calls it too."""
        write = self.parsed_writes()
        if write is not None:
            write()

    def parsed_writes(self):
        """What save_parsed would write now, as a function that writes it (None when nothing
        waits), taken: from here on this Memory counts it as written. A build hands it to a
        helper process (parallel.start), which writes while this one goes on."""
        records, self._unsaved = self._unsaved, []
        if not records:
            return None
        parsed = self.parsed()
        if self._logged + len(records) > max(256, len(parsed) // 8):
            self._logged = 0
            return lambda: self._write_parsed(parsed)
        self._logged += len(records)
        return lambda: self._log_parsed(records)

    def _write_parsed(self, parsed: dict) -> None:
        with collector_paused():
            self._save("parsed.pickle", parsed)
        (self.folder / "parsed.log").unlink(missing_ok=True)

    def _log_parsed(self, records: list) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / "parsed.log", "ab") as fh:
            for record in records:
                pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def _replay(self, log: Path) -> int:
        """Apply the log's records in order; a torn last record (a build killed mid-append) ends it."""
        count = 0
        try:
            fh = open(log, "rb")
        except FileNotFoundError:
            return 0
        with fh:
            while True:
                try:
                    path, entry = pickle.load(fh)
                except EOFError:
                    break
                except Exception:  # noqa: BLE001 - torn or foreign: stop trusting the rest
                    log.unlink(missing_ok=True)
                    self._save("parsed.pickle", self._parsed)
                    return 0
                if entry is None:
                    self._parsed.pop(path, None)
                elif isinstance(entry, Parsed):
                    self._parsed[path] = entry
                count += 1
        return count

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

    def fragment(self, fingerprint: str) -> bytes | None:
        """The packed fragments stored for `fingerprint` (generator.fragments.pack), or None."""
        if fingerprint not in self._stored_fingerprints():  # a cold build asks for every brief
            return None
        db = self._fragments_db()
        try:
            row = db.execute("SELECT data FROM fragments WHERE fingerprint = ?", (fingerprint,)).fetchone()
            return row[0] if row else None
        except Exception:  # noqa: BLE001 - a bad entry is a miss
            return None

    def _stored_fingerprints(self) -> set[str]:
        if self._stored is None:
            db = self._fragments_db()
            try:
                self._stored = {row[0] for row in db.execute("SELECT fingerprint FROM fragments")} if db else set()
            except sqlite3.DatabaseError:  # an unreadable cache holds nothing
                self._stored = set()
        return self._stored

    def store_fragments(self, made: dict[str, bytes], keep: set[str] | None = None) -> None:
        """Keep `made` ({fingerprint: packed fragments}, see fragments.pack), but for those this
        Memory has stored already; with `keep`, drop all not in it. A fingerprint names its
        fragments' content, so storing them before the build succeeds is safe: the build stores
        the first pages' fragments while workers render the rest, and the others at the end."""
        db = self._fragments_db()
        if db is None:
            return
        new = [(fp, data) for fp, data in made.items() if fp not in self._stored_now]
        if not new and keep is None:
            return
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", new)
        if keep is not None:
            stale = [fp for (fp,) in db.execute("SELECT fingerprint FROM fragments") if fp not in keep]
            if stale:
                db.executemany("DELETE FROM fragments WHERE fingerprint = ?", [(fp,) for fp in stale])
        db.execute("COMMIT")
        self._stored_now.update(fp for fp, _ in new)
        self._stored = None

    def forget_connection(self) -> None:
        """In a forked worker: never use the parent's SQLite connection."""
        self._db = None

    # -- trees --------------------------------------------------------------------------
    def records(self, folder: Path) -> dict | None:
        """What `folder` holds ({dest: (signature, sha256)}), or None when unknown."""
        tid = tree_id(folder)
        return self.state.trees.get(tid) if tid is not None else None

    def take_tree(self, folder: Path) -> tuple[dict | None, dict]:
        """Before a folder is changed: what it holds (its records, or None when unknown, and its
        search folders), forgotten on disk, so that if the build dies half-way nobody trusts them."""
        tid = tree_id(folder)
        if tid is None:
            return None, {}
        records, search = self.state.trees.pop(tid, None), self.state.search.pop(tid, None)
        if records is not None or search:
            self.save_state()
        return records, search or {}

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
        used = {n for s in self.state.search.values() for n in (s or {}).get("shards", ())}
        self.state.shards = {n: files for n, files in self.state.shards.items() if n in used}

    def close(self) -> None:
        """Wait for any helper writing the parse cache (written_elsewhere), write what update_parsed
        recorded if the build has not yet, and let go of the fragment cache. Called as a build ends,
        failed or not: a parse cache it cannot write is left unwritten, so that the build's own error
        is the one reported (a successful build has written it already)."""
        for join in self._elsewhere:
            join()
        self._elsewhere = []
        try:
            self.save_parsed()
        except OSError:
            pass
        if self._db is not None:
            self._db.close()
            self._db = None
