"""Signatures: a short hash of everything a page is rendered from.

`Signer.sign(value)` walks a template context and hashes it. Briefs and
brief views stand for their fingerprint (the hash of their source file under
the build key), so a listing's signature is cheap to compute without
rendering anything. A type it does not know is an error, never a guess: a
signature that missed an input would let a stale page through.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import fields, is_dataclass

from markupsafe import Markup

from generator.assemble import Group, Issue
from generator.fragments import BriefView
from generator.model import Brief, Editorial, Page, Week


class Signer:
    def __init__(self, brief_fingerprints: dict[str, str]):
        self.fp = brief_fingerprints  # slug -> fingerprint
        self._issue_memo: dict[Week, str] = {}
        self._group_memo: dict[int, str] = {}

    def sign(self, value) -> str:
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        return h.hexdigest()

    def _feed(self, h, v) -> None:  # noqa: C901 - one branch per kind of value, on purpose
        t = type(v)
        if t is str or t is Markup:  # the commonest values first, by exact type
            b = v.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(b))
            h.update(b)
            return
        if t is BriefView:
            h.update(b"V" + v.fingerprint.encode())
            return
        if (t is list or t is tuple) and v and all(type(x) is BriefView for x in v):  # a listing's briefs
            h.update(b"[V%d" % len(v))
            h.update("".join(x.fingerprint for x in v).encode())
            h.update(b"]")
            return
        if v is None or isinstance(v, (bool, int, float)):
            h.update(f"{type(v).__name__}:{v!r};".encode())
        elif isinstance(v, str):  # includes Markup
            b = v.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(b))
            h.update(b)
        elif isinstance(v, (dt.date, Week)):
            h.update(f"{type(v).__name__}:{v!r};".encode())
        elif isinstance(v, Brief):
            h.update(b"B" + self.fp[v.slug].encode())
        elif hasattr(v, "fingerprint") and hasattr(v, "brief"):  # a BriefView
            h.update(b"V" + v.fingerprint.encode())
        elif isinstance(v, Issue):
            h.update(b"I" + self._issue(v).encode())
        elif isinstance(v, Group):
            h.update(b"G" + self._group(v).encode())
        elif isinstance(v, dict):
            h.update(b"{%d" % len(v))
            for k in sorted(v):
                self._feed(h, k)
                self._feed(h, v[k])
            h.update(b"}")
        elif isinstance(v, (list, tuple)):
            h.update(b"[%d" % len(v))
            for item in v:
                self._feed(h, item)
            h.update(b"]")
        elif isinstance(v, (Editorial, Page)) or is_dataclass(v):
            h.update(type(v).__name__.encode())
            self._feed(h, [getattr(v, f.name) for f in fields(v)])
        elif hasattr(v, "signature_parts"):
            self._feed(h, (type(v).__name__, v.signature_parts()))
        else:
            raise TypeError(f"cannot sign a {type(v).__name__}; add it to generator.memo.Signer")

    def _group(self, group: Group) -> str:
        sig = self._group_memo.get(id(group))
        if sig is None:
            sig = self._group_memo[id(group)] = self.sign(("group", group.name, group.slug,
                                                           [self.fp[b.slug] for b in group.briefs]))
        return sig

    def _issue(self, issue: Issue) -> str:
        sig = self._issue_memo.get(issue.week)
        if sig is None:
            sig = self.sign((
                issue.week,
                [self.fp[b.slug] for b in issue.briefs],
                issue.editorial,
                issue.previous.week if issue.previous else None,
                issue.next.week if issue.next else None,
            ))
            self._issue_memo[issue.week] = sig
        return sig


__all__ = ["Signer", "Markup"]
