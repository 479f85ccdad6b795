"""Shared fixtures: tiny sites from a dict, the sample site built once, and a real Chromium.

Browser tests use Debian's Chromium through Playwright. Without Chromium they
skip on a developer machine, but under CI=true a missing browser is a failure.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import os
import shutil
import socket
import textwrap
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

SITE_YAML = """\
title: Test Digest
description: Briefs for testing.
base_url: https://intranet.example.gov.au/digest/
language: en-AU
audience: Australian agencies
timezone: Australia/Sydney
marking: OFFICIAL
per_page: 20
actions:
  - {name: Implement, description: Act on this now.}
  - {name: Decide, description: A decision is needed.}
  - {name: Consider, description: Weigh this in current work.}
  - {name: Monitor, description: Watch for developments.}
sections: [Australian Government, Global Regulation & Policy, Standards & Frameworks, Research & Safety, Industry & Practice]
jurisdictions: [AU, Global, Multi, US, UK, EU, NZ]
"""


def brief_text(title: str = "A test brief", *, published: str = "2026-03-16", url: str | None = None,
               tags: str = "[testing]", action: str = "Monitor", body: str = "A summary of the item.", extra: str = "") -> str:
    """A valid brief; pass `extra` for more front-matter lines."""
    url = url or f"https://example.org/{abs(hash(title)) % 10**8}"
    return (
        "---\n"
        f"title: \"{title}\"\n"
        "standfirst: \"Why it matters to agencies.\"\n"
        "source:\n"
        "  name: Example Source\n"
        f"  url: {url}\n"
        f"published: {published}\n"
        f"tags: {tags}\n"
        "key_points:\n"
        "  - \"First point.\"\n"
        "implications:\n"
        f"  - action: {action}\n"
        "    text: \"Agencies could watch this.\"\n"
        f"{extra}"
        "---\n"
        f"{body}\n"
    )


def make_project(root: Path, files: dict[str, str | bytes], *, site_yaml: str | None = SITE_YAML) -> Path:
    """Write a whole site from {relative path: text}; content/site.yaml is added unless given or None."""
    root.mkdir(parents=True, exist_ok=True)
    all_files = dict(files)
    if site_yaml is not None:
        all_files.setdefault("content/site.yaml", site_yaml)
    for rel, data in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path):
    """project({'content/briefs/x.md': brief_text()}) -> root folder of a tiny site."""
    return functools.partial(make_project, tmp_path / "site-root")


def build(root: Path, out: Path | None = None, **kw):
    from generator.build import BuildOptions, build_site

    out = out or root / "site"
    kw.setdefault("search", False)
    kw.setdefault("today", dt.date(2026, 11, 29))
    return build_site(BuildOptions(root=root, out=out, **kw))


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory) -> Path:
    """A copy of the repository's sample site (content/ and layouts/)."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    return root


@pytest.fixture(scope="session")
def sample_site(sample_root) -> Path:
    """The sample site built once, with search, for read-only tests."""
    out = sample_root / "site"
    build(sample_root, out, search=True)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".pf_meta": "application/octet-stream",
                      ".pf_fragment": "application/octet-stream", ".pf_index": "application/octet-stream",
                      ".pf_filter": "application/octet-stream", ".pagefind": "application/octet-stream"}

    def log_message(self, *args):
        pass


@pytest.fixture
def site_without_search(project, tmp_path):
    """A one-brief site ("Kelp") built with --no-search and served under /digest/: its base URL."""
    root = project({"content/briefs/kelp.md": brief_text("Kelp")})
    out = tmp_path / "nosearch"
    build(root, out, search=False)
    url, stop = serve_folder(out, "/digest/")
    yield url
    stop()


def serve_folder(folder: Path, prefix: str = "/"):
    """Serve `folder` at http://127.0.0.1:PORT<prefix> in a thread. Returns (base_url, stop)."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"

    class Handler(_QuietHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(folder), **kw)

        def translate_path(self, path):
            if prefix != "/":
                if not path.startswith(prefix):
                    return str(folder / "__missing__")
                path = "/" + path[len(prefix):]
            return super().translate_path(path)

        def send_error(self, code, message=None, explain=None):
            if code == 404 and (folder / "404.html").is_file():
                body = (folder / "404.html").read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}{prefix}", stop


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium. Skips without it, except under CI=true where that fails."""
    if not chromium_available():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI but was not found at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("playwright is required in CI")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()
