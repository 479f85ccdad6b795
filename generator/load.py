"""Load: find the files under content/ and read them as text, safely.

Never follows a symlink out of content/, never reads a huge file whole, and
turns undecodable bytes into a diagnostic that names the byte offset.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from generator.diagnostics import Diagnostic

MAX_FILE_BYTES = 1024 * 1024  # 1 MiB

# kind of each file under content/, by its place
SITE_CONFIG = "config"
SOURCES = "sources"
BRIEF = "brief"
ISSUE = "issue"
PAGE = "page"
PROMPT = "prompt"  # content/prompts/*.md: instructions for `digest draft`, recorded but not built


@dataclass(frozen=True)
class SourceFile:
    """One content file: `src_path` is relative to the site root, as shown in messages.

    `text` and `raw` are None for a file left unread because the caller already
    knows it by its signature (see find_content's `known`); `digest` is the
    sha256 of its bytes either way. A file listed to be read later (find_content's
    `read_briefs`) has neither text nor digest until it is read.
    """

    src_path: str
    abs_path: Path | str
    kind: str
    text: str | None
    raw: bytes | None
    digest: str = ""
    signature: tuple = ()  # (size, mtime_ns, inode, ctime_ns): same signature, same bytes


def signature_of(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def read_source(src_path: str, abs_path: Path | str, kind: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read one content file into a SourceFile (None, with the problem, when it cannot be read)."""
    try:
        text, raw, problems, st = _read(abs_path, src_path)
    except OSError as exc:
        return None, [Diagnostic(src_path, 0, 0, "error", "", f"cannot read file: {exc.strerror}")]
    if text is None:
        return None, problems
    return SourceFile(src_path, abs_path, kind, text, raw, hashlib.sha256(raw).hexdigest(), signature_of(st)), problems


@dataclass
class LoadResult:
    files: list[SourceFile]
    diagnostics: list[Diagnostic]
    seen: int  # files looked at, including rejected ones


def classify(rel: str) -> str | None:
    """Kind of a path relative to content/, or None for a file we do not know."""
    parts = rel.split("/")
    name = parts[-1]
    if rel == "site.yaml":
        return SITE_CONFIG
    if rel == "sources.yaml":
        return SOURCES
    if not name.endswith(".md"):
        return None
    if parts[0] == "briefs" and len(parts) >= 2:
        return BRIEF
    if parts[0] == "issues" and len(parts) == 2:
        return ISSUE
    if parts[0] == "pages" and len(parts) == 2:
        return PAGE
    if parts[0] == "prompts" and len(parts) == 2:
        return PROMPT
    return None


def is_ignored(name: str) -> bool:
    """Editor leftovers and hidden files: never content."""
    if name.endswith(".md"):  # the common case, answered first
        return name[0] in ".#" or name == "README.md"
    return (
        name.startswith(".")
        or name.endswith("~")
        or name.endswith((".swp", ".swo", ".swx", ".tmp", ".bak", ".orig"))
        or name.startswith("#")
        or name in ("README.md", "Thumbs.db")
    )


def read_text(abs_path: Path, src_path: str) -> tuple[str | None, bytes, list[Diagnostic]]:
    """Read a file as UTF-8 (BOM allowed), refusing anything over MAX_FILE_BYTES without reading it."""
    text, raw, problems, _ = _read(abs_path, src_path)
    return text, raw, problems


def _read(abs_path: Path | str, src_path: str) -> tuple[str | None, bytes, list[Diagnostic], os.stat_result]:
    """read_text, with the open file's stat.

    The size is taken from the open file itself, so a file swapped after the
    folder was listed is still measured before a byte is read; a pipe or
    device is refused without blocking on it.
    """
    fd = os.open(abs_path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, b"", [Diagnostic(src_path, 0, 0, "error", "", "not a regular file (a device, pipe or socket)",
                                          "remove it from content/")], st
        if st.st_size > MAX_FILE_BYTES:
            return None, b"", [
                Diagnostic(
                    src_path, 0, 0, "error", "",
                    f"file is {st.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB)",
                    "a brief should be a few kilobytes; split it or remove pasted material",
                )
            ], st
        raw = _read_to_end(fd, st.st_size)
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        return None, b"", [Diagnostic(src_path, 0, 0, "error", "", "file grew past the 1 MiB limit while being read")], st
    try:
        return raw.decode("utf-8"), raw, [], st
    except UnicodeDecodeError as exc:
        return None, raw, [_not_utf8(raw, exc, src_path)], st


def _read_to_end(fd: int, size: int) -> bytes:
    """The file's bytes up to its end, or MAX_FILE_BYTES + 1 of them when it grew past the limit.
    Plain reads of the size fstat gave: a buffered file costs more than the read, and asking it
    for the limit at once allocates a MiB for every file."""
    chunks = []
    total = 0
    want = size + 1
    while total <= MAX_FILE_BYTES:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = MAX_FILE_BYTES + 1 - total
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _not_utf8(raw: bytes, exc: UnicodeDecodeError, src_path: str) -> Diagnostic:
    """Name the first bad byte by offset, line and column (columns count characters before it)."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line_end = raw.find(b"\n", exc.start)
    line_bytes = raw[line_start : line_end if line_end >= 0 else len(raw)]
    line = raw.count(b"\n", 0, exc.start) + 1
    col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
    hint = "save the file as UTF-8 (most editors: File > Save with Encoding > UTF-8)"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        hint = "the file is UTF-16; " + hint
    return Diagnostic(
        src_path, line, col, "error", "",
        f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
        hint, line_bytes.decode("utf-8", "replace").rstrip("\r"),
    )


# what find_content does with one entry under content/ (see examine)
FILE = "file"  # a file to classify and read
FOLDER = "folder"  # a real folder, walked
SKIP = "skip"  # left alone: an editor leftover or hidden file (quietly), or a symlink it does not follow (reported)


def examine(src_path: str, abs_path: str, content_real: str, is_link: bool, is_dir: bool) -> tuple[str, Diagnostic | None]:
    """find_content's rules for one entry, in one place: (FILE | FOLDER | SKIP, the problem to report or None).

    `src_path` is "content/<path inside content/>"; `content_real` the real path of content/;
    `is_link` and `is_dir` describe the entry itself (a link to a folder is a link, not a folder).
    A symlink is followed only to a file inside content/; a link to a folder never is.
    """
    if is_ignored(src_path.rpartition("/")[2]):
        return SKIP, None
    if is_link:
        target = os.path.realpath(abs_path)
        if not os.path.exists(target):
            return SKIP, Diagnostic(src_path, 0, 0, "error", "", "symlink is broken or loops",
                                    "remove the link or point it at a file inside content/")
        if os.path.commonpath([content_real, target]) != content_real:
            return SKIP, Diagnostic(src_path, 0, 0, "error", "", "symlink points outside content/",
                                    "content must live inside content/; copy the file in instead of linking")
        if os.path.isdir(target):
            return SKIP, Diagnostic(src_path, 0, 0, "error", "", "symlinked folders are not followed",
                                    "move the folder into place instead of linking it")
        return FILE, None
    return (FOLDER if is_dir else FILE), None


def find_content(root: Path, known: Callable[[str, tuple], str | None] | None = None,
                 read_briefs: bool = True) -> LoadResult:
    """Walk content/ without following symlinks out of it; read every content file.

    `known(src_path, signature)` may return the sha256 of a brief file the
    caller already holds in parsed form (same path, same size, mtime, inode
    and ctime): that file is listed unread, with text and raw None. Without
    `read_briefs`, every other brief file is listed unread too, with no digest
    or signature yet: the caller reads it where it parses it (a clean build, in
    its worker processes).
    """
    content = root / "content"
    diags: list[Diagnostic] = []
    files: list[SourceFile] = []
    seen = 0
    if not content.is_dir():
        return LoadResult([], [Diagnostic("content", 0, 0, "error", "", "no content/ folder here",
                                          f"run digest in a site's folder (the one holding content/site.yaml) or any folder inside it, "
                                          f"or pass --root; looked in {root.absolute()}")], 0)
    content_real = os.path.realpath(content)
    stack = [("", content)]
    while stack:
        rel_dir, abs_dir = stack.pop()
        try:
            entries = sorted(os.scandir(abs_dir), key=lambda e: e.name)
        except OSError as exc:
            diags.append(Diagnostic(f"content/{rel_dir}".rstrip("/"), 0, 0, "error", "", f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            src_path = f"content/{rel}"
            verdict, problem = examine(src_path, entry.path, content_real, entry.is_symlink(),
                                       entry.is_dir(follow_symlinks=False))
            if verdict != FILE:
                if verdict == FOLDER:
                    stack.append((rel + "/", Path(entry.path)))
                elif problem is not None:
                    diags.append(problem)
                continue
            kind = classify(rel)
            seen += 1
            if kind is None:
                diags.append(Diagnostic(src_path, 0, 0, "warning", "", "unknown file in content/ (not built)",
                                        "briefs go in content/briefs/**/*.md, editorials in content/issues/YYYY-Www.md, pages in content/pages/*.md"))
                continue
            if known is not None and kind == BRIEF:
                try:
                    st = entry.stat()
                except OSError:
                    st = None
                digest = known(src_path, signature_of(st)) if st is not None and stat.S_ISREG(st.st_mode) else None
                if digest:  # its path stays a string: ten thousand Path objects cost a second
                    files.append(SourceFile(src_path, entry.path, kind, None, None, digest, signature_of(st)))
                    continue
            if not read_briefs and kind == BRIEF:
                files.append(SourceFile(src_path, entry.path, kind, None, None))
                continue
            source, problems = read_source(src_path, entry.path, kind)  # a string: Path objects cost
            diags.extend(problems)
            if source is not None:
                files.append(source)
    files.sort(key=lambda f: f.src_path)
    if not any(f.kind == BRIEF for f in files) and not any(d.severity == "error" for d in diags):
        diags.append(Diagnostic("content/briefs", 0, 0, "error", "", "no briefs found",
                                "add a brief with `digest new brief \"Title\"` (briefs live in content/briefs/**/*.md)"))
    return LoadResult(files, diags, seen)
