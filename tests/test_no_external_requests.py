"""Nothing a reader opens asks another server for anything.

A real Chromium visits every page kind (and a search with results) and records
every request it makes; each must go to the site's own origin. A page that
tried a web font, an analytics beacon or an outside image would fail here.
"""

from __future__ import annotations

from page_kinds import origin, served  # noqa: F401  (fixture)

LOCAL_SCHEMES = ("data:", "blob:", "about:")


def test_every_request_on_every_page_kind_stays_on_the_origin(browser, served):
    base, kinds = served
    home = origin(base)
    context = browser.new_context()
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    for path in [*kinds.values(), "search/?q=agencies"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    context.close()
    outside = sorted({u for u in seen if not u.startswith(LOCAL_SCHEMES) and origin(u) != home})
    assert len(seen) > len(kinds), "requests were recorded"
    assert any(u.endswith("assets/style.css") for u in seen)
    assert not outside, outside


def test_the_recorder_sees_a_request_to_another_origin(browser, served):
    """The check can fail: a page that loads an outside image is caught."""
    base, _ = served
    page = browser.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.route("http://elsewhere.invalid/**", lambda route: route.abort())
    page.set_content('<img src="http://elsewhere.invalid/pixel.png" alt="">')
    page.close()
    assert any(origin(u) == "http://elsewhere.invalid" for u in seen)
