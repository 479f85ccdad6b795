"""A hostile feed: nothing it carries reaches a draft, or a built site, as live markup."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.ingest.drafts import CAVEAT_TRUNCATED
from test_ingest_helpers import FEEDS, drafts, make_site, run_ingest

REPO = Path(__file__).resolve().parent.parent
UNSAFE_SCHEMES = ("javascript:", "data:", "file:", "smb:", "vbscript:")
# Markdown link targets that are not themselves escaped text: ](target)
MD_LINK = re.compile(r"(?<!\\)\]\(([^)\s]*)\)")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = make_site(tmp_path_factory.mktemp("hostile") / "site")
    big = tmp_path_factory.mktemp("feeds") / "huge-entry.xml"
    big.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Huge Feed</title>'
        "<item><title>A very long entry</title><link>https://huge.example.org/long</link>"
        "<pubDate>Wed, 12 Nov 2025 01:00:00 +0000</pubDate><description><![CDATA["
        + "<p>Paragraph of ordinary words repeated. <script>alert('deep')</script></p>" * 140_000
        + "]]></description></item></channel></rss>",
        encoding="utf-8",
    )
    assert big.stat().st_size > 10_000_000
    assert run_ingest(root, str(FEEDS / "hostile.xml"), str(FEEDS / "xml-bombs.xml"), str(big)) == 0
    return root


def test_hostile_entries_become_clean_drafts(hostile_site):
    written = drafts(hostile_site)
    assert len(written) == 5  # two hostile entries had no http(s) link and were skipped
    for path, (front, body) in written.items():
        assert front["draft"] is True, path
        assert set(front) <= {"title", "standfirst", "source", "published", "tags", "section", "jurisdiction",
                              "key_points", "implications", "caveats", "draft"}
        for text in strings(front):
            assert "<" not in text and ">" not in text, (path, text)
        assert front["source"]["url"].startswith("https://")
        assert not re.search(r"(?<!\\)<", body), path
        for target in MD_LINK.findall(body):
            assert target.startswith(("https://", "http://", "mailto:")), (path, target)
        for needle in ("alert('desc')", "document.cookie", "hunter2", "display:none", "iframe fallback",
                       "onerror", "onclick", "onmouseover", "root:x:0", "lollol"):
            assert needle not in body and needle not in str(front), (path, needle)


def test_every_field_of_the_hostile_entry_is_sanitised(hostile_site):
    front, body = drafts(hostile_site)["content/briefs/2025/minister-announces-ai-lt-script-gt-alert-double-lt-script-gt-review.md"]
    assert front["title"] == "Minister announces AI &lt;script&gt;alert('double')&lt;/script&gt;review"
    assert front["source"] == {"name": "Totally Normal News", "author": "Eve Mallory",
                               "url": "https://hostile.example.com/news/ai-review"}
    assert front["tags"] == ["policy", "safety"]
    assert "procurement, mixed case, tab, entity, data, file, smb, vbscript and [a fine link](https://hostile.example.com/ok)." in body
    assert "\\[click me\\](javascript:alert('md'))" in body  # Markdown in the feed's text stays text
    assert "\\<script\\>alert('escaped')\\</script\\>" in body


def test_a_title_cannot_close_the_front_matter(hostile_site):
    front, _ = drafts(hostile_site)["content/briefs/2025/harmless-heading-draft-false-slug-etc-owned.md"]
    assert front["title"] == "Harmless heading --- draft: false slug: ../../../etc/owned"
    assert front["draft"] is True and "slug" not in front
    assert not (hostile_site.parent / "etc").exists()


def test_a_10_mb_entry_is_cut_short(hostile_site):
    path = hostile_site / "content/briefs/2025/a-very-long-entry.md"
    front, body = drafts(hostile_site)["content/briefs/2025/a-very-long-entry.md"]
    assert CAVEAT_TRUNCATED in front["caveats"]
    assert path.stat().st_size < 500_000 and "alert" not in body


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "poster", "data") and value:
                squashed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squashed.startswith(UNSAFE_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = values.get("src") or ""
            if not src or src.startswith(("http:", "https:", "//")) or ":" in src.split("/")[0]:
                self.problems.append(f"<script src={src!r}>")
        if tag in ("iframe", "object", "embed", "frame", "applet"):
            self.problems.append(f"<{tag}>")

    handle_startendtag = handle_starttag


def test_the_markup_check_catches_unsafe_markup():
    parser = _Markup()
    parser.feed('<script>x()</script><script src="https://evil.example/x.js"></script><script src="/pagefind/ui.js"></script>'
                '<img src=x onerror=y><a href=" JavaScript:alert(1)">a</a><a href="smb://h/s">b</a><iframe></iframe>')
    assert parser.problems == ["<script src=''>", "<script src='https://evil.example/x.js'>", "<img onerror=...>",
                               "<a href=' JavaScript:alert(1)'>", "<a href='smb://h/s'>", "<iframe>"]


def test_a_built_site_with_the_drafts_has_no_unsafe_markup(hostile_site):
    out = hostile_site / "site"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--root", str(hostile_site), "--out", str(out), "--drafts"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    pages = sorted(out.rglob("*.html"))
    assert (out / "briefs/minister-announces-ai-lt-script-gt-alert-double-lt-script-gt-review/index.html") in pages
    problems = {}
    for page in pages:
        parser = _Markup()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        if parser.problems:
            problems[page.relative_to(out).as_posix()] = parser.problems
    assert problems == {}
    minister = next(p for p in pages if "minister-announces" in p.as_posix()).read_text(encoding="utf-8")
    assert '<a href="https://hostile.example.com/ok"' in minister
    assert "&lt;script&gt;alert(&#39;escaped&#39;)&lt;/script&gt;" in minister or "&lt;script&gt;alert('escaped')&lt;/script&gt;" in minister
