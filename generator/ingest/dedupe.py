"""Is this entry already known? Normalised URLs and GUIDs, from content/ and from the state file.

An entry is "present" when its normalised link matches the source.url of a
brief in content/briefs/, and "seen" when its link or GUID was ingested
before (recorded in the state file). A seen entry whose draft was deleted is
not re-created unless --force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml

from generator.frontmatter import FrontMatterProblem, normalise_newlines, split_front_matter

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_TRACKING = re.compile(r"^(utm_[a-z0-9_]*|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """A comparison key: lower-case scheme and host, no default port, no fragment,
    no trailing slash, no utm_* (or similar tracking) parameters, http == https."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and str(port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path or "/"
    while path.endswith("/") and len(path) > 1:
        path = path[:-1]
    if path == "/":
        path = ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit(("https", host, path, urlencode(query), ""))


def normalise_guid(guid: str) -> str:
    guid = (guid or "").strip()
    return normalise_url(guid) if guid.lower().startswith(("http://", "https://")) else guid


@dataclass
class KnownEntries:
    """URLs (normalised) and slugs already in content/, plus what earlier runs ingested."""

    content_urls: set[str] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)
    seen_urls: set[str] = field(default_factory=set)
    seen_guids: set[str] = field(default_factory=set)

    def in_content(self, link: str) -> bool:
        return bool(link) and normalise_url(link) in self.content_urls

    def seen_before(self, link: str, guid: str) -> bool:
        return (bool(link) and normalise_url(link) in self.seen_urls) or (
            bool(guid) and normalise_guid(guid) in self.seen_guids
        )

    def remember(self, link: str, guid: str, slug: str) -> None:
        if link:
            self.content_urls.add(normalise_url(link))
            self.seen_urls.add(normalise_url(link))
        if guid:
            self.seen_guids.add(normalise_guid(guid))
        self.slugs.add(slug)


def scan_briefs(root: Path) -> tuple[set[str], set[str]]:
    """(normalised source URLs, slugs) of every brief in content/briefs/, drafts included.

    Files that cannot be read or parsed still reserve their file-name slug;
    `digest check` is the place that reports their problems.
    """
    urls: set[str] = set()
    slugs: set[str] = set()
    briefs = Path(root) / "content" / "briefs"
    if not briefs.is_dir():
        return urls, slugs
    for path in sorted(briefs.rglob("*.md")):
        slugs.add(path.stem)
        try:
            split = split_front_matter(normalise_newlines(path.read_text(encoding="utf-8")))
            data = yaml.safe_load(split.yaml_text)
        except (OSError, UnicodeDecodeError, FrontMatterProblem, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("slug"), str):
            slugs.add(data["slug"])
        source = data.get("source")
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            urls.add(normalise_url(source["url"]))
    return urls, slugs
