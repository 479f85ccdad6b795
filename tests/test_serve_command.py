"""`digest serve` as a process: port in use, Ctrl-C cleans up, drafts, the loopback warning."""

import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import REPO, brief_text, free_port
from generator.urls import is_loopback_host as is_loopback
from serve_process import ServeProcess, running_serve


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_a_port_in_use_gets_a_clear_message_and_exit_1(project):
    root = project({"content/briefs/x.md": brief_text()})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"digest serve: error: port {port} on 127.0.0.1 is already in use "
                                   f"(another digest serve?); stop that program or choose another port, "
                                   f"e.g. --port {port + 1}")
    assert "Traceback" not in done.stderr + done.stdout


def test_a_root_without_content_is_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "generator", "serve", "--root", str(tmp_path), "--port", str(free_port())],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"digest serve: error: no content/ folder in {tmp_path}; pass the site root with --root DIR"


def test_serves_under_the_base_path_and_ctrl_c_removes_its_temporary_folder(project, tmp_path):
    root = project({"content/briefs/x.md": brief_text("Published one"),
                    "content/briefs/d.md": brief_text("Draft one", extra="draft: true\n")})
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    p = ServeProcess(root, port, env={"TMPDIR": str(temp)})
    try:
        url = p.url()
        assert url == f"http://127.0.0.1:{port}/digest/"
        assert p.wait_for_line("built in ").endswith("s (first build)")
        assert [d.name.startswith("digest-serve-") for d in temp.iterdir()] == [True]
        status, html = fetch(url + "briefs/d/")
        assert status == 200 and "badge-draft" in html          # drafts shown by default, badged
        assert '<script src="/digest/__digest__/livereload.js" data-build="1" defer></script></body>' in html
        assert not (root / "site").exists()                       # never builds into site/
    finally:
        code = p.interrupt()
    assert code == 0
    assert p.lines[-1].startswith(f"stopped; removed {temp}/digest-serve-")
    assert list(temp.iterdir()) == []
    assert "Traceback" not in "\n".join(p.lines)


def test_no_drafts_leaves_drafts_out(project):
    root = project({"content/briefs/x.md": brief_text("Published one"),
                    "content/briefs/d.md": brief_text("Draft one", extra="draft: true\n")})
    with running_serve(root, free_port(), "--no-drafts") as p:
        url = p.url()
        assert fetch(url + "briefs/x/")[0] == 200
        status, html = fetch(url + "briefs/d/")
        assert status == 404 and "livereload.js" in html


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("intranet.example", False),
])
def test_which_hosts_are_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_a_first_build_that_fails_serves_a_waiting_page_until_fixed(project):
    import json

    root = project({"content/briefs/x.md": brief_text("Soon fixed").replace("published: 2026-03-16", "published: 16/03/2026")})
    with running_serve(root, free_port()) as p:
        url = p.url()
        failed = p.wait_for_line("build failed after ")
        assert failed.endswith("(first build): 1 error, 0 warnings in 1 file; nothing to serve until it builds; "
                               "the browser shows the problems")
        status, html = fetch(url + "briefs/x/")
        assert status == 503 and '<script src="/digest/__digest__/livereload.js" data-build="0" defer></script>' in html
        problems = json.loads(fetch(url + "__digest__/status")[1])["problems"]
        assert [(d["path"], d["line"]) for d in problems] == [("content/briefs/x.md", 7)]  # the published: line
        (root / "content/briefs/x.md").write_text(brief_text("Soon fixed"))
        p.wait_for_line("rebuilt in ")
        status, html = fetch(url + "briefs/x/")
        assert status == 200 and "Soon fixed" in html
