"""A brief prints on one A4 page, with everything a reader needs and no site chrome.

Chromium prints each brief of the sample to PDF with the print stylesheet; the
PDF's page objects are counted from its bytes. Print media is then emulated to
check what shows and what does not.
"""

from __future__ import annotations

import re

from page_kinds import all_briefs, served  # noqa: F401  (fixture)

PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")

SHOWN = {
    "title": "main h1",
    "source and date": "main .meta",
    "standfirst": "main .standfirst",
    "key points": "main .key-points",
    "summary": "main .summary",
    "implications": "main [data-implications]",
    "disclaimer": "main .disclaimer",
    "citation": "main .citation-text",
    "marking at the top": "body > .marking:first-of-type",
    "marking at the bottom": "body > .marking:last-of-type",
}
HIDDEN = {
    "navigation": ".site-nav",
    "header and search": ".site-header",
    "breadcrumbs": ".breadcrumbs",
    "footer": ".site-footer",
    "previous and next": ".prev-next",
    "skip link": ".skip-link",
}


def pdf_pages(pdf: bytes) -> int:
    return len(PAGE_OBJECT.findall(pdf))


def test_every_sample_brief_prints_on_one_a4_page(browser, served, sample_site):
    base, _ = served
    page = browser.new_page()
    page.emulate_media(media="print")
    counts = {}
    for slug in all_briefs(sample_site):
        page.goto(base + f"briefs/{slug}/")
        counts[slug] = pdf_pages(page.pdf(format="A4"))
    page.close()
    assert counts and all(n >= 1 for n in counts.values())
    assert {s: n for s, n in counts.items() if n != 1} == {}


def test_page_counting_sees_a_second_page(browser, served):
    """The counter works: a long document gives more than one page."""
    page = browser.new_page()
    page.set_content("<p>line</p>" * 300)
    assert pdf_pages(page.pdf(format="A4")) > 1
    page.close()


def test_print_shows_the_brief_and_hides_the_site_chrome(browser, served):
    base, kinds = served
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto(base + kinds["brief"])
    missing = [name for name, sel in SHOWN.items() if not page.locator(sel).first.is_visible()]
    shown = [name for name, sel in HIDDEN.items() if page.locator(sel).first.is_visible()]
    assert (missing, shown) == ([], [])
    assert "OFFICIAL" in page.inner_text("body > .marking:first-of-type")
    assert page.evaluate("document.querySelectorAll('[role=search]').length") >= 1
    assert not page.locator("[role=search]").first.is_visible(), "search is not printed"
    text = page.inner_text("main [data-implications] li")
    assert re.match(r"^(Implement|Decide|Consider|Monitor): ", text), text
    page.close()
