"""Sanitising feed HTML with nh3, and converting what is left to Markdown."""

from __future__ import annotations

import pytest

from generator.ingest.sanitise import clean_html, clean_text, safe_href, safe_link
from generator.ingest.to_markdown import html_to_markdown


def md(html: str, base: str = "https://example.org/post/") -> str:
    return html_to_markdown(clean_html(html), base)


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>",
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<form action="https://evil.example/"><input name="pw" value="secret"></form>',
    '<object data="x.swf"></object><embed src="y.swf">',
    "<svg><script>alert(1)</script></svg>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
])
def test_dangerous_elements_are_removed_with_their_contents(html):
    cleaned = clean_html(f"<p>before</p>{html}<p>after</p>")
    assert cleaned == "<p>before</p><p>after</p>"


def test_event_handlers_and_styles_are_dropped():
    cleaned = clean_html('<p onclick="x()" style="color:red" class="c">hi <img src=x onerror=alert(1)></p>')
    assert cleaned == "<p>hi </p>"


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "smb://server/share", "vbscript:msgbox(1)",
])
def test_links_with_unsafe_schemes_lose_their_target(href):
    assert md(f'<p><a href="{href}">label</a></p>') == "label\n"


def test_http_https_and_mailto_links_survive_and_relative_ones_resolve():
    out = md('<p><a href="https://a.org/x">a</a> <a href="mailto:media@agency.example">m</a> <a href="../y?q=(1)">r</a></p>')
    assert out == "[a](https://a.org/x) [m](mailto:media@agency.example) [r](https://example.org/y?q=%281%29)\n"


def test_safe_link_accepts_only_absolute_http_urls():
    assert safe_link("https://a.org/x") == "https://a.org/x"
    assert safe_link("/news/1", "https://agency.example/") == "https://agency.example/news/1"
    assert safe_link("//evil.example/x") is None  # no base: no scheme
    assert safe_link("javascript:alert(1)", "https://a.org/") is None
    assert safe_href("mailto:a@b.org") == "mailto:a@b.org"
    assert safe_href("mailto:a@b.org onclick=x") is None


def test_clean_text_strips_markup_and_script_contents_even_when_escaped_twice():
    assert clean_text("<b>Bold</b> &amp; <script>alert(1)</script>plain") == "Bold & plain"
    assert clean_text("&lt;script&gt;alert(1)&lt;/script&gt;Title") == "Title"
    assert clean_text("<p>One.</p><p>Two.</p>") == "One. Two."
    assert clean_text("a\n---\ndraft: false") == "a --- draft: false"


def test_markdown_structure():
    html = (
        "<h2>Heading</h2><p>Text with <strong>bold</strong>, <em>em</em> and <code>x`y</code>.</p>"
        "<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul>"
        "<blockquote><p>q1</p><p>q2</p></blockquote><pre>a &lt; b\n*c*</pre><p>line<br>break</p>"
    )
    assert md(html) == (
        "**Heading**\n\n"
        "Text with **bold**, *em* and ``x`y``.\n\n"
        "- one\n- two\n  1. nested\n\n"
        "> q1\n>\n> q2\n\n"
        "```\na < b\n*c*\n```\n\n"
        "line\\\nbreak\n"
    )


def test_markdown_specials_in_text_stay_text():
    out = md("<p>[click](javascript:alert(1)) *star* _under_ &lt;b&gt; a &amp;amp; b | pipe</p><p>1. not a list</p><p># not a heading</p>")
    assert out == (
        "\\[click\\](javascript:alert(1)) \\*star\\* \\_under\\_ \\<b\\> a \\&amp; b \\| pipe\n\n"
        "1\\. not a list\n\n"
        "\\# not a heading\n"
    )


def test_unknown_elements_are_dropped_but_their_text_is_kept():
    assert md("<table><tr><td>a</td><td>b</td></tr></table><p><span>in</span><u>side</u></p>") == "a b\n\ninside\n"
