"""URLs and slugs: which links may reach an href, and the names pages live at."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generator.slugs import is_valid_slug, slugify
from generator.urls import Urls, dest_for, is_safe_href, is_site_relative

SAFE = [
    "https://example.org/report",
    "http://example.org/",
    "HTTPS://EXAMPLE.ORG/x",
    "mailto:ai@example.gov.au",
    "/briefs/x/",
    "/ai-digest/tags/llms/",
    "#top",
    "?q=ai",
    "briefs/x/",
    "../other/",
    "page.html",
    "/path/with:colon-after-slash",
]
UNSAFE = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x00javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "smb://fileserver/share",
    "ftp://example.org/",
    "tel:+61200000000",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example\\share",
    "\\/evil.example/",
    " //evil.example/",
    "https:evil.example",
    "https://",
    "http:/x",
    "",
    "   ",
    "c:/windows",
    "foo:bar",
]


@pytest.mark.parametrize("url", SAFE)
def test_safe_hrefs(url):
    assert is_safe_href(url)


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_hrefs(url):
    assert not is_safe_href(url)


@pytest.mark.parametrize("url,relative", [("/briefs/x/", True), ("#top", True), ("https://example.org/", False),
                                          ("mailto:a@example.org", False), ("//evil.example/", False)])
def test_site_relative(url, relative):
    assert is_site_relative(url) is relative


@given(st.text())
def test_an_href_with_any_scheme_but_the_safe_three_is_refused(text):
    if is_safe_href(text):
        cleaned = "".join(ch for ch in text if ch > " " and ch != "\x7f")
        m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
        assert m is None or m.group(1).lower() in ("http", "https", "mailto")
        assert not cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


@given(st.sampled_from(["javascript", "data", "vbscript", "file", "smb"]), st.text(max_size=20),
       st.lists(st.sampled_from([" ", "\t", "\n", "\r", "\x00", "\x0b"]), max_size=3))
def test_dangerous_schemes_are_refused_however_spelled(scheme, rest, junk):
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(scheme))
    spelled = "".join(junk) + mixed[:2] + "".join(junk) + mixed[2:] + ":" + rest
    assert not is_safe_href(spelled)


# -- slugs ------------------------------------------------------------------------

@pytest.mark.parametrize("text,slug", [
    ("EU AI Act – Q&A", "eu-ai-act-q-a"),
    ("Import AI – Substack", "import-ai-substack"),
    ("Māori data sovereignty", "maori-data-sovereignty"),
    ("LLMs", "llms"),
    ("  AI   safety  ", "ai-safety"),
    ("Research & Safety", "research-safety"),
    ("2026", "2026"),
    ("!!!", ""),
])
def test_slugify_examples(text, slug):
    assert slugify(text) == slug


@example("Ǆ")
@example("ß")
@example("ﬁ")
@example("İstanbul")
@given(st.text())
def test_slugify_is_idempotent_and_url_safe(text):
    slug = slugify(text)
    assert slugify(slug) == slug
    assert slug == "" or is_valid_slug(slug)
    assert re.fullmatch(r"[a-z0-9-]*", slug)
    assert len(slug) <= 80


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd"], max_codepoint=0x7F), min_size=1))
def test_ascii_letters_and_digits_survive(text):
    assert slugify(text) == text.lower()[:80]


# -- page paths --------------------------------------------------------------------

def test_links_and_files_under_a_base_path():
    urls = Urls("/ai-digest/", "https://intranet.example.gov.au/ai-digest/")
    assert urls.link("briefs/x/") == "/ai-digest/briefs/x/"
    assert urls.link("") == "/ai-digest/"
    assert urls.absolute("feed.xml") == "https://intranet.example.gov.au/ai-digest/feed.xml"
    assert Urls("/ai-digest", "https://x/ai-digest/").link("tags/") == "/ai-digest/tags/"
    assert Urls.paged("briefs/", 1) == "briefs/"
    assert Urls.paged("briefs/", 2) == "briefs/page/2/"
    assert Urls.tag("AI Safety") == "tags/ai-safety/"
    assert Urls.source("Import AI – Substack") == "sources/import-ai-substack/"
    assert Urls.action("Monitor") == "actions/monitor/"
    assert dest_for("briefs/x/") == "briefs/x/index.html"
    assert dest_for("") == "index.html"
    assert dest_for("404.html") == "404.html"
