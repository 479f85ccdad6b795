"""URLs: where each page lives, under the site's base path, and which links are safe."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from generator.model import Brief, Week
from generator.slugs import slugify

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}


def is_safe_href(url: str) -> bool:
    """True only for http(s), mailto and site-relative links.

    Refuses other schemes (javascript:, data:, file:, smb:, vbscript: ...),
    protocol-relative links (//host) and their backslash spellings (/\\host,
    \\\\host) that browsers treat the same way.
    """
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f").strip()
    if not cleaned:
        return False
    if cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    m = _SCHEME.match(cleaned)
    if m:
        if m.group(1).lower() not in SAFE_SCHEMES:
            return False
        if m.group(1).lower() in ("http", "https") and not urlsplit(cleaned).netloc:
            return False
        return True
    # no scheme: a path, query or fragment on this site. A colon before any
    # slash would make some parsers see a scheme, so refuse that too.
    first_sep = min((i for i in (cleaned.find("/"), cleaned.find("?"), cleaned.find("#")) if i >= 0), default=len(cleaned))
    return ":" not in cleaned[:first_sep]


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: a host that traffic never leaves the machine for."""
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_site_relative(url: str) -> bool:
    return is_safe_href(url) and not _SCHEME.match(url.strip())


def under_base(url: str, base_path: str) -> str:
    """A root-relative link in content ("/briefs/x/") points into the site, wherever it is hosted."""
    if url.startswith("/") and base_path != "/" and not url.startswith(base_path):
        return base_path.rstrip("/") + url
    return url


class Urls:
    """Paths of every page, relative to the output root ("briefs/x/index.html")
    and as links under the base path ("/ai-digest/briefs/x/")."""

    def __init__(self, base_path: str, base_url: str):
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.base_url = base_url

    def link(self, path: str) -> str:
        """'briefs/x/' -> '/ai-digest/briefs/x/'"""
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    @staticmethod
    def brief(brief: Brief) -> str:
        return f"briefs/{brief.slug}/"

    @staticmethod
    def issue(week: Week) -> str:
        return f"issues/{week.slug}/"

    @staticmethod
    def tag(tag: str) -> str:
        return f"tags/{slugify(tag)}/"

    @staticmethod
    def source(name: str) -> str:
        return f"sources/{slugify(name)}/"

    @staticmethod
    def action(name: str) -> str:
        return f"actions/{slugify(name)}/"

    @staticmethod
    def paged(path: str, page: int) -> str:
        """Page 1 is the listing itself; page N lives at <listing>/page/N/."""
        return path if page == 1 else f"{path}page/{page}/"


def dest_for(path: str) -> str:
    """URL path -> file in the output: 'briefs/x/' -> 'briefs/x/index.html'."""
    return path + "index.html" if path.endswith("/") or not path else path
