"""The email editions' short cuts give the bytes the general path gives.

While a site uses the default theme's layouts/email/_brief.html and
_brief.txt, each brief's part is written out in Python (generator.email.
BriefPart._html_direct, _text_direct) rather than rendered by Jinja; a site's
own templates are rendered as written. The plain-text helpers and the class
dropping after css-inline were rewritten for speed: each is compared here
with the straightforward form it replaced, on rendered Markdown and on tag soup.
"""

from __future__ import annotations

import collections
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, brief_text

from generator.assemble import assemble
from generator.build import check_site
from generator.email import THEME_PARTS, EmailKit, absolute_links, drop_classes, fragment_paragraphs, fragment_text, wrap
from generator.markdown import render_block
from generator.plan import make_plan
from generator.render import Renderer
from generator.templates import make_environment

BASE = "https://intranet.example.gov.au/digest/"


def editions(root: Path, direct: bool | None = None) -> dict[str, bytes]:
    """Every email file of the site at `root`; direct=False sends both brief forms through their templates."""
    checked = check_site(root)
    assert checked.config is not None, checked.diagnostics
    site = assemble(checked.content, checked.config)
    renderer = Renderer(site, make_environment(root))
    kit = renderer._email_kit()
    if direct is not None:
        kit.direct_html = kit.direct_text = direct
    plan = make_plan(site, "key", renderer.fingerprints, collections.defaultdict(str), {})
    return {f.dest: renderer.render(f) for f in plan.of_kind("email-html", "email-text")}


def test_the_default_theme_s_brief_templates_are_written_directly():
    """If this fails, layouts/email/_brief.* changed: make BriefPart's direct forms match, then update THEME_PARTS."""
    kit = EmailKit(make_environment(REPO))
    assert (kit.direct_html, kit.direct_text) == (True, True), THEME_PARTS


@pytest.mark.parametrize("site", ["sample", "email fixture", "corpus"])
def test_direct_parts_give_the_template_s_bytes(site, tmp_path):
    if site == "sample":
        root = REPO
    elif site == "email fixture":
        root = tmp_path / "root"
        shutil.copytree(REPO / "tests/fixtures/sites/email/content", root / "content")
    else:
        root = tmp_path / "corpus"
        subprocess.run([sys.executable, str(REPO / "bench/make_corpus.py"), "120", str(root)], check=True,
                       stdout=subprocess.DEVNULL)
    direct, general = editions(root), editions(root, direct=False)
    assert direct.keys() == general.keys() and len(direct) >= 4
    for dest in direct:
        assert direct[dest] == general[dest], dest


def test_a_site_s_own_brief_templates_are_rendered_as_written(project):
    part_html = (REPO / "layouts/email/_brief.html").read_text(encoding="utf-8")
    part_text = (REPO / "layouts/email/_brief.txt").read_text(encoding="utf-8")
    root = project({
        "content/briefs/a.md": brief_text("A brief", published="2026-03-16"),
        "layouts/email/_brief.html": part_html.replace("<h4>", '<p class="more">From our own template</p>\n<h4>'),
        "layouts/email/_brief.txt": part_text.replace("View brief:", "Our own words, then the brief:"),
    })
    kit = EmailKit(make_environment(root))
    assert (kit.direct_html, kit.direct_text) == (False, False)
    out = editions(root)
    assert "From our own template</p>" in out["issues/2026-w12/email.html"].decode("utf-8")
    assert "\nOur own words, then the brief: https://" in out["issues/2026-w12/email.txt"].decode("utf-8")


def test_one_form_of_the_site_s_own_and_the_other_the_theme_s(project):
    part_text = (REPO / "layouts/email/_brief.txt").read_text(encoding="utf-8")
    root = project({
        "content/briefs/a.md": brief_text("A brief", published="2026-03-16"),
        "layouts/email/_brief.txt": part_text.replace("View brief:", "Read it:"),
    })
    kit = EmailKit(make_environment(root))
    assert (kit.direct_html, kit.direct_text) == (True, False)
    direct, general = editions(root), editions(root, direct=False)
    assert direct == general
    assert "\nRead it: https://" in direct["issues/2026-w12/email.txt"].decode("utf-8")


# -- the plain-text helpers against the forms they replaced ---------------------------------

_OLD_TOKEN = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"]|"[^"]*")*)>|([^<]+|<)')
_OLD_HREF = re.compile(r'\shref="([^"]*)"')
_OLD_BLOCKS = frozenset({"p", "div", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "li"})


def old_fragment_paragraphs(fragment: str) -> list[str]:
    """generator.email.fragment_paragraphs as it was: one regex match and one Python step per token."""
    blocks: list[str] = []
    current: list[str] = []
    hrefs: list[str | None] = []
    cells: list[str] | None = None

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    for m in _OLD_TOKEN.finditer(str(fragment)):
        closing, tag, attrs, data = m.groups()
        if data is not None:
            current.append(html.unescape(data))
            continue
        tag = tag.lower()
        if not closing:
            if tag in _OLD_BLOCKS:
                flush()
                if tag == "li":
                    current.append("- ")
            elif tag == "tr":
                flush()
                cells = []
            elif tag in ("td", "th"):
                current.clear()
            elif tag == "br":
                current.append(" ")
            elif tag == "a":
                href = _OLD_HREF.search(attrs)
                hrefs.append(html.unescape(href.group(1)) if href else None)
            if not attrs.endswith("/"):
                continue
        if tag == "a" and hrefs:
            href = hrefs.pop()
            if href and href.startswith(("http://", "https://", "mailto:")):
                current.append(f" <{href}>")
        elif tag in ("td", "th") and cells is not None:
            cells.append(" ".join("".join(current).split()))
            current.clear()
        elif tag == "tr" and cells is not None:
            blocks.append(" | ".join(cells))
            cells = None
        elif tag in _OLD_BLOCKS:
            flush()
    flush()
    return blocks


def old_fragment_text(fragment: str, width: int = 72) -> str:
    out: list[str] = []
    for block in old_fragment_paragraphs(fragment):
        if block.startswith("- "):
            line = wrap(block[2:], width, indent="  ", first="- ")
            if out and out[-1].startswith("- "):
                out[-1] += "\n" + line
                continue
            out.append(line)
        else:
            out.append(wrap(block, width))
    return "\n\n".join(out)


MARKDOWN_PIECES = [
    "Plain words", "**bold** and *em*", "`code <x> & \"q\"`", "[site](/briefs/x/)", "[out](https://example.org/a?b=1&c=2)",
    "[mail](mailto:desk@example.gov.au)", "[rel](other/page)", "![a chart](/media/c.png)", "![](https://e.org/i.png)",
    "<https://auto.example.org/x>", "R&amp;D &copy; &#39;", "a  \nhard break", "soft\nbreak", "\u00a0nbsp\u00a0",
    "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword", "<b class=\"y\">raw</b>",
    "\n\n- one\n- two\n  - nested\n\n", "\n\n1. first\n2. second\n\n", "\n\n- loose\n\n- list\n\n", "\n\n> quoted\n> more\n\n",
    "\n\n### Heading\n\n", "\n\n| A | B |\n|:--|--:|\n| a & b | 1 < 2 |\n|  | empty |\n\n", "\n\n```\ncode <block>\n```\n\n",
    "\n\n---\n\n", "\n\n", " ", "\t", "[link with `code` and *em*](https://example.org/\"q\")",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=14).map("".join),
       st.sampled_from([render_block, lambda md, base: render_block(md, base).replace("<p>", "").replace("</p>", "")]))
def test_fragment_text_is_what_it_was_on_rendered_markdown(md, render):
    fragment = absolute_links(render(md, "/digest/"), BASE)
    assert fragment_paragraphs(fragment) == old_fragment_paragraphs(fragment)
    for width in (72, 20, 3):
        assert fragment_text(fragment, width) == old_fragment_text(fragment, width)


TAG_SOUP = ["<p>", "</p>", "<li>", "</li>", "<ul>", "<table>", "<tr>", "</tr>", "<td>", "</td>", "<th align=\"right\">",
            "</th>", "<br>", "<br />", "<a href=\"https://e.org/?a=1&amp;b=2\">", "<a title=\"x > y\" href=\"mailto:m@e.org\">",
            "<a>", "</a>", "<a href=\"/x\"/>", "<em>", "</em>", "<EM>", "<P>", "<Td/>", "<code class=\"c\">", "text", " ", "\n",
            "&amp;", "&am", "p;", "&lt;", "<", ">", "\"", "a < b", "<p title=\"unclosed>", "<1>", "</>", "x\u00a0y"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TAG_SOUP), max_size=30).map("".join))
def test_fragment_text_is_what_it_was_on_tag_soup(fragment):
    assert fragment_paragraphs(fragment) == old_fragment_paragraphs(fragment)
    if fragment_paragraphs(fragment):
        assert fragment_text(fragment, 10) == old_fragment_text(fragment, 10)


# -- dropping class attributes after css-inline ---------------------------------------------

_OLD_CLASS_ATTR = re.compile(r'(<[a-zA-Z][^\s/>]*(?:\s+[^\s"\'=<>`/]+(?:="[^"]*")?)*?)\s+class="[^"]*"')

ATTRS = [' class="x"', ' class=""', ' class="a b"', ' style="color: red;"', ' data-class="k"', ' classy="1"', " data-q",
         ' title="a > b class=&quot;x&quot;"', ' title="1 < 2"', ' href="/x?a=1&amp;b=2"', " class", " class=x", " /"]
TEXT = ["text", ' class="x" ', "&lt;b class=\"x\"&gt;", "\n", "a > b", "<", "<1 class=\"x\">"]


@st.composite
def css_inline_output(draw):
    out = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            tag = draw(st.sampled_from(["p", "td", "a", "h3", "table", "x-y"]))
            out.append(f"<{tag}{''.join(draw(st.lists(st.sampled_from(ATTRS), max_size=4)))}>")
        else:
            out.append(draw(st.sampled_from(TEXT)))
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(css_inline_output())
def test_dropping_classes_is_what_it_was(document):
    assert drop_classes(document) == _OLD_CLASS_ATTR.sub(r"\1", document)
