"""`digest ingest` end to end: a local feed server in, draft brief files out."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from generator.config import load_config
from generator.load import find_content
from generator.validate import validate_content
from test_ingest_helpers import FEEDS, FeedServer, Route, drafts, make_site, run_ingest

EXISTING_BRIEF = """\
---
title: Open weights, closed questions
standfirst: An earlier brief on the same newsletter issue.
source:
  name: Model Notes
  url: HTTP://ModelNotes.example.com/p/model-notes-211/?utm_source=email#comments
published: 2025-11-11
tags: [open-weights]
key_points: ["Already written by hand."]
implications:
  - {action: Monitor, text: "Nothing yet."}
---
Written by an editor.
"""


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


@pytest.fixture
def site(tmp_path, server):
    server.feed("/substack.xml", "substack-newsletter.xml", etag='"abc123"')
    server.feed("/gov.xml", "gov-media-releases.xml")
    server.routes["/old-gov.xml"] = Route(status=301, headers={"Location": server.url("/gov.xml")})
    server.routes["/broken.xml"] = Route(status=500, body=b"database is down")
    server.routes["/slow.xml"] = Route(body=(FEEDS / "rss1-rdf.xml").read_bytes(), delay=3)
    server.feed("/atom.xml", "atom-research-blog.xml")
    root = make_site(tmp_path / "site", [
        {"name": "Model Notes", "feed": server.url("/substack.xml"), "author": "Model Notes editors",
         "section": "Research & Safety", "jurisdiction": "Global", "tags": ["research", "evaluation"]},
        {"name": "Digital Agency – Media Releases", "feed": server.url("/old-gov.xml"),
         "section": "Australian Government", "jurisdiction": "AU", "tags": ["governance"]},
        {"name": "Broken Source", "feed": server.url("/broken.xml")},
        {"name": "Slow Source", "feed": server.url("/slow.xml")},
        {"name": "Safety Lab", "feed": server.url("/atom.xml"), "tags": ["ai-safety"]},
    ])
    (root / "content" / "briefs" / "2025").mkdir(parents=True)
    (root / "content" / "briefs" / "2025" / "open-weights.md").write_text(EXISTING_BRIEF, encoding="utf-8")
    return root


def table_row(out: str, name: str) -> list[str]:
    line = next(line for line in out.splitlines() if line.startswith(name + "  "))
    return line[len(name):].split()


def test_first_run_writes_drafts_and_reports_each_source(site, server, capsys):
    assert run_ingest(site, "--timeout", "0.5") == 0
    out, err = capsys.readouterr()
    written = drafts(site)
    undated_path = next(p for p in written if p.endswith("/statement-on-the-ai-assurance-framework-pilot.md"))
    assert sorted(p for p in written if p != undated_path) == [
        "content/briefs/2025/ai-fundamentals-training-now-available-to-all-staff.md",
        "content/briefs/2025/evaluation-awareness-in-frontier-models.md",
        "content/briefs/2025/model-notes-205-a-year-of-model-cards.md",
        "content/briefs/2025/model-notes-212-agents-audits-the-long-tail-of-evaluation.md",
        "content/briefs/2025/open-weights.md",
        "content/briefs/2025/red-teaming-agents-lessons-from-twelve-exercises.md",
        "content/briefs/2025/updated-policy-for-the-responsible-use-of-ai-in-government.md",
    ]
    today_in_sydney = dt.datetime.now(ZoneInfo("Australia/Sydney")).date()
    assert undated_path == f"content/briefs/{today_in_sydney.year}/statement-on-the-ai-assurance-framework-pilot.md"
    front, body = written["content/briefs/2025/model-notes-212-agents-audits-the-long-tail-of-evaluation.md"]
    assert front == {
        "title": "Model Notes #212: Agents, audits & the long tail of evaluation",
        "standfirst": "Welcome back. This week: agent evaluations, a new audit protocol from a university group, "
                      "and a note on compute reporting.",
        "source": {
            "name": "Model Notes",
            "author": "Priya Natarajan",
            "url": "https://modelnotes.example.com/p/model-notes-212?utm_source=substack&utm_medium=email&utm_campaign=post",
        },
        "published": dt.date(2025, 11, 18),  # 13:30 UTC on the 17th is the 18th in Sydney
        "tags": ["research", "evaluation"],
        "section": "Research & Safety",
        "jurisdiction": "Global",
        "key_points": ["TODO: key point"],
        "implications": [{"action": "Monitor", "text": "TODO: implication for agencies"}],
        "draft": True,
    }
    assert body.startswith("\nWelcome back. This week: agent evaluations, a **new audit protocol**")
    assert "- Failures cluster in long multi-step tasks.\n- Most benchmarks" in body
    assert "email address" not in body and "Subscribe now" not in body  # the signup form is gone

    teaser, _ = written["content/briefs/2025/updated-policy-for-the-responsible-use-of-ai-in-government.md"]
    assert teaser["caveats"] == ["The feed gave only a teaser; read the full text at the source before summarising."]
    assert teaser["published"] == dt.date(2025, 11, 12) and teaser["section"] == "Australian Government"
    undated, _ = written[undated_path]
    assert undated["published"] == today_in_sydney
    assert "The feed gave no publication date; check the date." in undated["caveats"]
    assert undated["source"]["url"] == "https://www.agency.example.gov.au/news/media-releases/assurance-framework-pilot"

    # The brief already in content/ (same URL once normalised) was not drafted again.
    assert table_row(out, "Model Notes") == ["2", "1", "0", "0"]
    assert table_row(out, "Digital Agency – Media Releases") == ["3", "0", "0", "0"]
    assert table_row(out, "Broken Source") == ["0", "0", "0", "1"]
    assert table_row(out, "Slow Source") == ["0", "0", "0", "1"]
    assert "error: HTTP 500 Internal Server Error" in out and "error: timed out after 0.5s" in out
    assert "fetching Model Notes" in err and "[5/5]" in err


def test_a_second_run_creates_nothing_and_sends_the_etag(site, server, capsys):
    run_ingest(site, "--timeout", "0.5")
    before = {p: (site / p).read_bytes() for p in drafts(site)}
    capsys.readouterr()
    assert run_ingest(site, "--timeout", "0.5") == 0
    out, _ = capsys.readouterr()
    assert {p: (site / p).read_bytes() for p in drafts(site)} == before
    assert server.hits("/substack.xml")[1].headers["If-None-Match"] == '"abc123"'
    assert "not modified since the last run" in out
    assert table_row(out, "Digital Agency – Media Releases") == ["0", "3", "0", "0"]
    state = json.loads((site / ".digest-cache" / "ingest-state.json").read_text())
    assert state["feeds"][server.url("/substack.xml")] == {"etag": '"abc123"'}
    assert not (site / "content" / ".ingest-state.json").exists()


def test_dry_run_writes_nothing(site, capsys):
    assert run_ingest(site, "--dry-run", "--source", "Model Notes") == 0
    out, _ = capsys.readouterr()
    assert list(drafts(site)) == ["content/briefs/2025/open-weights.md"]
    assert not (site / ".digest-cache").exists()
    assert "would write content/briefs/2025/model-notes-212-agents-audits-the-long-tail-of-evaluation.md" in out


def test_a_deleted_draft_comes_back_only_with_force(site, capsys):
    run_ingest(site, "--source", "Safety Lab")
    target = site / "content/briefs/2025/red-teaming-agents-lessons-from-twelve-exercises.md"
    original = target.read_bytes()
    target.unlink()
    run_ingest(site, "--source", "Safety Lab")
    assert not target.exists()
    capsys.readouterr()
    assert run_ingest(site, "--source", "Safety Lab", "--force") == 0
    assert target.read_bytes() == original
    assert table_row(capsys.readouterr()[0], "Safety Lab") == ["1", "1", "0", "0"]


def test_since_skips_older_entries(site, capsys):
    assert run_ingest(site, "--source", "Model Notes", "--since", "2025-11-01") == 0
    assert table_row(capsys.readouterr()[0], "Model Notes") == ["1", "1", "1", "0"]
    assert not (site / "content/briefs/2025/model-notes-205-a-year-of-model-cards.md").exists()


def test_limit_writes_the_newest_and_leaves_the_rest_for_later(site, server, capsys):
    assert run_ingest(site, "--source", "Model Notes", "--limit", "1") == 0
    out, _ = capsys.readouterr()
    assert table_row(out, "Model Notes") == ["1", "1", "0", "0"]
    assert "wrote content/briefs/2025/model-notes-212" in out
    assert "1 more new entries left for a later run (--limit)" in out
    # The feed was cut short, so its ETag is not remembered: the next run reads it again.
    assert run_ingest(site, "--source", "Model Notes") == 0
    assert "If-None-Match" not in server.hits("/substack.xml")[1].headers
    assert table_row(capsys.readouterr()[0], "Model Notes") == ["1", "2", "0", "0"]


def test_every_source_failing_exits_1(site, capsys):
    assert run_ingest(site, "--source", "Broken Source", "--source", "Slow Source", "--timeout", "0.5") == 1
    assert drafts(site).keys() == {"content/briefs/2025/open-weights.md"}


def test_drafts_pass_validation(site):
    run_ingest(site, "--timeout", "0.5")
    cfg, diags = load_config(site)
    assert diags == []
    loaded = find_content(site)
    content, diags = validate_content(loaded.files, cfg, dt.date(2025, 11, 20))
    assert [d.format() for d in diags if d.severity == "error"] == []
    assert len(content.briefs) == 8


def test_local_files_and_urls_given_on_the_command_line(tmp_path, server, capsys):
    root = make_site(tmp_path / "site")
    url = server.feed("/rss1.xml", "rss1-rdf.xml")
    assert run_ingest(root, str(FEEDS / "atom-research-blog.xml"), url) == 0
    out, _ = capsys.readouterr()
    assert table_row(out, "Safety Lab Blog") == ["2", "0", "0", "0"]
    assert table_row(out, "Standards Body – News") == ["2", "0", "0", "0"]
    front, _ = drafts(root)["content/briefs/2025/draft-ai-risk-profile-open-for-comment.md"]
    assert front["source"]["name"] == "Standards Body – News" and front["published"] == dt.date(2025, 10, 22)


@pytest.mark.parametrize("argv, message", [
    (["--source", "Nobody"], "no source named 'Nobody'"),
    (["file:///etc/passwd"], "only http(s) URLs and paths of local files"),
    (["no-such-feed.xml"], "no such file"),
])
def test_usage_errors_exit_2(site, capsys, argv, message):
    assert run_ingest(site, *argv) == 2
    assert message in capsys.readouterr().err


def test_a_broken_registry_is_reported_with_its_position(tmp_path, capsys):
    root = make_site(tmp_path / "site")
    (root / "content" / "sources.yaml").write_text("- name: A\n  feed: https://a.org/rss\n  colour: red\n")
    assert run_ingest(root) == 1
    assert "content/sources.yaml:3:3: error: [0].colour: unknown field" in capsys.readouterr().err
