"""`digest draft` against a local OpenAI-compatible server: what it sends, what it writes,
and every way a bad answer, a missing key or a too-sensitive brief leaves the files alone."""

from __future__ import annotations

import copy
import json
import re
import shutil
import time

import pytest
import yaml

import generator.commands.draft as draft_command
from conftest import SITE_YAML, brief_text, build, make_project
from fake_llm import CHAT_PATH, GOOD_REPLY, Answer, FakeLLM, completion
from generator.cli import main
from generator.draft.client import RetryPolicy

KEY = "sk-test-Zq9-never-show-me"
PROMPT = "You draft briefs. Answer with JSON only.\n"
BRIEF = "content/briefs/2026/ai-procurement-guidance.md"
OTHER = "content/briefs/2026/earlier-brief.md"

# What `digest ingest` writes for a feed entry with text, plus a comment an editor added.
INGESTED = """\
---
title: Guidance on buying AI services
standfirst: 'TODO: one sentence on why this matters to agencies.'
source:
  name: Digital Agency – Media Releases
  author: Digital Agency
  url: https://www.agency.example.gov.au/news/ai-procurement
published: 2026-03-10
tags:
- unsorted
# editor: check this one with the procurement team
section: Australian Government
key_points:
- 'TODO: key point'
implications:
- action: Monitor
  text: 'TODO: implication for agencies'
caveats:
- The feed gave only a teaser; read the full text at the source before summarising.
draft: true
---

The agency has published guidance for buying AI services. It covers planning, tendering and contract management.
"""


def drafting_yaml(endpoint: str, **settings) -> str:
    values = {"endpoint": endpoint, "model": "test-model", "max_marking": "OFFICIAL",
              "prompt": "content/prompts/brief.md", "timeout": 2, **settings}
    return "drafting:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items() if v is not None)


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


@pytest.fixture
def site(tmp_path, llm, monkeypatch):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", KEY)
    monkeypatch.setattr(draft_command, "RETRY", RetryPolicy(attempts=3, first_wait=0.01, max_wait=0.05))
    return make_project(tmp_path / "site", {
        "content/prompts/brief.md": PROMPT,
        BRIEF: INGESTED,
        OTHER: brief_text("Earlier brief", tags="[procurement, ai-safety]", published="2026-03-02"),
    }, site_yaml=SITE_YAML + drafting_yaml(llm.endpoint))


@pytest.fixture
def digest(capsys):
    def run(root, *argv):
        command, rest = argv[0], argv[1:]
        code = main([command, "--root", str(root), *rest])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def front_matter(root, rel=BRIEF) -> dict:
    text = (root / rel).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def body_of(root, rel=BRIEF) -> str:
    return (root / rel).read_text(encoding="utf-8").split("\n---\n", 1)[1]


def reply(**changes) -> dict:
    data = copy.deepcopy(GOOD_REPLY)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# ---- the happy path -------------------------------------------------------------------------


def test_ingest_then_draft_then_check_with_a_local_server(tmp_path, llm, monkeypatch, digest):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", KEY)
    root = make_project(tmp_path / "fresh", {"content/prompts/brief.md": PROMPT},
                        site_yaml=SITE_YAML + drafting_yaml(llm.endpoint))
    (root / "content" / "briefs").mkdir(parents=True)
    feed = str(pytest.importorskip("test_ingest_helpers").FEEDS / "gov-media-releases.xml")
    code, out, err = digest(root, "ingest", "--limit", "1", feed)
    assert code == 0, err
    [path] = sorted((root / "content" / "briefs").rglob("*.md"))
    rel = path.relative_to(root).as_posix()
    ingested = front_matter(root, rel)
    assert ingested["key_points"] == ["TODO: key point"]

    code, out, err = digest(root, "draft")

    assert code == 0, err
    assert f"drafted {rel} with test-model-1" in out
    drafted = front_matter(root, rel)
    assert drafted["draft"] is True
    assert drafted["key_points"] == GOOD_REPLY["key_points"]
    assert drafted["standfirst"] == GOOD_REPLY["standfirst"]
    assert drafted["implications"] == GOOD_REPLY["implications"]
    assert drafted["generated"]["model"] == "test-model-1"
    assert re.fullmatch(r"[0-9a-f]{64}", drafted["generated"]["prompt_sha256"])
    for field in ("title", "source", "published", "section", "jurisdiction", "caveats"):
        assert drafted.get(field) == ingested.get(field), field
    assert body_of(root, rel).strip() == GOOD_REPLY["summary"]
    assert len(llm.received) == 1

    code, out, err = digest(root, "check")
    assert code == 0, err


def test_the_request_carries_the_prompt_the_source_and_the_sites_vocabulary(site, llm, digest):
    code, out, err = digest(site, "draft")

    assert code == 0, err
    [request] = llm.received
    assert request.path == CHAT_PATH
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Content-Type"] == "application/json"
    body = request.body
    assert body["model"] == "test-model"
    assert body["response_format"] == {"type": "json_object"}
    system, user = body["messages"]
    assert system == {"role": "system", "content": PROMPT}
    assert user["role"] == "user"
    sent = json.loads(user["content"])
    assert sent["source"] == {
        "title": "Guidance on buying AI services", "name": "Digital Agency – Media Releases",
        "author": "Digital Agency", "url": "https://www.agency.example.gov.au/news/ai-procurement",
        "published": "2026-03-10",
        "text": "The agency has published guidance for buying AI services. It covers planning, tendering and contract management.",
    }
    assert sent["site"]["actions"][3] == {"name": "Monitor", "description": "Watch for developments."}
    assert [a["name"] for a in sent["site"]["actions"]] == ["Implement", "Decide", "Consider", "Monitor"]
    assert "Research & Safety" in sent["site"]["sections"]
    assert sent["site"]["jurisdictions"][:2] == ["AU", "Global"]
    assert sorted(sent["site"]["existing_tags"]) == ["ai-safety", "procurement"]  # not ingest's 'unsorted'


def test_only_the_drafted_fields_change_and_the_editors_lines_stay(site, digest):
    before = (site / BRIEF).read_text(encoding="utf-8").split("\n")

    code, out, err = digest(site, "draft")

    assert code == 0, err
    after = (site / BRIEF).read_text(encoding="utf-8")
    kept = [line for line in before if line.startswith(("title:", "  ", "published:", "# editor", "section:", "caveats:"))
            and "TODO" not in line]
    for line in kept:
        assert line in after.split("\n"), line
    assert after.index("# editor") < after.index("section:")
    data = front_matter(site)
    assert data["tags"] == ["procurement", "assurance"]  # the reply's tags replace ingest's 'unsorted'
    assert list(data)[-2:] == ["generated", "draft"]
    assert data["generated"]["date"].year >= 2026
    assert after.endswith("\n\n" + GOOD_REPLY["summary"] + "\n")


def test_the_prompt_hash_is_the_sha256_of_the_prompt_file(site, digest):
    import hashlib

    digest(site, "draft")

    assert front_matter(site)["generated"]["prompt_sha256"] == hashlib.sha256(PROMPT.encode()).hexdigest()


# ---- human in the loop ----------------------------------------------------------------------


def test_check_refuses_a_published_generated_brief_without_a_reviewer(site, digest):
    assert digest(site, "draft")[0] == 0
    path = site / BRIEF
    text = path.read_text(encoding="utf-8").replace("draft: true", "draft: false")
    path.write_text(text, encoding="utf-8")
    draft_line = text.split("\n").index("draft: false") + 1

    code, out, err = digest(site, "check")

    assert code == 1
    assert f"{BRIEF}:{draft_line}:1: error: draft: a drafted brief (it has 'generated') is published without a reviewer" in err
    assert "reviewed_by: <their name>" in err

    path.write_text(text.replace("draft: false", "draft: false\nreviewed_by: Alex Editor"), encoding="utf-8")
    assert digest(site, "check")[0] == 0


def test_without_a_draft_line_the_error_points_at_generated(site, digest):
    assert digest(site, "draft")[0] == 0
    path = site / BRIEF
    text = path.read_text(encoding="utf-8").replace("draft: true\n", "")
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index("generated:") + 1

    code, out, err = digest(site, "check")

    assert code == 1
    assert f"{BRIEF}:{line}:1: error: generated: a drafted brief" in err


def test_generated_must_be_what_digest_draft_writes(project, digest):
    root = project({"content/briefs/x.md": brief_text(extra=(
        "generated:\n  model: m\n  prompt_sha256: abc\n  date: 2026-03-16\n  temperature: 1\ndraft: true\n"))})

    code, out, err = digest(root, "check")

    assert code == 1
    assert "generated.prompt_sha256: expected the sha256 of the prompt" in err
    assert "generated.temperature: unknown field 'temperature'" in err


def test_the_page_says_which_model_drafted_it_and_who_reviewed_it(site, digest):
    assert digest(site, "draft")[0] == 0
    path = site / BRIEF
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "reviewed_by: Alex Editor"),
                    encoding="utf-8")

    build(site, site / "site")

    html = (site / "site" / "briefs" / "ai-procurement-guidance" / "index.html").read_text(encoding="utf-8")
    section = html.split('<section class="implications"', 1)[1].split("</section>", 1)[0]
    disclaimer = '<p class="disclaimer" data-pagefind-ignore>Implications are AI-generated. Starting points, not advice.</p>'
    note = '<p class="provenance" data-pagefind-ignore>Drafted with test-model-1; reviewed by Alex Editor.</p>'
    assert disclaimer + "\n" + note in section
    other = (site / "site" / "briefs" / "earlier-brief" / "index.html").read_text(encoding="utf-8")
    assert "provenance" not in other and "Drafted with" not in other

    manifest = json.loads((site / "site" / "build-manifest.json").read_text(encoding="utf-8"))
    record = manifest["generated"][BRIEF]
    assert record["model"] == "test-model-1" and record["reviewed_by"] == "Alex Editor"
    assert record["prompt_sha256"] == manifest["sources"]["content/prompts/brief.md"]
    assert list(manifest["generated"]) == [BRIEF]


def test_a_draft_preview_says_it_is_not_yet_reviewed(site, digest):
    assert digest(site, "draft")[0] == 0

    build(site, site / "site", drafts=True)

    html = (site / "site" / "briefs" / "ai-procurement-guidance" / "index.html").read_text(encoding="utf-8")
    assert "Drafted with test-model-1; not yet reviewed." in html


# ---- bad answers never damage a file -----------------------------------------------------------


BAD_ANSWERS = {
    "invalid JSON": (Answer(body=completion("Here is your brief: {standfirst: oops")),
                     "the answer failed validation: the answer is not valid JSON"),
    "an unknown action": (Answer(body=completion(reply(implications=[{"action": "Escalate", "text": "Do it."}]))),
                          "implications[0].action: 'Escalate' is not an action"),
    "seven key points": (Answer(body=completion(reply(key_points=[f"Point {i}." for i in range(7)]))),
                         "key_points: has 7 key points; at most 6 allowed"),
    "a missing field": (Answer(body=completion(reply(summary=None))), "summary: missing required field"),
    "an unknown field": (Answer(body=completion(reply(title="A new title"))), "title: unknown field"),
    "a section not on the site": (Answer(body=completion(reply(section="Sport"))), "section: 'Sport' is not a section"),
    "a TODO left in": (Answer(body=completion(reply(standfirst="TODO later"))), "standfirst: still says TODO"),
    "key points as text": (Answer(body=completion(reply(key_points="One point."))),
                           "key_points: expected a list of key points, got text"),
    "an empty content": (Answer(body=completion("")), "choices[0].message.content is empty"),
    "a cut-short answer": (Answer(body=completion(GOOD_REPLY, finish_reason="length")), "cut short"),
    "not a chat completion": (Answer(body={"result": "ok"}), "has no choices[0]"),
    "an answer that is not JSON": (Answer(body=b"<html>gateway</html>"), "the API's answer is not JSON"),
    "a 400": (Answer(status=400, body={"error": {"message": "model not found"}}),
              "the API answered 400 Bad Request: model not found"),
    "a 500 after retries": (Answer(status=500, body=b"overloaded", headers={"Retry-After": "0"}),
                            "the API answered 500 Internal Server Error: overloaded (gave up after 3 tries)"),
    "a timeout": (Answer(delay=5, body=completion(GOOD_REPLY)), "no answer within 2 s (drafting.timeout)"),
}


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_a_bad_answer_leaves_the_file_byte_for_byte_and_says_what_was_wrong(site, llm, digest, case):
    answer, expected = BAD_ANSWERS[case]
    llm.default = answer
    before = (site / BRIEF).read_bytes()
    started = time.monotonic()

    code, out, err = digest(site, "draft")

    assert code == 1
    assert (site / BRIEF).read_bytes() == before
    assert f"{BRIEF}: error: " in err and expected in err, err
    assert f"{BRIEF}: left unchanged" in err
    assert "0 brief(s) drafted, 1 left unchanged." in out
    if case == "a 500 after retries":
        assert len(llm.received) == 3
    elif case == "a timeout":
        assert len(llm.received) == 1 and time.monotonic() - started < 4.5  # one try: a slow model is not asked twice
    else:
        assert len(llm.received) == 1
    assert list((site / BRIEF).parent.glob(".*.tmp")) == []


def test_one_bad_answer_does_not_stop_the_other_briefs(site, llm, digest):
    second = "content/briefs/2026/second.md"
    (site / second).write_text(INGESTED.replace("ai-procurement", "ai-second"), encoding="utf-8")
    before = (site / BRIEF).read_bytes()
    llm.then(Answer(body=completion(reply(key_points=[]))))  # the first request (sorted by path) is BRIEF

    code, out, err = digest(site, "draft")

    assert code == 1
    assert (site / BRIEF).read_bytes() == before
    assert "key_points: needs at least 1 key points, has 0" in err
    assert f"drafted {second} with test-model-1" in out
    assert front_matter(site, second)["generated"]["model"] == "test-model-1"


def test_429_waits_as_long_as_retry_after_asks_then_succeeds(site, llm, digest, monkeypatch):
    monkeypatch.setattr(draft_command, "RETRY", RetryPolicy(attempts=3, first_wait=0.01, max_wait=30))
    llm.then(Answer(status=429, body={"error": {"message": "slow down"}}, headers={"Retry-After": "1"}))
    started = time.monotonic()

    code, out, err = digest(site, "draft")

    assert code == 0, err
    assert len(llm.received) == 2
    assert time.monotonic() - started >= 1.0
    assert "the API answered 429 Too Many Requests: slow down; trying again in 1 s (2 of 3)" in err


def test_a_file_edited_while_the_model_answers_is_not_overwritten(site, llm, digest):
    edited = INGESTED.replace("Guidance on buying AI services", "Guidance on buying AI (edited)")
    llm.then(Answer(body=completion(GOOD_REPLY), before=lambda: (site / BRIEF).write_text(edited, encoding="utf-8")))

    code, out, err = digest(site, "draft")

    assert code == 1
    assert (site / BRIEF).read_text(encoding="utf-8") == edited
    assert "the file changed while it was being drafted; nothing was written" in err


# ---- refusing before anything is sent ----------------------------------------------------------


def test_no_key_is_a_usage_error_naming_the_variable_and_nothing_is_sent(site, llm, digest, monkeypatch):
    monkeypatch.delenv("DIGEST_LLM_API_KEY")
    before = (site / BRIEF).read_bytes()

    code, out, err = digest(site, "draft")

    assert code == 2
    assert "DIGEST_LLM_API_KEY is not set" in err
    assert llm.received == [] and (site / BRIEF).read_bytes() == before


def test_a_key_with_a_line_break_is_refused(site, llm, digest, monkeypatch):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", "sk-abc\r\nX-Injected: 1")

    code, out, err = digest(site, "draft")

    assert code == 2 and llm.received == []
    assert "sk-abc" not in err


@pytest.mark.parametrize("endpoint, message", [
    ("http://ai-gateway.example.org/v1", "plain http is allowed only for loopback (localhost, 127.0.0.1, ::1), not 'ai-gateway.example.org'"),
    ("https://user:secret@ai-gateway.example.org/v1", "the endpoint must not carry a user name or password"),
    ("ftp://ai-gateway.example.org/v1", "'ftp://ai-gateway.example.org/v1' is not an absolute http(s) URL"),
])
def test_an_unsafe_endpoint_is_refused_at_its_line_in_site_yaml(tmp_path, digest, monkeypatch, endpoint, message):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", KEY)
    site_yaml = SITE_YAML + drafting_yaml(endpoint)
    root = make_project(tmp_path / "s", {"content/prompts/brief.md": PROMPT, BRIEF: INGESTED}, site_yaml=site_yaml)
    line = site_yaml.split("\n").index(f"  endpoint: {endpoint}") + 1

    for command in ("draft", "check"):
        code, out, err = digest(root, command)
        assert code == 1
        assert f"content/site.yaml:{line}:13: error: drafting.endpoint: {message}" in err


def test_loopback_names_may_use_plain_http():
    from generator.draft.endpoint import endpoint_problem

    for url in ("http://localhost:8080/v1", "http://127.0.0.1/v1", "http://[::1]:9000/v1", "http://127.5.6.7/v1",
                "https://ai-gateway.example.gov.au/v1"):
        assert endpoint_problem(url) is None, url
    for url in ("http://10.0.0.1/v1", "http://localhost.example.org/v1", "http://0.0.0.0/v1", "http://[::ffff:10.0.0.1]/v1"):
        assert endpoint_problem(url) is not None, url


def test_a_brief_marked_above_max_marking_is_never_sent(tmp_path, llm, digest, monkeypatch):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", KEY)
    protected = "content/briefs/2026/protected.md"
    unmarked = "content/briefs/2026/unmarked.md"
    official = "content/briefs/2026/official.md"
    marked = lambda marking: INGESTED.replace("draft: true", f"classification: {marking}\ndraft: true")  # noqa: E731
    root = make_project(tmp_path / "s", {
        "content/prompts/brief.md": PROMPT,
        protected: marked("PROTECTED").replace("ai-procurement", "p1"),
        unmarked: INGESTED.replace("ai-procurement", "p2"),  # takes the site's marking, PROTECTED
        official: marked("OFFICIAL").replace("ai-procurement", "p3"),
    }, site_yaml=SITE_YAML.replace("marking: OFFICIAL", "marking: PROTECTED") + drafting_yaml(llm.endpoint))
    before = {p: (root / p).read_bytes() for p in (protected, unmarked)}

    code, out, err = digest(root, "draft")

    assert code == 1
    assert len(llm.received) == 1
    assert json.loads(llm.received[0].body["messages"][1]["content"])["source"]["url"].endswith("/p3")
    assert f"{protected}: error: is PROTECTED by its classification, above drafting.max_marking OFFICIAL; it was not sent" in err
    assert f"{unmarked}: error: is PROTECTED by the site's marking" in err
    assert {p: (root / p).read_bytes() for p in before} == before
    assert front_matter(root, official)["generated"]["model"] == "test-model-1"


def test_dry_run_prints_the_requests_without_the_key_and_sends_nothing(site, llm, digest):
    before = (site / BRIEF).read_bytes()

    code, out, err = digest(site, "draft", "--dry-run")

    assert code == 0, err
    assert llm.received == []
    assert (site / BRIEF).read_bytes() == before
    assert f"POST {llm.endpoint}/chat/completions" in out
    assert "Authorization: Bearer $DIGEST_LLM_API_KEY (not shown)" in out
    assert KEY not in out and KEY not in err
    request = json.loads(out.split("Content-Type: application/json\n\n", 1)[1].split("\n\nDry run:", 1)[0])
    assert request["model"] == "test-model" and request["messages"][0]["content"] == PROMPT
    assert "Dry run: 1 request(s) shown; nothing was sent or written." in out


def test_dry_run_needs_no_key(site, llm, digest, monkeypatch):
    monkeypatch.delenv("DIGEST_LLM_API_KEY")

    code, out, err = digest(site, "draft", "--dry-run")

    assert code == 0 and llm.received == [] and "POST " in out


# ---- the key stays secret ----------------------------------------------------------------------


def test_the_key_never_reaches_a_message_even_when_the_server_echoes_it(site, llm, digest):
    llm.default = Answer(status=401, body={"error": {"message": f"bad key: Bearer {KEY}"}})

    code, out, err = digest(site, "draft")

    assert code == 1
    assert KEY not in out + err
    assert "the API answered 401 Unauthorized: bad key: Bearer [the key]" in err
    assert "is DIGEST_LLM_API_KEY the right key" in err


def test_an_answer_containing_the_key_is_not_written(site, llm, digest):
    llm.default = Answer(body=completion(reply(summary=f"The key is {KEY}.")))
    before = (site / BRIEF).read_bytes()

    code, out, err = digest(site, "draft")

    assert code == 1 and (site / BRIEF).read_bytes() == before
    assert KEY not in out + err
    assert "the answer contains the API key" in err


def test_a_redirect_is_not_followed_so_the_key_goes_nowhere_else(site, llm, digest):
    with FakeLLM() as elsewhere:
        llm.default = Answer(status=307, headers={"Location": elsewhere.endpoint + "/chat/completions"})

        code, out, err = digest(site, "draft")

        assert code == 1
        assert elsewhere.received == []
        assert "a redirect to http://127.0.0.1:" in err and "redirects are not followed" in err


# ---- which briefs ------------------------------------------------------------------------------


def test_a_drafted_brief_is_drafted_again_only_with_force(site, llm, digest):
    assert digest(site, "draft")[0] == 0
    path = site / BRIEF
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "reviewed_by: Alex Editor\ndraft: true"),
                    encoding="utf-8")

    assert digest(site, "draft")[1:] == ("Nothing to draft: no draft brief holds ingest's TODO placeholders.\n", "")
    code, out, err = digest(site, "draft", str(path))
    assert code == 1
    assert "was drafted with test-model-1 on" in err and "use --force" in err

    llm.default = Answer(body=completion(reply(standfirst="A second draft says something else."), model="test-model-2"))
    code, out, err = digest(site, "draft", "--force", str(path))

    assert code == 0, err
    data = front_matter(site)
    assert data["standfirst"] == "A second draft says something else."
    assert data["generated"]["model"] == "test-model-2"
    assert "reviewed_by" not in data  # a new draft has not been reviewed


def test_a_published_brief_is_never_drafted(site, llm, digest):
    before = (site / OTHER).read_bytes()

    code, out, err = digest(site, "draft", "--force", str(site / OTHER))

    assert code == 1 and llm.received == []
    assert f"{OTHER}: error: is published (no 'draft: true')" in err
    assert (site / OTHER).read_bytes() == before


def test_a_draft_without_source_text_is_skipped_with_a_note(site, llm, digest):
    no_text = "content/briefs/2026/no-text.md"
    body = "TODO: summary. The feed gave no text for this entry; read it at the source."
    (site / no_text).write_text(INGESTED.replace("ai-procurement", "no-text").split("---\n\n")[0] + "---\n\n" + body + "\n",
                                encoding="utf-8")

    code, out, err = digest(site, "draft")

    assert code == 0, err
    assert f"note: {no_text} has no source text to draft from" in err
    assert len(llm.received) == 1
    code, out, err = digest(site, "draft", no_text)
    assert code == 1 and f"{no_text}: error: has no source text" in err


@pytest.mark.parametrize("name, message", [
    ("content/briefs/2026/missing.md", "'content/briefs/2026/missing.md': no such file"),
    ("content/site.yaml", "is not a brief"),
])
def test_naming_something_that_is_not_a_brief_is_a_usage_error(site, llm, digest, name, message):
    code, out, err = digest(site, "draft", name)

    assert code == 2 and message in err and llm.received == []


def test_crlf_files_keep_their_line_endings(site, digest):
    (site / BRIEF).write_bytes(INGESTED.replace("\n", "\r\n").encode())

    assert digest(site, "draft")[0] == 0

    raw = (site / BRIEF).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert yaml.safe_load(raw.decode().split("---\r\n")[1])["generated"]["model"] == "test-model-1"


# ---- settings ----------------------------------------------------------------------------------


def test_drafting_settings_are_checked_at_their_lines(project, digest):
    site_yaml = SITE_YAML + "drafting:\n  endpoint: https://ai.example.gov.au/v1\n  model: m\n  max_marking: SECRETT\n  colour: blue\n"
    root = project({"content/briefs/x.md": brief_text()}, site_yaml=site_yaml)
    lines = site_yaml.split("\n")

    code, out, err = digest(root, "check")

    assert code == 1
    assert f"content/site.yaml:{lines.index('  max_marking: SECRETT') + 1}:16: error: drafting.max_marking: 'SECRETT' is not a marking; did you mean 'SECRET'?" in err
    assert f"content/site.yaml:{lines.index('  colour: blue') + 1}:3: error: drafting.colour: unknown field 'colour'" in err


def test_a_missing_prompt_file_is_reported_at_the_prompt_line(site, llm, digest):
    (site / "content" / "prompts" / "brief.md").unlink()
    line = (site / "content" / "site.yaml").read_text().split("\n").index("  prompt: content/prompts/brief.md") + 1

    code, out, err = digest(site, "draft")

    assert code == 1 and llm.received == []
    assert f"content/site.yaml:{line}: error: drafting.prompt: content/prompts/brief.md does not exist" in err


def test_without_drafting_settings_the_command_says_what_to_add(project, digest, monkeypatch):
    monkeypatch.setenv("DIGEST_LLM_API_KEY", KEY)
    root = project({"content/briefs/x.md": brief_text()})

    code, out, err = digest(root, "draft")

    assert code == 1 and "content/site.yaml has no 'drafting:' settings" in err


def test_the_sample_prompt_is_a_recorded_content_file_and_check_stays_quiet(tmp_path, digest):
    from conftest import REPO

    root = tmp_path / "sample"
    shutil.copytree(REPO / "content", root / "content")

    code, out, err = digest(root, "check", "--strict")

    assert code == 0, err
    assert "prompts" not in err


# ---- the scheduled workflow --------------------------------------------------------------------


def test_the_ingest_workflow_drafts_only_with_the_secret_and_only_in_that_step():
    from conftest import REPO

    text = (REPO / ".github" / "workflows" / "ingest.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    [(job, steps)] = [(name, j["steps"]) for name, j in workflow["jobs"].items()
                      if any("digest draft" in s.get("run", "") for s in j.get("steps", []))]
    runs = [s.get("run", "") for s in steps]
    ingest = next(i for i, r in enumerate(runs) if "digest ingest" in r)
    [draft] = [i for i, r in enumerate(runs) if "digest draft" in r]
    assert ingest < draft
    step = steps[draft]
    assert step["env"] == {"DIGEST_LLM_API_KEY": "${{ secrets.DIGEST_LLM_API_KEY }}"}
    assert text.count("secrets.DIGEST_LLM_API_KEY") == 1  # no other step sees the key
    assert '[ -z "${DIGEST_LLM_API_KEY}" ]' in step["run"]  # no secret: the step does nothing
    assert "if ! .venv/bin/digest draft" in step["run"]  # a failed draft does not stop the pull request
    docs = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "`DIGEST_LLM_API_KEY`" in docs and "reviewed_by" in docs
