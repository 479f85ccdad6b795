"""Serve a site that is already built, under the base path it was built for.

`digest serve --site DIR` uses this for a pull request's preview artifact or
any copy of site/: every link in a build starts with the base path of its
base_url (e.g. /ai-digest/), so the folder must be served under that path,
not at the server's root. The base URL comes from the folder's
build-manifest.json, which every build writes.

Nothing is rebuilt or injected: the bytes served are the bytes built.

- The server root and the base path without its slash redirect to the base
  path; other paths outside it get 404.
- A folder without its slash redirects to it with one; a folder's page is its
  index.html; a missing file gets the site's own 404.html, status 404.
- Paths that try to leave the folder (.., NUL, backslash, a symbolic link
  pointing outside) are refused.
- Responses carry the security headers of docs/security-headers.md, so the
  preview behaves as the published site does.

Never prints: generator/commands/serve_site.py reports.
"""

from __future__ import annotations

import http.server
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.manifest import MANIFEST_NAME, read_manifest
from generator.serve.files import content_type, safe_relative


# The headers docs/security-headers.md recommends for the published site.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@dataclass(frozen=True)
class BuiltSite:
    folder: Path
    base_url: str

    @property
    def base_path(self) -> str:
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


def open_built_site(folder: Path) -> tuple[BuiltSite | None, str | None]:
    """(site, None), or (None, what is wrong) for a folder that is not a servable build."""
    folder = Path(folder)
    if not folder.is_dir():
        return None, f"{folder}: no such folder"
    manifest, problem = read_manifest(folder)
    if problem is not None:
        return None, f"{folder}: {problem}"
    assert manifest is not None
    base_url = manifest.get("base_url")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        return None, (f"{folder}: {MANIFEST_NAME} does not record the base URL the site was built for "
                      "(it was built by an older digest); build it again with `digest build --clean`")
    return BuiltSite(folder.resolve(), base_url), None




class StaticSiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port in use must fail, not be shared

    def __init__(self, address, site: BuiltSite):
        self.site = site
        super().__init__(address, StaticSiteHandler)


class StaticSiteHandler(http.server.BaseHTTPRequestHandler):
    # Headers and body go out as two writes: with Nagle's algorithm the body waits for the
    # browser's delayed ACK of the headers, about 40 ms on Linux, on every kept-alive answer.
    disable_nagle_algorithm = True
    server: StaticSiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):
        self._handle(head=True)

    def do_GET(self):
        self._handle(head=False)

    def _handle(self, head: bool) -> None:
        site = self.server.site
        base = site.base_path
        url = urlsplit(self.path)
        if not url.path.startswith(base):
            if url.path in ("", "/") or url.path == base.rstrip("/"):
                return self._redirect(base)
            return self._not_found(head)
        rel = safe_relative(url.path[len(base):])
        if rel is None:
            return self._send(400, "text/plain; charset=utf-8", b"bad path\n", head)
        target = self._inside(site.folder / rel if rel else site.folder)
        if target is not None and target.is_dir():
            if not url.path.endswith("/"):
                return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
            target = self._inside(target / "index.html")
        if target is None or not target.is_file():
            return self._not_found(head)
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(head)
        self._send(200, content_type(target.name), data, head)

    def _inside(self, path: Path) -> Path | None:
        """`path` with links resolved, or None when it points outside the site's folder."""
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):
            return None
        return resolved if resolved.is_relative_to(self.server.site.folder) else None

    def _not_found(self, head: bool) -> None:
        page = self.server.site.folder / "404.html"
        try:
            return self._send(404, "text/html; charset=utf-8", page.read_bytes(), head)
        except OSError:
            return self._send(404, "text/plain; charset=utf-8", b"not found\n", head)

    def _redirect(self, location: str) -> None:
        self._send(302, "text/plain; charset=utf-8", b"", False, extra={"Location": location})

    def _send(self, code: int, ctype: str, body: bytes, head: bool, extra: dict | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            for key, value in {**SECURITY_HEADERS, **(extra or {})}.items():
                self.send_header(key, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
