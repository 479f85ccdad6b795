"""The preview HTTP server: the current build under the site's base path, with live reload.

- Paths outside the base path redirect to it; a folder without its slash
  redirects to it with one; a missing file gets the site's 404.html, status 404.
- Every response has Cache-Control: no-store, and search files their own types.
- HTML gets one <script src="<base>__digest__/livereload.js" defer> before
  </body>. The script and overlay.css come from this server (same origin), so
  the site's CSP (script-src 'self'; style-src 'self') needs no change.
- <base>__digest__/status answers the state as JSON at once;
  <base>__digest__/events?since=N&page=P waits (long poll) until it changes;
  P, the path of the page the browser shows, is rendered first after a save.
- Pages come from the Session in the snapshot (memory over the last complete
  build); a snapshot without one (tests, a bare folder) is served from disk.
"""

from __future__ import annotations

import http.server
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator.serve.files import content_type, safe_relative
from generator.serve.status import ServeState

STATIC = Path(__file__).parent / "static"
SPECIAL = "__digest__/"
POLL_SECONDS = 25.0


# Shown until the first build succeeds; its reload script shows the problems or reloads.
WAITING_PAGE = (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Building the preview</title></head>'
                b"<body><p>No build to show yet: the site is building, or its first build failed.</p></body></html>")

_SPECIAL_PATH = re.compile(r"^(?:/.*)?/__digest__/([a-z.]+)$")
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def reload_tag(base_path: str, build: int) -> bytes:
    return f'<script src="{base_path}{SPECIAL}livereload.js" data-build="{build}" defer></script>'.encode()


def inject(html: bytes, tag: bytes) -> bytes:
    """The reload script just before the last </body>, or at the end when there is none."""
    found = None
    for found in _BODY_END.finditer(html):
        pass
    if found is None:
        return html + tag
    return html[: found.start()] + tag + html[found.start():]




class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port in use must fail, not be shared

    def __init__(self, address, state: ServeState):
        self.state = state
        super().__init__(address, PreviewHandler)


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    # Headers and body go out as two writes: with Nagle's algorithm the body waits for the
    # browser's delayed ACK of the headers, about 40 ms on Linux, on every kept-alive answer.
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self):
        self._handle(head=True)

    def do_GET(self):
        self._handle(head=False)

    def _handle(self, head: bool) -> None:
        url = urlsplit(self.path)
        snap = self.server.state.current()
        base = snap.base_path
        special = _SPECIAL_PATH.match(url.path)
        if special:  # under any prefix, so a page from before a base_url change still hears about it
            return self._special(special.group(1), url.query, head)
        if not url.path.startswith(base):
            if url.path.rstrip("/") == base.rstrip("/") or url.path in ("", "/"):
                return self._redirect(base)
            return self._not_found(head)
        rel = safe_relative(url.path[len(base):])
        if rel is None:
            return self._send(400, "text/plain; charset=utf-8", b"bad path\n", head)
        if snap.folder is None:
            body = inject(WAITING_PAGE, reload_tag(base, 0))
            return self._send(503, "text/html; charset=utf-8", body, head, extra={"Retry-After": "1"})
        if snap.pages is not None:
            return self._from_pages(snap, rel, url, head)
        target = snap.folder / rel if rel else snap.folder
        if target.is_dir():
            if not url.path.endswith("/"):
                return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(head)
        try:
            data = target.read_bytes()
        except OSError:  # the folder was replaced between the check and the read
            return self._not_found(head)
        ctype = content_type(target.name)
        if ctype.startswith("text/html"):
            data = inject(data, reload_tag(base, snap.build))
        self._send(200, ctype, data, head)

    def _from_pages(self, snap, rel: str, url, head: bool) -> None:
        """A page of the live preview: a file by its name, or a folder's index.html."""
        pages = snap.pages
        folder = not rel or url.path.endswith("/")  # a folder's URL names its index.html only
        name, data = rel, (None if folder else pages.get(rel))
        if data is None:
            name = f"{rel}/index.html" if rel else "index.html"
            data = pages.get(name)
            if data is not None and not url.path.endswith("/"):
                return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
        if data is None:
            return self._not_found(head)
        ctype = content_type(name.rpartition("/")[2])
        if ctype.startswith("text/html"):
            data = inject(data, reload_tag(snap.base_path, snap.build))
        self._send(200, ctype, data, head)

    def _special(self, name: str, query: str, head: bool) -> None:
        state = self.server.state
        if name in ("livereload.js", "overlay.css"):
            return self._send(200, content_type(name), (STATIC / name).read_bytes(), head)
        if name == "status":
            return self._json(state.current().to_json(), head)
        if name == "events":
            since = parse_qs(query).get("since", ["-1"])[0]
            try:
                since_n = int(since)
            except ValueError:
                since_n = -1
            shown = parse_qs(query).get("page", [None])[0]
            return self._json(state.wait_change(since_n, POLL_SECONDS, shown).to_json(), head)
        self._send(404, "text/plain; charset=utf-8", b"not found\n", head)

    def _not_found(self, head: bool) -> None:
        snap = self.server.state.current()
        if snap.pages is not None:
            body = snap.pages.get("404.html")
            if body is not None:
                return self._send(404, "text/html; charset=utf-8", inject(body, reload_tag(snap.base_path, snap.build)), head)
            return self._send(404, "text/plain; charset=utf-8", b"not found\n", head)
        page = snap.folder / "404.html" if snap.folder else None
        if page is not None and page.is_file():
            try:
                body = inject(page.read_bytes(), reload_tag(snap.base_path, snap.build))
                return self._send(404, "text/html; charset=utf-8", body, head)
            except OSError:
                pass
        self._send(404, "text/plain; charset=utf-8", b"not found\n", head)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _json(self, data: dict, head: bool) -> None:
        self._send(200, "application/json", json.dumps(data).encode(), head)

    def _send(self, code: int, ctype: str, body: bytes, head: bool, extra: dict | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
