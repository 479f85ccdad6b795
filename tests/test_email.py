"""The email-ready issue: issues/<week>/email.html and email.txt.

The HTML is one self-contained file for mail clients: tables for layout,
inline styles, no scripts, no images, no stylesheets, absolute links, the
marking first and last, and the disclaimer after every brief's implications.
Its styles come from one stylesheet, layouts/email/email.css, inlined into
style attributes when each edition is built.
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
from generator.email import absolute_links, fragment_paragraphs, fragment_text, inline_styles, make_inliner, wrap
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


def styles(node) -> dict[str, str]:
    """An element's inline style as {property: value}."""
    pairs = [d.split(":", 1) for d in (node.get("style") or "").split(";") if d.strip()]
    return {k.strip(): v.strip() for k, v in pairs}


def test_key_elements_carry_the_stylesheet_inline(sample_emails):
    doc = parse_html(sample_emails["issues/2025-w46/email.html"].decode("utf-8"))
    font = "'Segoe UI', Arial, Helvetica, sans-serif"
    body = styles(doc.find("body"))
    assert body["font-family"] == font and body["background-color"] == "#f3f5f7" and body["margin"] == "0"
    # Outlook does not pass the font on into tables: every cell and heading names it
    for node in doc.iter():
        if node.tag in ("td", "th", "h1", "h2", "h3", "h4"):
            assert styles(node).get("font-family") == font, (node.tag, node.text[:40])
    marking = [td for td in doc.find_all("td") if td.text == "OFFICIAL"]
    assert len(marking) == 2
    for td in marking:
        assert styles(td)["background-color"] == "#1f2a37" and styles(td)["color"] == "#ffffff"
    h1 = styles(doc.find("h1"))
    assert (h1["font-size"], h1["color"]) == ("26px", "#ffffff")
    sections = [h2 for h2 in doc.find_all("h2") if h2.text != "This week at a glance"]
    assert sections and all(styles(h2)["border-bottom"] == "2px solid #12355b" for h2 in sections)
    for h3 in doc.find_all("h3"):  # a brief's title, and its link
        assert styles(h3)["font-size"] == "18px"
        assert styles(h3.find("a"))["color"] == "#00528a"
    colours = {"Implement": "#0b6b3a", "Decide": "#8a1f11", "Consider": "#5b3a99", "Monitor": "#1d4f91"}
    seen = set()
    for ul in doc.find_all("ul", data_implications=True):
        for li in ul.find_all("li"):
            label = li.find("a")
            action = label.text.rstrip(":")
            assert styles(label) == {"color": colours[action], "font-weight": "bold", "text-decoration": "none"}
            seen.add(action)
        disclaimer = [p for p in doc.find_all("p") if p.text == DISCLAIMER]
        assert disclaimer and all(styles(p)["font-style"] == "italic" for p in disclaimer)
    assert len(seen) >= 2, seen
    summary_paragraphs = [p for td in doc.find_all("td") for div in td.find_all("div") for p in div.find_all("p")]
    assert summary_paragraphs and all(styles(p)["margin"] == "0 0 12px 0" for p in summary_paragraphs)


def test_the_stylesheet_in_the_site_s_layouts_is_the_one_inlined(project):
    """A site's own layouts/email/email.css replaces the theme's; an action the site adds keeps the text colour."""
    css = (REPO / "layouts/email/email.css").read_text(encoding="utf-8")
    root = project({
        "content/briefs/a.md": brief_text("A brief", published="2026-03-16", action="Monitor"),
        "layouts/email/email.css": css.replace(".label-monitor { color: #1d4f91; }", ".label-monitor { color: #000000; }")
                                      + "\n.more a { color: #123456; }\n",
    })
    html = emails_of(root)["issues/2026-w12/email.html"].decode("utf-8")
    doc = parse_html(html)
    label = doc.find("ul", data_implications=True).find("a")
    assert styles(label)["color"] == "#000000"
    more = [a for a in doc.find_all("a") if a.text.startswith("View brief:")]
    assert more and styles(more[0])["color"] == "#123456"


def test_an_action_a_site_adds_is_a_label_in_the_text_colour(project):
    from conftest import SITE_YAML

    root = project({"content/briefs/a.md": brief_text("A brief", published="2026-03-16", action="Escalate")},
                   site_yaml=SITE_YAML.replace("  - {name: Monitor, description: Watch for developments.}\n",
                                               "  - {name: Monitor, description: Watch for developments.}\n"
                                               "  - {name: Escalate, description: Tell the executive.}\n"))
    doc = parse_html(emails_of(root)["issues/2026-w12/email.html"].decode("utf-8"))
    label = doc.find("ul", data_implications=True).find("a")
    assert label.text == "Escalate:"
    assert styles(label)["color"] == "#1a1a1a" and styles(label)["font-weight"] == "bold"


def test_inlining_drops_class_attributes_and_nothing_else():
    inliner = make_inliner(".x { color: #0b6b3a; } td.y { padding: 4px; } [data-q] { margin: 0; }")
    out = inline_styles('<!doctype html><html><body><p title="a > b class=&quot;x&quot;" class="x">'
                        'Write class="x" as &lt;b class="x"&gt;.</p><table><tr><td data-q class="y z">1</td>'
                        '</tr></table></body></html>', inliner)
    assert '<p title="a > b class=&quot;x&quot;" style="color: #0b6b3a;">' in out
    assert 'Write class="x" as &lt;b class="x"&gt;.</p>' in out
    assert re.search(r'<td data-q="" style="(margin: 0;padding: 4px;|padding: 4px;margin: 0;)">1</td>', out), out


def test_the_stylesheet_is_inlined_once_per_edition(monkeypatch):
    import generator.email

    made, inlined = [], []
    real = generator.email.make_inliner

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def inline(self, document):
            inlined.append(len(document))
            return self.inner.inline(document)

    def counting(css):
        made.append(css)
        return Counting(real(css))

    monkeypatch.setattr(generator.email, "make_inliner", counting)
    emails = emails_of(REPO)
    assert len(made) == 1 and ".label-implement" in made[0]
    assert len(inlined) == sum(1 for dest in emails if dest.endswith(".html"))


def test_a_brief_part_without_the_disclaimer_fails_the_build(project):
    from generator.diagnostics import ContentError

    part = (REPO / "layouts/email/_brief.html").read_text(encoding="utf-8").replace("{{ DISCLAIMER }}", "")
    root = project({"content/briefs/a.md": brief_text("A brief", published="2026-03-16"),
                    "layouts/email/_brief.html": part})
    with pytest.raises(ContentError) as info:
        build(root)
    assert [d.path for d in info.value.diagnostics] == ["site/issues/2026-w12/email.html"]
    assert not (root / "site").exists()


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
            "| Col | Val |\n|---|--:|\n| R&D | 1 < 2 |\n\n"
            'Markup is shown as written: `<p class="x" style="color:red">`, <b class="y">.\n')
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
    doc = parse_html(html)
    assert [styles(td)["text-align"] for td in doc.find_all("td") if td.text in ("R&D", "1 < 2")] == ["left", "right"]
    assert 'Markup is shown as written: <code style="' in html  # the text inside keeps its "class" and "style"
    assert '>&lt;p class="x" style="color:red"&gt;</code>, &lt;b class="y"&gt;.</p>' in html
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


# -- each brief's Markdown is rendered once; the editions take its HTML from there --

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


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "Z", "1", ".", " ", "  ", "\n", "\t", "\u00a0", "&amp;", "&lt;", "&gt;",
                                  "&quot;", "&#39;", "&copy;", "&", ";", "é"]), max_size=40).map("".join))
def test_text_without_tags_gives_what_the_same_text_inside_an_inline_tag_gives(text):
    # text alone takes a shorter way through fragment_paragraphs; an inline tag that only keeps
    # its text (span) sends the same text the long way
    assert fragment_paragraphs(text) == fragment_paragraphs(f"<span>{text}</span>")


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


def test_a_rebuild_renders_only_the_changed_brief_s_markdown_for_its_week_s_emails(project, tmp_path, monkeypatch):
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
