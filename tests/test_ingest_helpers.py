"""Shared pieces for the ingest tests: a tiny site folder and a local feed server.

The server is a real ThreadingHTTPServer on 127.0.0.1 in a thread; routes are
set per test and every request is recorded (path and headers) so tests can
assert on what the client sent.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from generator.commands import ingest as ingest_command

FEEDS = Path(__file__).parent / "fixtures" / "feeds"

SITE_YAML = """\
title: Test digest
description: Test site.
base_url: https://intranet.example.gov.au/ai-digest/
language: en-AU
audience: Australian agencies
timezone: Australia/Sydney
per_page: 20
actions:
  - {name: Implement, description: Do it.}
  - {name: Decide, description: Choose.}
  - {name: Consider, description: Weigh it.}
  - {name: Monitor, description: Watch.}
sections: [Australian Government, Global Regulation & Policy, Standards & Frameworks, Research & Safety, Industry & Practice]
jurisdictions: [AU, Global, Multi, US, UK, EU, NZ]
"""


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def make_site(root: Path, sources: list[dict] | None = None) -> Path:
    (root / "content" / "briefs").mkdir(parents=True, exist_ok=True)
    (root / "content" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    if sources is not None:
        (root / "content" / "sources.yaml").write_text(
            yaml.safe_dump(sources, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return root


def run_ingest(root: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="digest ingest")
    ingest_command.add_arguments(parser)
    return ingest_command.run(parser.parse_args(["--root", str(root), *argv]))


def drafts(root: Path) -> dict[str, tuple[dict, str]]:
    """content/briefs/**.md -> (front matter, body), parsed back with yaml."""
    out = {}
    for path in sorted((root / "content" / "briefs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n"), path
        head, body = text[4:].split("\n---\n", 1)
        out[path.relative_to(root).as_posix()] = (yaml.safe_load(head), body)
    return out


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Routes: path -> Route. A Route with an etag answers 304 to a matching If-None-Match."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                server.requests.append(Seen(self.path, {k: v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.etag:
                    self.send_header("ETag", route.etag)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def feed(self, path: str, fixture: str, **kw) -> str:
        self.routes[path] = Route(body=feed_bytes(fixture), headers={"Content-Type": "application/rss+xml; charset=utf-8"}, **kw)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
