"""`digest serve --site DIR`: a built site (a pull request's preview artifact) served under its base path.

The site is built through the command line with a base URL that has a path,
packed and unpacked as the preview artifact is, and served by a real
`digest serve --site` process on a free loopback port. A crawler then starts
at the base path, follows every internal link of every page it reaches, and
fetches every file the build manifest lists: all must answer 200 with the
bytes built. The second documented way (plain `python3 -m http.server` with
the folder placed at the base path) is crawled the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from collections import deque
from email.message import Message
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from conftest import REPO, free_port
from htmlquery import parse_html
from serve_process import ServeProcess
from test_links import URL_ATTRS

BASE_URL = "https://intranet.example.gov.au/team/ai-digest/"
BASE_PATH = "/team/ai-digest/"


def digest(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def artifact(sample_root, tmp_path_factory) -> Path:
    """The site built with a base path, zipped as the pull-request check uploads it."""
    work = tmp_path_factory.mktemp("preview")
    out = work / "site"
    done = digest("build", "--root", str(sample_root), "--out", str(out), "--base-url", BASE_URL)
    assert done.returncode == 0, done.stderr
    archive = work / "site-preview-pr42.zip"
    with zipfile.ZipFile(archive, "w") as z:  # the folder's contents at the top, as upload-artifact packs site/
        for path in sorted(out.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(out).as_posix())
    return archive


def unzip(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        z.extractall(folder)
    return folder


@contextlib.contextmanager
def serve_site(folder: Path, *args: str):
    port = free_port()
    proc = ServeProcess(REPO, port, "--site", str(folder), *args)
    try:
        url = proc.url()
        yield url
    finally:
        if proc.proc.poll() is None:
            assert proc.interrupt() == 0


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} (exit code {process.poll()})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str) -> tuple[int, Message, bytes]:
    try:
        with OPENER.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def links_in(html: bytes) -> list[str]:
    doc = parse_html(html.decode("utf-8"), strict=False)
    found = []
    for node in doc.iter():
        for attr, tags in URL_ATTRS.items():
            if node.tag in tags and node.get(attr):
                found.append(node.get(attr))
        for attr in ("srcset", "imagesrcset"):
            for candidate in (node.get(attr) or "").split(","):
                if candidate.strip():
                    found.append(candidate.strip().split()[0])
    return found


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Every internal URL reachable from `start` (pages and what they load), and each one that failed."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    seen, problems = {start}, []
    queue = deque([(start, "the start")])
    while queue:
        url, referrer = queue.popleft()
        status, headers, body = fetch(url)
        if status != 200:
            problems.append(f"{url} (linked from {referrer}): {status}")
            continue
        if not headers.get("Content-Type", "").startswith("text/html"):
            continue
        for link in links_in(body):
            if link.startswith(BASE_URL):  # canonical and feed links are absolute: the local copy serves them
                link = BASE_PATH + link[len(BASE_URL):]
            target, _ = urldefrag(urljoin(url, link))
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
                continue  # another site, or mailto:
            if not parts.path.startswith(BASE_PATH):
                problems.append(f"{link} (in {url}): outside the base path {BASE_PATH}")
                continue
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    return seen, problems


def assert_whole_site_served(start: str, folder: Path) -> None:
    assert start.endswith(BASE_PATH)
    seen, problems = crawl(start)
    assert problems == [], "\n".join(problems[:30])
    pages = {u for u in seen if u.endswith("/")}
    assert len(pages) >= 60, f"the crawler reached only {len(pages)} pages"
    assert any("/assets/" in u and u.endswith(".css") for u in seen)
    assert any(u.endswith("/assets/search.js") for u in seen)
    # and every file of the build, byte for byte
    manifest = json.loads((folder / "build-manifest.json").read_bytes())
    assert manifest["base_url"] == BASE_URL
    assert any(rel.startswith("pagefind/") for rel in manifest["outputs"])  # what search.js loads
    for rel, digest_hex in manifest["outputs"].items():
        status, _, body = fetch(start + rel)
        assert status == 200, f"{rel}: {status}"
        assert hashlib.sha256(body).hexdigest() == digest_hex, rel


def test_serve_site_serves_the_preview_under_its_base_path(artifact, tmp_path):
    preview = unzip(artifact, tmp_path / "preview")
    with serve_site(preview) as start:
        assert urlsplit(start).hostname == "127.0.0.1"
        assert_whole_site_served(start, preview)

        origin = start[: -len(BASE_PATH)]
        status, headers, _ = fetch(origin + "/")
        assert (status, headers["Location"]) == (302, BASE_PATH)
        status, headers, _ = fetch(origin + BASE_PATH.rstrip("/"))
        assert (status, headers["Location"]) == (302, BASE_PATH)
        status, headers, _ = fetch(start + "briefs")
        assert (status, headers["Location"]) == (302, BASE_PATH + "briefs/")

        status, headers, body = fetch(start + "briefs/no-such-brief/")
        assert status == 404 and body == (preview / "404.html").read_bytes()
        assert fetch(origin + "/elsewhere/index.html")[0] == 404
        assert fetch(start + "..%2f..%2fbuild-manifest.json")[0] in (400, 404)
        assert fetch(start + "%2e%2e/%2e%2e/etc/passwd")[0] in (400, 404)

        status, headers, _ = fetch(start)
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert fetch(start + "pagefind/pagefind.js")[1]["Content-Type"] == "text/javascript; charset=utf-8"
        meta = next((preview / "pagefind").glob("*.pf_meta")).relative_to(preview).as_posix()
        assert fetch(start + meta)[1]["Content-Type"] == "application/octet-stream"
        assert fetch(start + "feed.xml")[1]["Content-Type"].startswith("application/atom+xml")


def test_a_symbolic_link_out_of_the_site_is_not_followed(artifact, tmp_path):
    preview = unzip(artifact, tmp_path / "preview")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web\n", encoding="utf-8")
    (preview / "leak.txt").symlink_to(secret)
    with serve_site(preview) as start:
        status, _, body = fetch(start + "leak.txt")
        assert status == 404 and b"not for the web" not in body


def test_the_documented_plain_web_server_steps_work_too(artifact, tmp_path):
    """docs/deploy.md: unzip into a folder named after the base path and run python3 -m http.server."""
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "digest serve --site preview" in docs
    assert "python3 -m http.server --directory preview-root" in docs
    root = tmp_path / "preview-root"
    folder = unzip(artifact, root / BASE_PATH.strip("/"))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(root),
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        assert_whole_site_served(f"http://127.0.0.1:{port}{BASE_PATH}", folder)
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("case", ["missing", "no-manifest", "no-base-url"])
def test_a_folder_that_is_not_a_build_is_refused_plainly(tmp_path, case):
    folder = tmp_path / "site"
    if case != "missing":
        folder.mkdir()
        (folder / "index.html").write_text("<!doctype html><title>x</title>\n", encoding="utf-8")
    if case == "no-base-url":
        (folder / "build-manifest.json").write_text(json.dumps({"outputs": {}}), encoding="utf-8")
    done = digest("serve", "--site", str(folder), "--port", str(free_port()))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("digest serve: error: ")
    assert "Traceback" not in done.stderr
    expected = {"missing": "no such folder", "no-manifest": "build-manifest.json: missing",
                "no-base-url": "does not record the base URL"}[case]
    assert expected in done.stderr
    assert str(folder) in done.stderr


def test_the_manifest_records_the_base_url_of_every_build(sample_site):
    manifest = json.loads((sample_site / "build-manifest.json").read_bytes())
    assert manifest["base_url"] == "https://intranet.example.gov.au/ai-digest/"
