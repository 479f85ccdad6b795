"""Check the build's own output before it is published.

The disclaimer rule is enforced here, on the rendered bytes, so no template
edit can silently drop it: every list of implications (an element carrying
`data-implications`, in pages and in feed content) must be followed by the
fixed disclaimer before the next list or the end of its section.
"""

from __future__ import annotations

import html
import re

from generator import DISCLAIMER
from generator.diagnostics import Diagnostic

_LIST = re.compile(r"<(ul|ol)\b[^>]*\bdata-implications\b[^>]*>")
_TAGS = re.compile(r"<[^>]+>")
_WS = re.compile(r"\s+")


def _missing_disclaimers(markup: str) -> int:
    missing = 0
    starts = [m for m in _LIST.finditer(markup)]
    for i, m in enumerate(starts):
        close = markup.find(f"</{m.group(1)}>", m.end())
        if close < 0:
            missing += 1
            continue
        stop = starts[i + 1].start() if i + 1 < len(starts) else len(markup)
        following = _WS.sub(" ", html.unescape(_TAGS.sub(" ", markup[close:stop])))
        if DISCLAIMER not in following:
            missing += 1
    return missing


_MARK = b"data-implications"
_LINE = DISCLAIMER.encode("utf-8")


def check_page(dest: str, data: bytes, expected: int) -> list[Diagnostic]:
    """The disclaimer rule for one rendered file, by counting: each implications list is followed
    by the disclaimer before the next list. Only a page where the exact line is not found where
    it should be is read more closely (markup or line breaks inside the line), so the usual
    page costs a few substring searches."""
    if not dest.endswith((".html", ".xml", ".json")):
        return []
    found = data.count(_MARK)
    if found < expected or (found and not _in_order(data)):
        return check_disclaimers([_File(dest, data)], {dest: expected} if expected else None)
    return []


def _in_order(data: bytes) -> bool:
    at = data.find(_MARK)
    while at >= 0:
        following = data.find(_MARK, at + 1)
        line = data.find(_LINE, at)
        if line < 0 or (following >= 0 and line > following):
            return False
        at = following
    return True


class _File:
    def __init__(self, dest_path: str, data: bytes):
        self.dest_path, self.data = dest_path, data


def expected_lists(site) -> dict[str, int]:
    """How many implications lists each page must at least show, from the model alone.

    A template that drops both the list marker and the disclaimer is caught
    here: a brief page shows one list, an issue page one per brief.
    """
    expected = {f"briefs/{b.slug}/index.html": 1 for b in site.briefs}
    expected.update({f"issues/{i.week.slug}/index.html": len(i.briefs) for i in site.issues})
    return expected


def check_disclaimers(files, expected: dict[str, int] | None = None) -> list[Diagnostic]:
    """files: OutputFiles. HTML is checked as is; XML feeds after unescaping their HTML content."""
    problems = []
    expected = expected or {}
    for f in files:
        if f.dest_path.endswith(".html"):
            text = f.data.decode("utf-8")
        elif f.dest_path.endswith((".xml", ".json")):
            text = html.unescape(f.data.decode("utf-8"))
        else:
            continue
        want = expected.get(f.dest_path, 0)
        found = len(_LIST.findall(text))
        if found < want:
            problems.append(Diagnostic(
                f"site/{f.dest_path}", 0, 0, "error", "",
                f"the page shows {found} list(s) of implications marked data-implications; expected {want}",
                "a template dropped the implications or their data-implications marker (see layouts/_macros.html)",
            ))
            continue
        if "data-implications" not in text:
            continue
        n = _missing_disclaimers(text)
        if n:
            problems.append(Diagnostic(
                f"site/{f.dest_path}", 0, 0, "error", "",
                f"{n} list(s) of implications rendered without the disclaimer \"{DISCLAIMER}\"",
                "a template dropped it; restore {{ DISCLAIMER }} after every implications list (see layouts/_macros.html)",
            ))
    return problems
