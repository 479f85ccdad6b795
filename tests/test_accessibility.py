"""Accessibility of every page kind, checked in a real Chromium.

axe-core's WCAG 2.2 A and AA rules must find nothing on any page kind, in light
and dark colour schemes, on a desktop and a phone. The rest checks what axe
cannot: a working skip link, a visible focus ring, one h1, landmarks, and that
labels and meta fields read as words ("Implement: ...", ", source: ...") in
plain text, where screen readers and copy-paste meet them.
"""

from __future__ import annotations

import re

import pytest

from page_kinds import TAGS_WCAG_22_AA, served  # noqa: F401  (fixture)

WIDTHS = [1280, 375]
SCHEMES = ["light", "dark"]


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": TAGS_WCAG_22_AA}})
    found = []
    for v in result.response["violations"]:
        for node in v["nodes"]:
            found.append(f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary']}")
    return found


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_no_wcag_22_aa_violations_on_any_page_kind(browser, served, scheme, width):
    base, kinds = served
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    problems = {}
    try:
        for kind, path in kinds.items():
            page.goto(base + path)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            found = axe_violations(page)
            if found:
                problems[kind] = found
        # search with results on screen, as a reader sees it
        page.goto(base + "search/?q=agencies")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        found = axe_violations(page)
        if found:
            problems["search results"] = found
    finally:
        context.close()
    assert not problems, "\n".join(f"{k}: {v}" for k, vs in problems.items() for v in vs)


def test_axe_catches_a_real_problem(browser):
    """The checker itself works here: a page with a contrast failure and an unlabelled field is caught."""
    page = browser.new_page()  # about:blank: no CSP, so the inline style applies
    page.set_content('<html><head><title>x</title></head><body><main><h1>x</h1>'
                     '<p style="color:#bbb;background:#fff">faint</p><input type="text"></main></body></html>')
    ids = {v.split(" ")[0] for v in axe_violations(page)}
    page.close()
    assert {"color-contrast", "label"} <= ids


def test_every_page_kind_has_lang_one_h1_landmarks_and_marking(browser, served):
    base, kinds = served
    page = browser.new_page()
    for kind, path in kinds.items():
        page.goto(base + path)
        facts = page.evaluate("""() => ({
            lang: document.documentElement.lang,
            h1: document.querySelectorAll('h1').length,
            main: document.querySelectorAll('main').length,
            banner: document.querySelectorAll('body > header').length,
            footer: document.querySelectorAll('body > footer').length,
            nav: document.querySelectorAll('nav[aria-label="Main"]').length,
            search: document.querySelectorAll('[role=search] input[type=search]').length,
            markings: [...document.querySelectorAll('.marking')].map(m => m.innerText.trim()),
            title: document.title,
        })""")
        assert facts["lang"] == "en-AU", kind
        assert facts["h1"] == 1, f"{kind}: {facts['h1']} h1 elements"
        assert (facts["main"], facts["banner"], facts["footer"], facts["nav"]) == (1, 1, 1, 1), kind
        assert facts["search"] >= 1, f"{kind}: no search box"
        assert facts["markings"] == ["OFFICIAL", "OFFICIAL"], kind
        assert facts["title"].endswith("SIMS"), kind
    page.close()


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(browser, served):
    base, kinds = served
    page = browser.new_page()
    page.goto(base + kinds["brief"])
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect(), s = getComputedStyle(el);
        return {text: el.innerText, href: el.getAttribute('href'), visible: box.width > 1 && box.top >= 0,
                outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
    }""")
    assert focused["text"] == "Skip to main content" and focused["href"] == "#main"
    assert focused["visible"], "the skip link must appear when focused"
    assert focused["outline"] != "none" and focused["width"] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert inside, "after the skip link, Tab continues inside the main content"
    page.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_link_and_control_shows_a_focus_ring(browser, served, scheme):
    base, kinds = served
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(base + kinds["brief"])
    missing = []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement; const s = getComputedStyle(el);
            return {tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
                    ok: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
        }""")
        if info["tag"] == "BODY":
            break
        if not info["ok"]:
            missing.append(info)
    context.close()
    assert not missing, missing


def test_labels_and_meta_fields_read_as_words_in_plain_text(browser, served):
    base, kinds = served
    page = browser.new_page()
    page.goto(base + kinds["brief"])
    items = page.eval_on_selector_all("[data-implications] li", "els => els.map(e => e.innerText)")
    assert items
    for text in items:
        assert re.match(r"^(Implement|Decide|Consider|Monitor): \S", text), text
    meta = page.inner_text("main .meta")
    assert re.match(r"^\d{1,2} [A-Z][a-z]+ \d{4}, source: \S.*(, jurisdiction: [A-Za-z]+)?$", meta), meta
    page.goto(base)
    labels = page.eval_on_selector_all(".card-labels", "els => els.map(e => e.innerText)")
    assert labels
    for text in labels:
        assert re.match(r"^Action labels: [A-Z][a-z]+(, [A-Z][a-z]+)*$", text), text
    page.close()


def test_action_labels_are_links_with_text_to_their_legend(browser, served):
    base, kinds = served
    page = browser.new_page()
    page.goto(base + kinds["brief"])
    labels = page.eval_on_selector_all(
        "[data-implications] .label", "els => els.map(e => [e.innerText, e.getAttribute('href')])")
    for text, href in labels:
        assert href.endswith(f"actions/{text.lower()}/")
    assert page.locator("a", has_text="What the action labels mean").count() >= 1
    page.close()


@pytest.mark.parametrize("width", [320, 375])
def test_no_sideways_scrolling_on_a_small_phone(browser, served, width):
    base, kinds = served
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    wide = {}
    for kind, path in kinds.items():
        page.goto(base + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide[kind] = scroll
    context.close()
    assert not wide, f"wider than {width}px: {wide}"
