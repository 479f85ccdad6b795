"""The preview HTTP server: base path, 404 page, content types, no-store, the reload script, long poll."""

import http.client
import json
import threading
import time

import pytest

from generator.diagnostics import Diagnostic
from generator.serve.server import PreviewServer, inject
from generator.serve.status import ServeState


@pytest.fixture
def served(tmp_path):
    """A hand-made build folder served at /ai-digest/; yields (state, get)."""
    build = tmp_path / "build-1"
    files = {
        "index.html": b"<!doctype html><html><body><h1>Home</h1></body></html>",
        "about/index.html": b"<html><body><h1>About</h1></body></html>",
        "404.html": b"<html><body><h1>Page not found</h1></body></html>",
        "assets/style.css": b"body{}",
        "feed.xml": b"<feed/>",
        "pagefind/wasm.en.pagefind": b"\x00wasm",
        "pagefind/pagefind.wasm": b"\x00asm",
        "pagefind/pagefind-entry.json": b"{}",
        "pagefind/index/en_1.pf_index": b"i",
        "pagefind/fragment/en_1.pf_fragment": b"f",
        "pagefind/pagefind.en_1.pf_meta": b"m",
        "pagefind/filter/en_1.pf_filter": b"f",
    }
    for rel, data in files.items():
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_bytes(data)
    state = ServeState("/ai-digest/")
    state.publish_build(build, 1, base_path="/ai-digest/")
    server = PreviewServer(("127.0.0.1", 0), state)
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    port = server.server_address[1]

    def get(path, method="GET"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), body

    yield state, get
    state.wake_all()
    server.shutdown()
    server.server_close()


def test_pages_are_served_under_the_base_path_with_the_reload_script(served):
    _, get = served
    status, headers, body = get("/ai-digest/about/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert body == (b'<html><body><h1>About</h1><script src="/ai-digest/__digest__/livereload.js" '
                    b'data-build="1" defer></script></body></html>')


def test_root_and_folders_without_slash_redirect(served):
    _, get = served
    assert get("/")[0:2] == (302, {**get("/")[1], "Location": "/ai-digest/"})
    status, headers, _ = get("/ai-digest/about")
    assert (status, headers["Location"]) == (302, "/ai-digest/about/")


def test_missing_paths_get_the_404_page(served):
    _, get = served
    for path in ("/ai-digest/no/such/page/", "/elsewhere/", "/ai-digest/assets/missing.css"):
        status, headers, body = get(path)
        assert status == 404, path
        assert b"<h1>Page not found</h1>" in body and b"livereload.js" in body
        assert headers["Cache-Control"] == "no-store"


def test_paths_cannot_leave_the_build_folder(served):
    _, get = served
    assert get("/ai-digest/../build-1/index.html")[0] in (400, 404)
    assert get("/ai-digest/%2e%2e/%2e%2e/etc/passwd")[0] == 400


@pytest.mark.parametrize("path, ctype", [
    ("/ai-digest/assets/style.css", "text/css; charset=utf-8"),
    ("/ai-digest/feed.xml", "application/atom+xml; charset=utf-8"),
    ("/ai-digest/pagefind/pagefind.wasm", "application/wasm"),
    ("/ai-digest/pagefind/wasm.en.pagefind", "application/octet-stream"),
    ("/ai-digest/pagefind/pagefind-entry.json", "application/json"),
    ("/ai-digest/pagefind/index/en_1.pf_index", "application/octet-stream"),
    ("/ai-digest/pagefind/fragment/en_1.pf_fragment", "application/octet-stream"),
    ("/ai-digest/pagefind/pagefind.en_1.pf_meta", "application/octet-stream"),
    ("/ai-digest/pagefind/filter/en_1.pf_filter", "application/octet-stream"),
    ("/ai-digest/__digest__/livereload.js", "text/javascript; charset=utf-8"),
    ("/ai-digest/__digest__/overlay.css", "text/css; charset=utf-8"),
])
def test_content_types(served, path, ctype):
    _, get = served
    status, headers, body = get(path)
    assert (status, headers["Content-Type"], headers["Cache-Control"]) == (200, ctype, "no-store")
    assert b"<script" not in body  # only HTML gets the script


def test_head_sends_headers_only(served):
    _, get = served
    status, headers, body = get("/ai-digest/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_status_reports_problems_with_location_and_source_line(served):
    state, get = served
    state.publish_error([Diagnostic("content/briefs/x.md", 3, 8, "error", "title", "must be a string",
                                    source_line="title: [a]\n")])
    status, _, body = get("/ai-digest/__digest__/status")
    data = json.loads(body)
    assert (status, data["ok"], data["build"]) == (200, False, 1)
    assert data["problems"][0]["location"] == "content/briefs/x.md:3:8"
    assert data["problems"][0]["text"] == "title: must be a string"
    assert data["problems"][0]["source_line"] == "title: [a]"
    assert get("/ai-digest/")[0] == 200  # the last good build is still served


def test_events_wait_for_the_next_build(served, tmp_path):
    state, get = served
    version = json.loads(get("/ai-digest/__digest__/status")[2])["version"]
    answer = {}

    def poll():
        answer["data"] = json.loads(get(f"/ai-digest/__digest__/events?since={version}")[2])
        answer["at"] = time.monotonic()

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.3)
    assert "data" not in answer                  # still waiting
    (tmp_path / "build-2").mkdir()
    published = time.monotonic()
    state.publish_build(tmp_path / "build-2", 2, base_path="/ai-digest/")
    t.join(5)
    assert answer["data"]["build"] == 2 and answer["data"]["ok"] is True
    assert answer["at"] - published < 1.0


def test_inject_goes_before_the_last_body_end_tag():
    tag = b"<script></script>"
    assert inject(b"<p>&lt;/body&gt;</p></BODY></html>", tag) == b"<p>&lt;/body&gt;</p><script></script></BODY></html>"
    assert inject(b"<pre></body></pre></body>", tag) == b"<pre></body></pre><script></script></body>"
    assert inject(b"<p>fragment", tag) == b"<p>fragment<script></script>"


def test_status_names_the_last_full_build_so_older_pages_reload_rather_than_patch(served, tmp_path):
    state, get = served
    assert json.loads(get("/ai-digest/__digest__/status")[2])["full"] == 0  # the fixture's build is a content one
    state.publish_build(tmp_path / "build-1", 2, base_path="/ai-digest/", full=True)
    state.publish_build(tmp_path / "build-1", 3, base_path="/ai-digest/")  # a content save after it
    state.publish_error([Diagnostic("content/briefs/x.md", 1, 1, "error", "", "broken")])
    data = json.loads(get("/ai-digest/__digest__/status")[2])
    assert (data["build"], data["full"], data["ok"]) == (3, 2, False)
