"""A drafted, reviewed brief in Chromium: the provenance line sits under the disclaimer,
is readable in both colour schemes, and the page still has no WCAG 2.2 AA violations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, build, serve_folder
from fake_llm import Answer, FakeLLM, completion
from generator.cli import main

FEED = REPO / "tests" / "fixtures" / "feeds" / "gov-media-releases.xml"
DRAFTED = "content/briefs/2025/updated-policy-for-the-responsible-use-of-ai-in-government.md"
SLUG = "updated-policy-for-the-responsible-use-of-ai-in-government"
REVIEWER = "Sam Editor"
REPLY = {
    "standfirst": "Version 2.0 of the whole-of-government AI policy makes transparency statements and "
                  "accountable officials obligations for every agency.",
    "key_points": [
        "The Digital Agency has released version 2.0 of the policy for the responsible use of AI in government.",
        "Agencies must now publish **transparency statements**.",
        "Each agency must nominate **accountable officials**.",
    ],
    "summary": "The Digital Agency has released version 2.0 of its policy for the responsible use of AI in "
               "government.\n\nUnder the updated policy, agencies must publish transparency statements and "
               "nominate accountable officials. The feed item is a short announcement: read the policy itself "
               "for dates and detail.",
    "implications": [
        {"action": "Implement", "text": "Confirm who the agency's accountable officials are and when its "
                                        "transparency statement is due."},
        {"action": "Monitor", "text": "Watch for guidance on what a complete transparency statement contains."},
    ],
    "tags": ["policy", "transparency"],
}


def drafted_sample(root: Path, model: str = "gpt-4o-mini-2024-07-18") -> Path:
    """The sample site plus one brief ingested from a feed file, drafted by `digest draft`
    against a local server, then reviewed: the path a real brief takes."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "layouts", root / "layouts")
    with FakeLLM(default=Answer(body=completion(REPLY, model=model))) as llm:
        with open(root / "content" / "site.yaml", "a", encoding="utf-8") as fh:
            fh.write(f"drafting:\n  endpoint: {llm.endpoint}\n  model: gpt-4o-mini\n")
        assert main(["ingest", "--root", str(root), str(FEED)]) == 0
        old = os.environ.get("DIGEST_LLM_API_KEY")
        os.environ["DIGEST_LLM_API_KEY"] = "sk-local-test"
        try:
            assert main(["draft", "--root", str(root), str(root / DRAFTED)]) == 0
        finally:
            if old is None:
                del os.environ["DIGEST_LLM_API_KEY"]
            else:
                os.environ["DIGEST_LLM_API_KEY"] = old
    path = root / DRAFTED
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", f"reviewed_by: {REVIEWER}"),
                    encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = drafted_sample(tmp_path_factory.mktemp("drafted"))
    build(root, root / "site")
    base, stop = serve_folder(root / "site", "/ai-digest/")
    yield base + f"briefs/{SLUG}/"
    stop()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_provenance_line_follows_the_disclaimer_and_passes_axe(browser, served, scheme):
    from test_accessibility import axe_violations

    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served)
    note = page.locator(".implications .disclaimer + .provenance")
    note.wait_for(state="visible")
    assert note.inner_text() == f"Drafted with gpt-4o-mini-2024-07-18; reviewed by {REVIEWER}."
    assert page.locator("h1").inner_text() == "Updated policy for the responsible use of AI in government"
    assert page.locator(".key-points li").count() == 3
    assert axe_violations(page) == []
    context.close()
