"""The disclaimer invariant: every rendered list of implications is followed by the fixed line.

"Implications are AI-generated. Starting points, not advice." lives in the
generator, not in content or templates' text. The build checks its own
output, so a site whose layouts drop or move it fails to build, with a clear
message, and the previous site/ is left exactly as it was.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from conftest import REPO, brief_text, build
from generator import DISCLAIMER
from generator.diagnostics import ContentError
from htmlquery import Node, parse_html, read_html

ACTIONS = ("Implement", "Decide", "Consider", "Monitor")


def test_the_disclaimer_is_fixed_in_the_generator():
    assert DISCLAIMER == "Implications are AI-generated. Starting points, not advice."


def disclaimer_follows(lst: Node) -> bool:
    """The disclaimer is the text of an element after the list, before the next implications list."""
    for n in lst.next_elements():
        if n.has("data-implications") or (n.tag in ("ul", "ol") and _looks_like_implications(n)):
            return False
        if n.text == DISCLAIMER:
            return True
    return False


def _looks_like_implications(lst: Node) -> bool:
    items = [li for li in lst.elements if li.tag == "li"]
    return bool(items) and all(li.text.split(":")[0] in ACTIONS for li in items)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_implications_list_in_the_sample_site_is_followed_by_the_disclaimer(sample_site):
    lists_seen = 0
    kinds = set()
    for page in sorted(sample_site.rglob("*.html")):
        doc = read_html(page)
        marked = doc.find_all(data_implications=True)
        # a list that reads like implications but is not marked would escape the build's check
        unmarked = [n for n in doc.find_all("ul") + doc.find_all("ol")
                    if not n.has("data-implications") and _looks_like_implications(n)]
        assert not unmarked, f"{page}: implications list without data-implications"
        for lst in marked:
            assert disclaimer_follows(lst), f"{page.relative_to(sample_site)} line {lst.line}: no disclaimer after the implications"
        if marked:
            kinds.add(page.relative_to(sample_site).parts[0])
        lists_seen += len(marked)
    assert {"briefs", "issues", "actions"} <= kinds
    assert lists_seen > 28 * 2  # every brief on its page and in its issue, plus the action pages


def test_every_feed_entry_carries_the_disclaimer_after_its_implications(sample_site):
    feed = feedparser.parse(str(sample_site / "feed.xml"))
    assert feed.entries
    for entry in feed.entries:
        doc = parse_html(entry.content[0].value, strict=False)
        text = doc.text
        assert DISCLAIMER in text, entry.title
        last_implication = max(text.rfind(f"{a}: ") for a in ACTIONS)
        assert last_implication >= 0 and text.rfind(DISCLAIMER) > last_implication, entry.title


def test_every_json_feed_item_carries_the_disclaimer(sample_site):
    items = json.loads((sample_site / "feed.json").read_text(encoding="utf-8"))["items"]
    assert items
    for item in items:
        doc = parse_html(item["content_html"])
        lists = doc.find_all(data_implications=True)
        assert lists and all(disclaimer_follows(lst) for lst in lists), item["id"]


DROPPED = """\
<section>
<h{{ heading_level }}>{{ heading or ('Implications for ' ~ site.audience) }}</h{{ heading_level }}>
<ul data-implications>
{% for imp in b.implications %}<li>{{ imp.action }}: {{ imp.html }}</li>{% endfor %}
</ul>
</section>
"""

MOVED_BEFORE = DROPPED.replace("<ul data-implications>", "<p>{{ DISCLAIMER }}</p>\n<ul data-implications>")

SOFTENED = DROPPED.replace("</ul>", "</ul>\n<p>Implications are AI-generated.</p>")


def macros_with(body: str) -> str:
    """The default _macros.html with the body of its implications macro replaced (its signature kept)."""
    text = (REPO / "layouts/_macros.html").read_text(encoding="utf-8")
    start = text.index("{% macro implications")
    start = text.index("\n", start) + 1
    end = text.index("{%- endmacro %}", start)
    return text[:start] + body + text[end:]


@pytest.fixture
def built_site(project):
    root = project({"content/briefs/a.md": brief_text("A"), "content/briefs/b.md": brief_text("B", published="2026-03-09")})
    build(root)
    return root


@pytest.mark.parametrize("override", [DROPPED, MOVED_BEFORE, SOFTENED], ids=["dropped", "moved-before", "softened"])
def test_a_macros_override_without_the_disclaimer_fails_the_build_and_leaves_site_untouched(built_site, override):
    before = snapshot(built_site / "site")
    (built_site / "layouts").mkdir()
    (built_site / "layouts/_macros.html").write_text(macros_with(override), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(built_site)
    messages = [d.format() for d in info.value.diagnostics]
    assert any("site/briefs/a/index.html" in m and DISCLAIMER in m for m in messages), messages
    assert any("issues/" in m for m in messages)  # the issue page's entries too
    assert snapshot(built_site / "site") == before
    assert not [p for p in built_site.iterdir() if p.name.startswith(".site.tmp")]


def test_a_page_template_without_the_disclaimer_fails_the_build(built_site):
    action = (REPO / "layouts/action.html").read_text(encoding="utf-8")
    assert "{{ DISCLAIMER }}" in action
    (built_site / "layouts").mkdir()
    (built_site / "layouts/action.html").write_text(action.replace("{{ DISCLAIMER }}", ""), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(built_site)
    assert sorted(d.path for d in info.value.diagnostics) == [
        f"site/actions/{a.lower()}/index.html" for a in sorted(ACTIONS)]


def test_a_feed_template_without_the_disclaimer_fails_the_build(built_site):
    """The feed pastes each brief's entry; an override that pastes its own implications must keep the line."""
    feed = (REPO / "layouts/feed.xml").read_text(encoding="utf-8")
    own = ('<content type="html">&lt;ul data-implications&gt;{% for imp in v.implications %}&lt;li&gt;{{ imp.text }}'
           '&lt;/li&gt;{% endfor %}&lt;/ul&gt;</content>')
    lines = [own if line.startswith("<content") else line for line in feed.splitlines()]
    (built_site / "layouts").mkdir()
    (built_site / "layouts/feed.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(built_site)
    assert "site/feed.xml" in [d.path for d in info.value.diagnostics]


def test_the_command_line_names_the_page_and_leaves_the_site(built_site):
    before = snapshot(built_site / "site")
    (built_site / "layouts").mkdir()
    (built_site / "layouts/_macros.html").write_text(macros_with(DROPPED), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--root", str(built_site), "--no-search"],
                         capture_output=True, text=True, cwd=built_site)
    assert run.returncode == 1
    output = run.stdout + run.stderr
    assert "Traceback" not in output
    assert "site/briefs/a/index.html" in output and DISCLAIMER in output
    assert "layouts/_macros.html" in output  # where to fix it
    assert snapshot(built_site / "site") == before


def test_a_runtime_error_in_a_template_override_is_a_template_error(built_site):
    text = (REPO / "layouts/_macros.html").read_text(encoding="utf-8")
    broken = re.sub(r"\{% macro implications\([^)]*\)", "{% macro implications(b)", text)
    (built_site / "layouts").mkdir()
    (built_site / "layouts/_macros.html").write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(built_site)
    [d] = info.value.diagnostics
    assert d.path.endswith((".html", ".xml")) and d.line > 0 and "legend" in d.message, d.format()


def test_a_template_that_drops_the_marker_too_still_fails_the_build(built_site):
    unmarked = DROPPED.replace("<ul data-implications>", "<ul>")
    (built_site / "layouts").mkdir()
    (built_site / "layouts/_macros.html").write_text(macros_with(unmarked), encoding="utf-8")
    with pytest.raises(ContentError):
        build(built_site)


def test_an_email_template_that_drops_the_implications_and_the_line_fails_the_build(built_site):
    """An email edition must show one implications list, and the line, per brief of its week."""
    part = (REPO / "layouts/email/_brief.html").read_text(encoding="utf-8")
    start, end = part.index("<ul data-implications>"), part.index('<p class="more">')
    (built_site / "layouts/email").mkdir(parents=True)
    (built_site / "layouts/email/_brief.html").write_text(part[:start] + part[end:], encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build(built_site)
    assert [d.path for d in info.value.diagnostics if d.path.endswith("email.html")]
