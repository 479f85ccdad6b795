"""The email-ready issue: issues/<week>/email.html and email.txt.

The HTML is one self-contained file for mail clients: tables for layout,
inline styles, no scripts, no images, no stylesheets, absolute links, the
marking first and last, and the disclaimer after every brief's implications.
"""

from __future__ import annotations

import collections
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, brief_text, build
from htmlquery import parse_html

from generator import DISCLAIMER
from generator.assemble import assemble
from generator.build import check_site
from generator.check_output import check_disclaimers
from generator.email import absolute_links, fragment_paragraphs, fragment_text, wrap
from generator.markdown import render_block
from generator.plan import make_plan
from generator.render import Renderer
from generator.templates import make_environment

BASE = "https://intranet.example.gov.au/"


def emails_of(root: Path) -> dict[str, bytes]:
    checked = check_site(root)
    assert checked.config is not None, checked.diagnostics
    site = assemble(checked.content, checked.config)
    renderer = Renderer(site, make_environment(root))
    plan = make_plan(site, "key", renderer.fingerprints, collections.defaultdict(str), {})
    return {f.dest: renderer.render(f) for f in plan.of_kind("email-html", "email-text")}


@pytest.fixture(scope="module")
def sample_emails():
    return emails_of(REPO)


def test_one_html_and_one_text_email_per_issue(sample_emails):
    issues = sorted(p.name for p in (REPO / "content" / "issues").glob("*.md"))
    assert issues
    for name in issues:
        week = name[:-3].lower()
        assert f"issues/{week}/email.html" in sample_emails
        assert f"issues/{week}/email.txt" in sample_emails


def test_email_html_is_self_contained(sample_emails):
    for path, data in sample_emails.items():
        if not path.endswith(".html"):
            continue
        doc = parse_html(data.decode("utf-8"))
        assert doc.find_all("script") == [], path
        assert doc.find_all("img") == [], path
        assert doc.find_all("link") == [], path
        assert doc.find_all("style") == [], path
        layout = doc.find_all("table", role="presentation")
        assert len(layout) >= 2, "table layout for Outlook"
        assert doc.find("html").get("lang") == "en-AU"
        for node in doc.iter():
            assert not any(a.startswith("on") for a in node.attrs), (path, node.tag)
            assert node.attrs.get("class") is None, f"{path}: class on <{node.tag}> (mail clients drop stylesheets)"


def test_every_link_is_absolute(sample_emails):
    for path, data in sample_emails.items():
        if path.endswith(".html"):
            for a in parse_html(data.decode("utf-8")).find_all("a"):
                assert re.match(r"^(https?://|mailto:)", a.get("href")), (path, a.get("href"))


def test_links_to_the_site_point_at_its_pages(sample_emails):
    data = sample_emails["issues/2025-w46/email.html"].decode("utf-8")
    doc = parse_html(data)
    hrefs = [a.get("href") for a in doc.find_all("a")]
    assert "https://intranet.example.gov.au/ai-digest/issues/2025-w46/" in hrefs
    assert "https://intranet.example.gov.au/ai-digest/briefs/aps-ai-plan-released/" in hrefs
    assert "https://intranet.example.gov.au/ai-digest/actions/implement/" in hrefs


def test_marking_comes_first_and_last(sample_emails):
    for path, data in sample_emails.items():
        if path.endswith(".html"):
            text = parse_html(data.decode("utf-8")).find("body").text
        else:
            text = data.decode("utf-8").strip()
        assert text.startswith("OFFICIAL"), path
        assert text.endswith("OFFICIAL"), path


def test_disclaimer_follows_every_brief_s_implications(sample_emails):
    from generator.render import OutputFile

    for path, data in sample_emails.items():
        if path.endswith(".html"):
            doc = parse_html(data.decode("utf-8"))
            lists = doc.find_all("ul", data_implications=True)
            titles = doc.find_all("h3")
            assert lists and len(lists) == len(titles), path
            assert check_disclaimers([OutputFile(path, data)]) == []
        else:
            text = data.decode("utf-8")
            assert text.count(DISCLAIMER) == text.count("Implications for Australian agencies:") > 0


def test_labels_read_as_words(sample_emails):
    doc = parse_html(sample_emails["issues/2025-w46/email.html"].decode("utf-8"))
    for li in doc.find_all("ul", data_implications=True)[0].find_all("li"):
        assert re.match(r"^(Implement|Decide|Consider|Monitor): \S", li.text), li.text
    text = sample_emails["issues/2025-w46/email.txt"].decode("utf-8")
    assert re.search(r"^- (Implement|Decide|Consider|Monitor): \S", text, re.M)


def test_text_email_is_plain_and_wrapped(sample_emails):
    for path, data in sample_emails.items():
        if path.endswith(".txt"):
            text = data.decode("utf-8")
            assert not re.search(r"</?[a-z][^>]*>", text.replace("<http", "")), path
            assert "&amp;" not in text and "&#" not in text, path
            long_lines = [line for line in text.splitlines() if len(line) > 72 and " " in line.strip()
                          and not line.lstrip("- ").startswith(("http", "<http"))
                          and "http" not in line]
            assert long_lines == [] or all(len(line) < 100 for line in long_lines), long_lines[:3]


def test_site_links_images_and_special_characters_in_content(project):
    body = ("See [the tool](/briefs/other/) and ![a chart](/media/chart.png).\n\n"
            "| Col | Val |\n|---|---|\n| R&D | 1 < 2 |\n")
    root = project({
        "content/briefs/a.md": brief_text("Tools & Rules <now>", body=body, published="2026-03-16"),
        "content/briefs/other.md": brief_text("Other", published="2026-03-17"),
    })
    emails = emails_of(root)
    html = emails["issues/2026-w12/email.html"].decode("utf-8")
    text = emails["issues/2026-w12/email.txt"].decode("utf-8")
    assert 'href="https://intranet.example.gov.au/digest/briefs/other/"' in html
    assert "<img" not in html
    assert 'href="https://intranet.example.gov.au/digest/media/chart.png"' in html
    assert "Tools &amp; Rules &lt;now&gt;" in html
    assert "<table" in html and "R&amp;D" in html
    assert "Tools & Rules <now>" in text
    assert "R&D | 1 < 2" in text
    assert "the tool <https://intranet.example.gov.au/digest/briefs/other/>" in text


def test_email_html_opens_in_chromium_without_requests(browser, sample_emails, tmp_path):
    """Opened from disk as a mail client would, the email asks no server for anything."""
    path = tmp_path / "email.html"
    path.write_bytes(sample_emails["issues/2025-w46/email.html"])
    page = browser.new_page(viewport={"width": 375, "height": 800})
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.goto(path.as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    page.close()
    assert seen == [path.as_uri()]
    assert width <= 375, "the email fits a phone"


# -- each brief's part is made once, with its other fragments, and only pasted into the editions --

@settings(max_examples=400, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "bb", "word", "x" * 30, "y" * 80, "dash-ed", "é", " ", "  ", "\n", "\t", "\xa0"]),
                     max_size=60).map("".join),
       width=st.integers(1, 80), indent=st.sampled_from(["", "  ", "    "]), first=st.sampled_from([None, "- ", "-----"]))
def test_wrap_gives_the_lines_textwrap_gives(text, width, indent, first):
    expected = textwrap.fill(" ".join(text.split()), width=width, initial_indent=indent if first is None else first,
                             subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)
    assert wrap(text, width, indent, first) == expected


def test_fragment_text_of_each_kind_of_markdown():
    md = ("Intro with **bold**, R&amp;D &copy; and a break  \nhere, [a site page](/briefs/x/) and "
          "[mail](mailto:desk@example.gov.au).\n\n"
          "- one\n- two [link](https://example.org/a?b=1&c=2)\n  - nested\n\n"
          "> quoted\n\n### A heading\n\n| Item | Keep? |\n|:--|--:|\n| a & b | 1 < 2 |\n\n"
          "```\ncode <x>\n```\n\n---\n\nEnd.")
    html = absolute_links(render_block(md, "/digest/"), BASE + "digest/")
    assert fragment_paragraphs(html) == [
        "Intro with bold, R&D © and a break here, a site page <https://intranet.example.gov.au/digest/briefs/x/> "
        "and mail <mailto:desk@example.gov.au>.",
        "- one", "- two link <https://example.org/a?b=1&c=2>", "- nested",
        "quoted", "A heading", "Item | Keep?", "a & b | 1 < 2", "code <x>", "End.",
    ]
    assert fragment_text(html, width=40).split("\n\n")[1] == (
        "- one\n- two link\n  <https://example.org/a?b=1&c=2>\n- nested")


def _counting(monkeypatch):
    import generator.render

    calls: list[str] = []
    real = generator.render.render_fragments

    def counted(view, *args):
        calls.append(view.brief.slug)
        return real(view, *args)

    monkeypatch.setattr(generator.render, "render_fragments", counted)
    return calls


def test_each_brief_is_rendered_once_though_few_are_kept_in_memory(monkeypatch):
    """Brief pages, listings, feeds and both email editions all take a brief's Markdown rendered once."""
    import generator.render

    expected = emails_of(REPO)
    calls = _counting(monkeypatch)
    monkeypatch.setattr(generator.render, "RECENT_FRAGMENTS", 2)
    checked = check_site(REPO)
    site = assemble(checked.content, checked.config)
    renderer = Renderer(site, make_environment(REPO))
    plan = make_plan(site, "key", renderer.fingerprints, collections.defaultdict(str), {})
    out = {f.dest: renderer.render(f) for f in sorted(plan.files, key=lambda f: f.kind != "brief")}
    assert sorted(calls) == sorted(b.slug for b in site.briefs)
    assert {dest: data for dest, data in out.items() if "/email." in dest} == expected


def test_a_rebuild_takes_the_other_briefs_email_parts_from_the_cache(project, tmp_path, monkeypatch):
    root = project({f"content/briefs/b{i}.md": brief_text(f"Brief {i}", published=f"2026-03-{16 + i}",
                                                          body=f"Summary {i} with [a link](/briefs/b{(i + 1) % 3}/).")
                    for i in range(3)})
    build(root)
    changed = root / "content/briefs/b1.md"
    changed.write_text(changed.read_text().replace("Summary 1", "A changed summary"))
    calls = _counting(monkeypatch)
    result = build(root)
    assert calls == ["b1"] and result.rendered > 0
    monkeypatch.undo()
    build(root, tmp_path / "clean", cache=False)
    for name in ("email.html", "email.txt"):
        again = (root / "site/issues/2026-w12" / name).read_bytes()
        assert again == (tmp_path / "clean/issues/2026-w12" / name).read_bytes()
        assert b"A changed summary" in again and b"Summary 2 with" in again
