"""Control characters: found in content, named for editors, made visible in messages.

One BEL or ESC in a title makes feed.xml malformed (XML 1.0 forbids most C0
controls), and every feed reader then rejects the whole feed; the others are
invisible junk pasted from elsewhere. So text may hold no C0 or C1 control
character other than tab and line feed (carriage returns only as line
endings, which are normalised before anything is read), no lone surrogate
and neither of the non-characters U+FFFE and U+FFFF.

YAML lets an editor write such characters as escapes inside double quotes
("\\a", "\\e", "\\x07", "\\u001b"); `escapes_in_double_quoted` finds where.
"""

from __future__ import annotations

import re

# Everything that may not appear in text. NEL (U+0085) is included; where
# YAML reads it as a line break the caller decides to let it through.
BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# A quick look at the bytes of a UTF-8 file first (the regex is ~8x slower on 10,000 briefs):
# a C0 control or DEL is one byte that never occurs inside another character's encoding; a C1
# control is \xc2 followed by \x80-\x9f; U+FFFE and U+FFFF are \xef\xbf\xbe and \xef\xbf\xbf.
_NOT_C0 = bytes(b for b in range(256) if not (b < 0x20 and b not in (0x09, 0x0A, 0x0D) or b == 0x7F))
_WIDE = re.compile(rb"\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]")


def may_hold(raw: bytes) -> bool:
    """False when the UTF-8 bytes certainly hold no bad character (CR counts as a line ending)."""
    if raw.translate(None, _NOT_C0):
        return True
    return (b"\xc2" in raw or b"\xef\xbf" in raw) and _WIDE.search(raw) is not None


_C0 = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
       "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()
_C1 = ("PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
       "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGC SCI CSI ST OSC PM APC").split()



def hint(count: int, written: list[str] | None = None) -> str:
    """What to do, naming the escapes that wrote the characters when there are any."""
    how = f"written {' and '.join(dict.fromkeys(written))}; " if written else ""
    return (f"{how}remove {'it' if count == 1 else 'them'}: control characters are invisible, and they make "
            "feed.xml unreadable to feed readers")


def name(ch: str) -> str:
    """'\\x07' -> 'U+0007 (BEL)'."""
    code = ord(ch)
    if code < 0x20:
        label = _C0[code]
    elif code == 0x7F:
        label = "DEL"
    elif 0x80 <= code <= 0x9F:
        label = _C1[code - 0x80]
    elif 0xD800 <= code <= 0xDFFF:
        label = "a lone surrogate"
    else:
        label = "not a character"
    return f"U+{code:04X} ({label})"


def describe(chars: list[str]) -> str:
    """'control character U+0007 (BEL)' or '2 control characters: U+0007 (BEL), U+001B (ESC)'."""
    unique = list(dict.fromkeys(chars))
    if len(chars) == 1:
        return f"control character {name(chars[0])}"
    shown = ", ".join(name(c) for c in unique[:5]) + (", ..." if len(unique) > 5 else "")
    return f"{len(chars)} control characters: {shown}"


def visible(text: str) -> str:
    """The text with each bad character replaced by a visible stand-in of the same width:
    C0 controls by their Unicode control pictures (U+2407 for BEL), the rest by U+FFFD.
    Messages never send a raw ESC (or BEL) to the editor's terminal."""
    if not BAD.search(text):
        return text
    return BAD.sub(_picture, text)


def _picture(m: re.Match) -> str:
    code = ord(m.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


_SIMPLE = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
           "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
           "L": "\u2028", "P": "\u2029"}
_HEX = {"x": 2, "u": 4, "U": 8}


def escapes_in_double_quoted(lines: list[str], line: int, col: int) -> list[tuple[int, int, str, str]]:
    """The bad characters a double-quoted YAML scalar starting at (line, col) writes as escapes.

    Returns (line, col, character, escape as written) for each, 1-based like
    every position in messages; [] when the scalar does not start with '"'.
    Walks the source as libyaml does: a backslash escapes the next character,
    an unescaped '"' ends the scalar, and the scalar may run over lines.
    """
    found: list[tuple[int, int, str, str]] = []
    if not (0 < line <= len(lines)) or lines[line - 1][col - 1 : col] != '"':
        return found
    row, i = line - 1, col  # i: 0-based index just after the opening quote
    while row < len(lines):
        text = lines[row]
        while i < len(text):
            ch = text[i]
            if ch == '"':
                return found
            if ch != "\\":
                i += 1
                continue
            if i + 1 >= len(text):  # an escaped line break: the scalar goes on
                break
            kind = text[i + 1]
            if kind in _HEX:
                digits = text[i + 2 : i + 2 + _HEX[kind]]
                written = text[i : i + 2 + len(digits)]
                try:
                    value = chr(int(digits, 16))
                except ValueError:
                    value = ""
            else:
                written = text[i : i + 2]
                value = _SIMPLE.get(kind, "")
            if value and BAD.fullmatch(value):
                found.append((row + 1, i + 1, value, written))
            i += len(written)
        row += 1
        i = 0
    return found


def raw_in_lines(lines: list[str], first: int = 1, last: int | None = None, *,
                 allow_nel: bool = False) -> list[tuple[int, int, list[str]]]:
    """Bad characters typed as they are on lines first..last (1-based, inclusive).

    Returns (line, col of the first one, every bad character on the line).
    `allow_nel`: YAML reads U+0085 as a line break, so it is no control character there.
    """
    out: list[tuple[int, int, list[str]]] = []
    last = len(lines) if last is None else min(last, len(lines))
    for n in range(max(first, 1), last + 1):
        text = lines[n - 1]
        if not BAD.search(text):
            continue
        chars = [(m.start(), m.group()) for m in BAD.finditer(text) if not (allow_nel and m.group() == "\x85")]
        if chars:
            out.append((n, chars[0][0] + 1, [c for _, c in chars]))
    return out
