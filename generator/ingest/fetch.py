"""Fetch a feed's bytes: over HTTP(S) with urllib, or from a local file named explicitly.

- a timeout per socket operation and an overall deadline for the body;
- at most MAX_REDIRECTS redirects, each to http or https only;
- a size cap (MAX_FEED_BYTES), checked on Content-Length and while reading;
- a clear User-Agent;
- conditional requests (If-None-Match / If-Modified-Since) from remembered
  validators, so an unchanged feed answers 304 and is not re-downloaded.

Failures come back as values (FetchResult.error), never as exceptions.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from generator import __version__

USER_AGENT = f"ai-digest/{__version__} (+feed ingest)"
MAX_REDIRECTS = 5
MAX_FEED_BYTES = 32 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
ALLOWED_SCHEMES = ("http", "https")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Validators:
    """What the server told us last time, sent back to ask "has it changed?"."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """status: "ok" (body holds the bytes), "not_modified" (304) or "error" (error says why)."""

    location: str
    status: str
    body: bytes = b""
    final_url: str = ""
    content_type: str = ""
    validators: Validators = Validators()
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "not_modified")


class _RedirectRefused(urllib.error.URLError):
    pass


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS
    max_repeats = 2

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise _RedirectRefused(f"redirect to a non-http(s) URL refused: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def http_error_302(self, req, fp, code, msg, headers):
        if len(getattr(req, "redirect_dict", {})) >= self.max_redirections:
            raise _RedirectRefused(f"more than {self.max_redirections} redirects")
        location = headers.get("location") or headers.get("uri")
        if location:
            newurl = urljoin(req.full_url, location)
            if urlsplit(newurl).scheme.lower() not in ALLOWED_SCHEMES:
                raise _RedirectRefused(f"redirect to a non-http(s) URL refused: {newurl}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only: no file:, ftp: or data: handlers, so nothing but the network is reachable."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _LimitedRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    validators: Validators | None = None,
    max_bytes: int = MAX_FEED_BYTES,
    user_agent: str = USER_AGENT,
) -> FetchResult:
    """GET the feed. Never raises for network or HTTP problems."""
    if not is_http_url(url):
        return FetchResult(url, "error", error="only http and https feed URLs are fetched")
    headers = {
        "User-Agent": user_agent,
        "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
        "Accept-Encoding": "identity",
    }
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    request = urllib.request.Request(url, headers=headers, method="GET")
    deadline = time.monotonic() + max(timeout, 0.001) * 3
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                return FetchResult(url, "error", error=f"feed is larger than the {_mb(max_bytes)} limit")
            body = _read_capped(response, max_bytes, deadline)
            if body is None:
                return FetchResult(url, "error", error=f"feed is larger than the {_mb(max_bytes)} limit")
            return FetchResult(
                url,
                "ok",
                body=body,
                final_url=response.geturl(),
                content_type=response.headers.get("Content-Type", ""),
                validators=Validators(response.headers.get("ETag"), response.headers.get("Last-Modified")),
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(url, "not_modified", final_url=url, validators=validators or Validators())
        return FetchResult(url, "error", error=f"HTTP {exc.code} {exc.reason}".rstrip())
    except _RedirectRefused as exc:
        return FetchResult(url, "error", error=str(exc.reason))
    except _Deadline:
        return FetchResult(url, "error", error=f"timed out after {timeout:g}s")
    except (TimeoutError, socket.timeout):
        return FetchResult(url, "error", error=f"timed out after {timeout:g}s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return FetchResult(url, "error", error=f"timed out after {timeout:g}s")
        return FetchResult(url, "error", error=f"cannot connect: {reason}")
    except (http.client.HTTPException, OSError, ValueError) as exc:
        return FetchResult(url, "error", error=f"cannot fetch: {exc.__class__.__name__}: {exc}")


class _Deadline(Exception):
    pass


def _read_capped(response, max_bytes: int, deadline: float) -> bytes | None:
    """Read at most max_bytes; None when the body is larger. Raises _Deadline when the server trickles."""
    chunks: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise _Deadline()
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            return None
        chunks.append(chunk)


def read_file(path: Path, max_bytes: int = MAX_FEED_BYTES) -> FetchResult:
    """Read a feed file named explicitly on the command line."""
    location = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return FetchResult(location, "error", error=f"file is larger than the {_mb(max_bytes)} limit")
        with path.open("rb") as fh:
            body = fh.read(max_bytes + 1)
    except OSError as exc:
        return FetchResult(location, "error", error=f"cannot read the file: {exc.strerror or exc}")
    if len(body) > max_bytes:
        return FetchResult(location, "error", error=f"file is larger than the {_mb(max_bytes)} limit")
    return FetchResult(location, "ok", body=body)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"
