"""Every page kind, from one tiny site: content folders in, parsed HTML out.

The site (built once for this module) has four published briefs over three
ISO weeks of March 2026, a draft, two weekly editorials and an About page,
with per_page: 2 so every listing paginates. Assertions read structure and
text (headings, order, links, data-implications lists), not CSS classes.
"""

from __future__ import annotations

import re

import pytest

from conftest import SITE_YAML, build, make_project
from generator import DISCLAIMER
from htmlquery import Node, headings, read_html

BASE = "/digest/"  # the path of SITE_YAML's base_url


def brief(title, *, slug, published, source="Example Source", author="", tags=("Privacy",), section="",
          jurisdiction="", key_points=("First point.",), implications=(("Monitor", "Agencies could watch this."),),
          caveats=(), body="A summary of the item.", extra="") -> tuple[str, str]:
    lines = ["---", f'title: "{title}"', 'standfirst: "Why it matters to agencies."', "source:",
             f'  name: "{source}"', f"  url: https://example.org/{slug}"]
    if author:
        lines.append(f'  author: "{author}"')
    lines += [f"published: {published}", "tags: [" + ", ".join(f'"{t}"' for t in tags) + "]"]
    if section:
        lines.append(f'section: "{section}"')
    if jurisdiction:
        lines.append(f"jurisdiction: {jurisdiction}")
    lines.append("key_points:")
    lines += [f"  - {k!r}".replace("'", '"') for k in key_points]
    lines.append("implications:")
    for action, text in implications:
        lines += [f"  - action: {action}", f'    text: "{text}"']
    if caveats:
        lines.append("caveats:")
        lines += [f'  - "{c}"' for c in caveats]
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ["---", body, ""]
    return f"content/briefs/{slug}.md", "\n".join(lines)


FILES = dict([
    brief("Alpha brief", slug="alpha", published="2026-03-16", source="Import AI – Substack", author="Jack Clark",
          tags=("Privacy", "LLMs"), section="Research & Safety", jurisdiction="AU",
          key_points=("Key point with *emphasis*.", "Second key point."),
          implications=(("Monitor", "Track the consultation."), ("Implement", "Update the **register**.")),
          caveats=("Only the abstract was available.",),
          body="The summary of alpha.\n\nA second paragraph."),
    brief("Bravo brief", slug="bravo", published="2026-03-11", tags=("LLMs",), section="Research & Safety",
          implications=(("Consider", "Weigh the findings."),)),
    brief("Charlie brief", slug="charlie", published="2026-03-10", tags=("Privacy",), section="Australian Government",
          implications=(("Monitor", "Watch the next release."),)),
    brief("Delta brief", slug="delta", published="2026-03-02", tags=("Privacy",),
          implications=(("Decide", "Choose an owner."),)),
    brief("Echo draft", slug="echo-draft", published="2026-03-12", tags=("Drafting",), extra="draft: true"),
    ("content/issues/2026-W11.md", "---\ntitle: Regulators move\n---\n**Regulators** moved on *two* fronts this week. "
                                   "Standards bodies followed.\n"),
    ("content/issues/2026-W12.md", "---\n---\nA quiet week for [alpha](/briefs/alpha/) news. More soon.\n"),
    ("content/pages/about.md", "---\ntitle: About this digest\n---\nWe read the sources so you do not have to.\n"),
])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("pages") / "root", FILES,
                        site_yaml=SITE_YAML.replace("per_page: 20", "per_page: 2"))
    build(root)
    return root / "site"


@pytest.fixture(scope="module")
def tiny_with_drafts(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("drafts") / "root", FILES,
                        site_yaml=SITE_YAML.replace("per_page: 20", "per_page: 2"))
    build(root, drafts=True)
    return root / "site"


def page(site, path: str) -> Node:
    return read_html(site / path / "index.html" if not path.endswith(".html") else site / path)


def main(doc: Node) -> Node:
    return doc.one("main")


def position(doc: Node, node: Node) -> int:
    for i, n in enumerate(doc.iter()):
        if n is node:
            return i
    raise AssertionError(f"{node!r} is not in the document")


def smallest_with_text(scope: Node, text: str) -> Node:
    """The innermost element whose whole text is `text`."""
    found = [n for n in scope.iter() if n.text == text]
    assert found, f"no element with text {text!r}"
    return found[-1]


def hrefs(scope: Node) -> list[str]:
    return [a.get("href") for a in scope.find_all("a")]


# -- home ---------------------------------------------------------------------

def test_home_shows_the_latest_issue_its_glance_and_earlier_briefs(tiny):
    doc = main(page(tiny, ""))
    texts = [t for _, t in headings(doc)]
    assert "This week at a glance" in texts
    assert "A quiet week for alpha news. More soon." in doc.text
    assert f"{BASE}briefs/alpha/" in hrefs(doc)  # the latest week's brief
    latest_link = doc.find("a", href=f"{BASE}issues/2026-w12/")
    assert latest_link is not None and latest_link.text == "16 March 2026 – 22 March 2026"
    # earlier briefs follow, and the page links onward to the catalogue and the issues
    for slug in ("bravo", "charlie"):
        assert f"{BASE}briefs/{slug}/" in hrefs(doc)
    assert f"{BASE}briefs/" in hrefs(doc) and f"{BASE}issues/" in hrefs(doc)
    assert f"{BASE}briefs/echo-draft/" not in hrefs(page(tiny, ""))


def test_every_page_has_the_site_title_language_and_marking(tiny):
    doc = page(tiny, "briefs/alpha/")
    assert doc.one("html").get("lang") == "en-AU"
    assert doc.one("title").text == "Alpha brief | Test Digest"
    markings = [n for n in doc.iter() if n.text == "OFFICIAL" and n.tag == "div"]
    assert len(markings) == 2  # top and bottom
    assert page(tiny, "").one("title").text == "Test Digest"


# -- brief page -----------------------------------------------------------------

def test_brief_page_shows_everything_in_the_reference_order(tiny):
    doc = main(page(tiny, "briefs/alpha/"))
    h1 = doc.one("h1")
    assert h1.text == "Alpha brief"
    meta = h1.parent.find("time").parent
    assert_meta_line(meta, "16 March 2026", "Import AI – Substack (Jack Clark)", "AU")
    assert meta.find("time").get("datetime") == "2026-03-16"
    standfirst = smallest_with_text(doc, "Why it matters to agencies.")
    key_points = doc.one("h2", text="Key points")
    summary = doc.one("h2", text="Summary")
    implications = doc.one("h2", text="Implications for Australian agencies")
    imp_list = doc.one("ul", data_implications=True)
    disclaimer = smallest_with_text(doc, DISCLAIMER)
    caveat = smallest_with_text(doc, "Only the abstract was available.")
    tag_link = doc.one("a", href=f"{BASE}tags/privacy/")
    section = smallest_with_text(doc, "Research & Safety")
    issue_link = doc.one("a", href=f"{BASE}issues/2026-w12/")
    order = [h1, meta, standfirst, key_points, summary, implications, imp_list, disclaimer, caveat,
             tag_link, section, issue_link, doc.one("a", rel="prev"), doc.one("pre")]
    assert_in_order(doc, order[:-2] + [order[-1]])  # previous/next: see the next test
    assert_in_order(doc, order[:-2] + [order[-2]])


def test_brief_page_previous_next_comes_before_the_citation(tiny):
    doc = main(page(tiny, "briefs/alpha/"))
    assert_in_order(doc, [doc.one("a", rel="prev"), doc.one("pre")])


def assert_meta_line(meta: Node, date: str, source: str, jurisdiction: str) -> None:
    """published date, then source (author), then jurisdiction, with separators between them."""
    assert meta.find("time").text == date
    assert meta.find("a", href=f"{BASE}sources/{source.split(' (')[0].lower().replace(' – ', '-').replace(' ', '-')}/").text == source
    text = meta.text
    assert text.startswith(date) and text.endswith(jurisdiction), text
    between = [text[len(date):text.index(source)], text[text.index(source) + len(source):-len(jurisdiction)]]
    assert all(part.strip() for part in between), f"no separator in {text!r}"


def assert_in_order(doc: Node, nodes: list[Node]) -> None:
    positions = [position(doc, n) for n in nodes]
    assert positions == sorted(positions), [n.tag + ":" + n.text[:30] for n in sorted(nodes, key=lambda n: position(doc, n))]


def test_brief_page_key_points_summary_and_implications(tiny):
    doc = main(page(tiny, "briefs/alpha/"))
    kp_list = doc.one("h2", text="Key points").next_elements()
    ul = next(n for n in kp_list if n.tag == "ul")
    assert [li.text for li in ul.find_all("li")] == ["Key point with emphasis.", "Second key point."]
    assert ul.find("em").text == "emphasis"
    assert [p.text for p in doc.find_all("p") if p.text.startswith(("The summary", "A second"))] == [
        "The summary of alpha.", "A second paragraph."]
    items = doc.one("ul", data_implications=True).find_all("li")
    assert [li.text for li in items] == ["Monitor: Track the consultation.", "Implement: Update the register."]
    # each label is a badge linking to the legend page of that action
    assert [li.find("a").get("href") for li in items] == [f"{BASE}actions/monitor/", f"{BASE}actions/implement/"]
    assert items[1].find("strong").text == "register"


def test_brief_page_tags_link_by_slug_and_show_as_written(tiny):
    doc = main(page(tiny, "briefs/alpha/"))
    assert doc.one("a", href=f"{BASE}tags/llms/").text == "LLMs"
    assert doc.one("a", href=f"{BASE}tags/privacy/").text == "Privacy"
    assert doc.one("a", href=f"{BASE}issues/2026-w12/").text == "16 March 2026 – 22 March 2026"


def test_brief_page_previous_and_next(tiny):
    bravo = main(page(tiny, "briefs/bravo/"))
    prev, nxt = bravo.one("a", rel="prev"), bravo.one("a", rel="next")
    assert (prev.get("href"), prev.text) == (f"{BASE}briefs/charlie/", "Charlie brief")  # older
    assert (nxt.get("href"), nxt.text) == (f"{BASE}briefs/alpha/", "Alpha brief")  # newer
    assert main(page(tiny, "briefs/alpha/")).find("a", rel="next") is None
    assert main(page(tiny, "briefs/delta/")).find("a", rel="prev") is None


def test_brief_page_citation_is_in_the_reference_form(tiny):
    """Inline markup around punctuation is left to the next test; here the words are the point."""
    doc = main(page(tiny, "briefs/alpha/"))
    text = doc.one("pre").raw_text
    assert text == (
        '"Alpha brief"\n'
        "Source: Import AI – Substack (Jack Clark)\n"
        "Published: 16 March 2026\n"
        "URL: https://example.org/alpha\n"
        "The summary of alpha. A second paragraph.\n"
        "Implications for Australian agencies:\n"
        "- [Monitor] Track the consultation.\n"
        "- [Implement] Update the register.\n"
        "Retrieved from Test Digest, 16 March 2026."
    )
    assert doc.one("button").text == "Copy citation"


def test_citation_has_no_space_before_punctuation_after_inline_markup(project):
    from conftest import brief_text

    root = project({"content/briefs/x.md": brief_text(
        "Linked", body="Read [the report](https://example.org/r), then *act*.")})
    build(root)
    text = main(page(root / "site", "briefs/x/")).one("pre").raw_text
    assert "\nRead the report, then act.\n" in text


# -- catalogue ------------------------------------------------------------------

def test_catalogue_groups_by_week_newest_first_and_paginates(tiny):
    """Four briefs, two a page: the front page shows the newest two; archive pages are numbered
    from the oldest (page 1: the two oldest), so a full archive page never changes."""
    first = main(page(tiny, "briefs/"))
    assert [t for tag, t in headings(first) if tag == "h2"] == ["Week of 16 March 2026", "Week of 9 March 2026"]
    assert [a.get("href") for a in first.find_all("a") if a.get("href", "").startswith(f"{BASE}briefs/")
            and a.text.endswith("brief")] == [f"{BASE}briefs/alpha/", f"{BASE}briefs/bravo/"]
    assert first.one("a", rel="next").get("href") == f"{BASE}briefs/page/1/"
    assert first.find("a", rel="prev") is None
    oldest = main(page(tiny, "briefs/page/1/"))
    assert [t for tag, t in headings(oldest) if tag == "h2"] == ["Week of 9 March 2026", "Week of 2 March 2026"]
    assert oldest.one("a", rel="prev").get("href") == f"{BASE}briefs/page/2/"
    assert oldest.find("a", rel="next") is None
    newest = main(page(tiny, "briefs/page/2/"))
    assert newest.one("a", rel="prev").get("href") == f"{BASE}briefs/"
    assert newest.one("a", rel="next").get("href") == f"{BASE}briefs/page/1/"
    assert "Archive page 2" in newest.text
    assert not (tiny / "briefs/page/3").exists()


def test_catalogue_entry_has_date_source_and_labels(tiny):
    first = main(page(tiny, "briefs/"))
    card = next(a for a in first.find_all("a", href=f"{BASE}briefs/alpha/")).parent
    while card.find("time") is None:
        card = card.parent
    assert card.find("time").text == "16 March 2026"
    assert "Import AI – Substack (Jack Clark)" in card.text
    assert [a.text for a in card.find_all("a") if a.get("href", "").startswith(f"{BASE}actions/")] == ["Monitor", "Implement"]


# -- issues ---------------------------------------------------------------------

def test_issues_index_lists_weeks_with_range_count_and_first_sentence(tiny):
    doc = main(page(tiny, "issues/"))
    links = [a for a in doc.find_all("a") if a.get("href", "").startswith(f"{BASE}issues/2026-")]
    assert [a.get("href") for a in links] == [f"{BASE}issues/2026-w12/", f"{BASE}issues/2026-w11/", f"{BASE}issues/2026-w10/"]
    assert links[1].text == "9 March 2026 – 15 March 2026"
    item = links[1].parent.parent
    assert "2 briefs" in item.text
    assert "Regulators moved on two fronts this week." in item.text
    assert "Standards bodies" not in item.text  # only the first sentence
    assert "**" not in doc.text and "*two*" not in doc.text
    w10 = links[2].parent.parent
    assert "1 brief" in w10.text


def test_issue_page_has_title_range_editorial_and_sections_in_site_order(tiny):
    doc = main(page(tiny, "issues/2026-w11/"))
    assert doc.one("h1").text == "Weekly AI Digest"
    assert "9 March 2026 – 15 March 2026" in doc.text
    assert [t.get("datetime") for t in doc.find_all("time")][:2] == ["2026-03-09", "2026-03-15"]
    assert "This week at a glance" in [t for _, t in headings(doc)]
    assert "Regulators moved on two fronts this week. Standards bodies followed." in doc.text
    assert doc.find("strong", text="Regulators") is not None
    sections = [t for tag, t in headings(doc) if tag == "h2" and t != "This week at a glance"]
    assert sections == ["Australian Government", "Research & Safety"]  # site order; empty sections omitted


def test_issue_page_entries_are_numbered_each_with_its_disclaimer(tiny):
    doc = main(page(tiny, "issues/2026-w11/"))
    lists = doc.find_all("ol")
    entries = [li for ol in lists for li in ol.elements if li.tag == "li"]
    assert len(entries) == 2
    for li, (slug, title, imp) in zip(entries, [("charlie", "Charlie brief", "Monitor: Watch the next release."),
                                                ("bravo", "Bravo brief", "Consider: Weigh the findings.")]):
        assert li.find("a", href=f"{BASE}briefs/{slug}/").text == title
        assert li.find("time") is not None  # meta line
        imp_list = li.one("ul", data_implications=True)
        assert [x.text for x in imp_list.find_all("li")] == [imp]
        after = [n for n in imp_list.next_elements() if n in set(li.iter())]
        assert any(n.text == DISCLAIMER for n in after), f"no disclaimer after the implications of {slug}"
        assert "A summary of the item." in li.text


def test_issue_page_previous_and_next_issue(tiny):
    doc = main(page(tiny, "issues/2026-w11/"))
    assert doc.one("a", rel="prev").get("href") == f"{BASE}issues/2026-w10/"
    assert doc.one("a", rel="next").get("href") == f"{BASE}issues/2026-w12/"
    newest = main(page(tiny, "issues/2026-w12/"))
    assert newest.find("a", rel="next") is None


def test_every_week_with_a_brief_gets_an_issue_page_with_or_without_editorial(tiny):
    doc = main(page(tiny, "issues/2026-w10/"))
    assert doc.one("h1").text == "Weekly AI Digest"
    assert "This week at a glance" not in [t for _, t in headings(doc)]
    assert f"{BASE}briefs/delta/" in hrefs(doc)
    assert sorted(p.name for p in (tiny / "issues").iterdir() if p.is_dir()) == ["2026-w10", "2026-w11", "2026-w12"]


# -- tags, sources, actions -------------------------------------------------------

def test_tags_index_lists_every_tag_with_its_count(tiny):
    doc = main(page(tiny, "tags/"))
    links = {a.get("href"): a.text for a in doc.find_all("a") if a.get("href", "").startswith(f"{BASE}tags/")}
    assert {href: re.sub(r" \((\d+)( briefs?)?\)$", r" (\1)", text) for href, text in links.items()} == {
        f"{BASE}tags/llms/": "LLMs (2)", f"{BASE}tags/privacy/": "Privacy (3)"}, links


def test_tag_page_lists_its_briefs_paginated_with_a_feed(tiny):
    doc = main(page(tiny, "tags/privacy/"))
    assert "Privacy" in doc.one("h1").text
    assert [h for h in hrefs(doc) if h.startswith(f"{BASE}briefs/") and h != f"{BASE}briefs/"][:2] == [
        f"{BASE}briefs/alpha/", f"{BASE}briefs/charlie/"]
    assert doc.one("a", rel="next").get("href") == f"{BASE}tags/privacy/page/1/"
    oldest = main(page(tiny, "tags/privacy/page/1/"))
    assert f"{BASE}briefs/delta/" in hrefs(oldest)
    assert (tiny / "tags/privacy/feed.xml").is_file()
    assert not (tiny / "tags/drafting").exists()


def test_sources_index_and_source_page(tiny):
    doc = main(page(tiny, "sources/"))
    links = {a.get("href"): a.text for a in doc.find_all("a") if a.get("href", "").startswith(f"{BASE}sources/")}
    assert links == {f"{BASE}sources/example-source/": "Example Source",
                     f"{BASE}sources/import-ai-substack/": "Import AI – Substack"}
    assert "(3 briefs)" in links_parent_text(doc, f"{BASE}sources/example-source/")
    src = main(page(tiny, "sources/example-source/"))
    assert "Example Source" in src.one("h1").text
    assert f"{BASE}briefs/bravo/" in hrefs(src)
    assert f"{BASE}briefs/alpha/" not in hrefs(src)


def links_parent_text(doc: Node, href: str) -> str:
    return doc.one("a", href=href).parent.text


def test_actions_legend_in_site_order_with_descriptions_and_counts(tiny):
    doc = main(page(tiny, "actions/"))
    terms = [dt.text for dt in doc.find_all("dt")]
    assert terms == ["Implement", "Decide", "Consider", "Monitor"]
    descriptions = [dd.text for dd in doc.find_all("dd")]
    assert descriptions[0].startswith("Act on this now.") and "1 implication" in descriptions[0]
    assert "2 implications" in descriptions[3]  # Monitor: alpha and charlie
    assert DISCLAIMER in doc.text


def test_action_page_lists_every_implication_with_that_label_newest_first(tiny):
    doc = main(page(tiny, "actions/monitor/"))
    items = doc.one("ul", data_implications=True).elements
    assert [li.find("a", href=f"{BASE}actions/monitor/").text for li in items] == ["Monitor", "Monitor"]
    assert [[a.get("href") for a in li.find_all("a")][-1] for li in items] == [f"{BASE}briefs/alpha/", f"{BASE}briefs/charlie/"]
    assert items[0].text.startswith("Monitor: Track the consultation.")
    assert any(n.text == DISCLAIMER for n in doc.one("ul", data_implications=True).next_elements())
    empty = main(page(tiny, "actions/implement/"))
    assert len(empty.one("ul", data_implications=True).elements) == 1


# -- plain pages, 404, robots, drafts ----------------------------------------------

def test_plain_page_at_its_own_folder_and_in_the_navigation(tiny):
    doc = page(tiny, "about/")
    assert main(doc).one("h1").text == "About this digest"
    assert "We read the sources so you do not have to." in main(doc).text
    nav = doc.find("nav", aria_label="Main")
    assert nav is not None and f"{BASE}about/" in hrefs(nav)


def test_404_page_links_home_with_the_base_path(tiny):
    doc = read_html(tiny / "404.html")
    assert main(doc).one("h1").text == "Page not found"
    assert f"{BASE}" in hrefs(main(doc))
    assert doc.find("link", rel="canonical") is None


def test_robots_txt_disallows_by_default_and_allows_when_configured(tiny, project):
    assert (tiny / "robots.txt").read_text().splitlines()[-2:] == ["User-agent: *", "Disallow: /"]
    root = project({"content/briefs/x.md": FILES["content/briefs/bravo.md"]},
                   site_yaml=SITE_YAML + "robots: allow\n")
    build(root)
    lines = (root / "site/robots.txt").read_text().splitlines()
    assert "Allow: /" in lines and "Disallow: /" not in lines
    assert "Sitemap: https://intranet.example.gov.au/digest/sitemap.xml" in lines


def test_drafts_are_built_only_with_drafts(tiny, tiny_with_drafts):
    assert not (tiny / "briefs/echo-draft").exists()
    assert "Echo draft" not in (tiny / "feed.xml").read_text()
    doc = main(page(tiny_with_drafts, "briefs/echo-draft/"))
    assert doc.one("h1").text == "Echo draft"
    assert "Draft" in doc.text
    assert f"{BASE}briefs/echo-draft/" in hrefs(main(page(tiny_with_drafts, "issues/2026-w11/")))


def test_dates_are_australian_government_style_with_iso_datetime(tiny):
    for t in main(page(tiny, "briefs/")).find_all("time"):
        day, month, year = t.text.split(" ")
        assert day.isdigit() and not day.startswith("0") and month.isalpha() and year.isdigit(), t.text
        assert len(t.get("datetime")) == 10 and t.get("datetime")[4] == "-"
