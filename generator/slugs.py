"""Slugs: the URL-safe names of briefs, tags, sources and actions."""

from __future__ import annotations

import functools
import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


@functools.lru_cache(maxsize=1 << 16)  # the same tags and sources are slugified thousands of times
def slugify(text: str, max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by hyphens: "EU AI Act – Q&A" -> "eu-ai-act-q-a".

    Accents are folded ("Māori" -> "maori"); anything else that is not a letter
    or digit separates words. Idempotent: slugify(slugify(x)) == slugify(x).
    Returns "" when the text has no letters or digits at all.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def is_valid_slug(value: str) -> bool:
    """True for a non-empty slug of [a-z0-9] words joined by single hyphens."""
    return bool(SLUG_RE.match(value))
