"""content/sources.yaml: loaded into Source values, problems reported with file:line:col."""

from __future__ import annotations

from pathlib import Path

from generator.ingest.registry import Source, load_registry, parse_registry

SECTIONS = ["Australian Government", "Research & Safety"]
JURISDICTIONS = ["AU", "Global"]


def problems(text: str) -> list[str]:
    _, diags = parse_registry(text, sections=SECTIONS, jurisdictions=JURISDICTIONS)
    return [d.format().splitlines()[0] for d in diags]


def test_a_valid_registry_becomes_sources():
    sources, diags = parse_registry(
        "- name: DTA – Media Releases\n"
        "  feed: https://www.dta.gov.au/news/rss.xml\n"
        "  section: Australian Government\n"
        "  jurisdiction: AU\n"
        "  tags: [governance, assurance]\n"
        "  aliases: [Digital Transformation Agency]\n"
        "- name: Model Notes\n"
        "  feed: https://modelnotes.example.com/feed\n"
        "  author: Priya Natarajan\n",
        sections=SECTIONS, jurisdictions=JURISDICTIONS,
    )
    assert diags == []
    assert sources == [
        Source("DTA – Media Releases", "https://www.dta.gov.au/news/rss.xml", None, "Australian Government", "AU",
               ("governance", "assurance"), ("Digital Transformation Agency",), line=1),
        Source("Model Notes", "https://modelnotes.example.com/feed", "Priya Natarajan", line=7),
    ]
    assert sources[0].matches("digital transformation agency")


def test_unknown_and_duplicate_fields_are_reported_at_their_position():
    assert problems("- name: A\n  feed: https://a.org/rss\n  feeds: https://b.org/rss\n  name: B\n") == [
        "content/sources.yaml:3:3: error: [0].feeds: unknown field; allowed fields: name, feed, author, section, jurisdiction, tags, aliases",
        "content/sources.yaml:4:3: error: [0].name: duplicate field; it was first given on line 1",
    ]


def test_missing_required_fields_and_bad_values():
    assert problems(
        "- name: A\n"
        "- name: B\n  feed: file:///etc/passwd\n"
        "- name: C\n  feed: https://c.org/rss\n  section: Sport\n  jurisdiction: Mars\n  tags: governance\n"
    ) == [
        "content/sources.yaml:1:3: error: [0].feed: required field is missing",
        "content/sources.yaml:3:9: error: [1].feed: 'file:///etc/passwd' is not an http(s) URL; feeds are fetched over http or https only",
        "content/sources.yaml:6:12: error: [2].section: 'Sport' is not a site section; use one of: Australian Government, Research & Safety",
        "content/sources.yaml:7:17: error: [2].jurisdiction: 'Mars' is not a site jurisdiction; use one of: AU, Global",
        "content/sources.yaml:8:9: error: [2].tags: must be a list of text values; write it as [a, b] or one '- item' per line",
    ]


def test_two_sources_with_the_same_name_or_alias_clash():
    assert problems(
        "- {name: A, feed: 'https://a.org/rss', aliases: [Agency A]}\n"
        "- {name: Agency A, feed: 'https://b.org/rss'}\n"
    ) == ["content/sources.yaml:2:3: error: [1].name: 'Agency A' is already used by the source on line 1"]


def test_yaml_syntax_errors_and_wrong_shapes():
    assert problems("- name: [unclosed\n")[0].startswith("content/sources.yaml:2:1: error: not valid YAML")
    assert problems("name: A\nfeed: https://a.org\n") == [
        "content/sources.yaml:1:1: error: the registry must be a list of sources; start each source with '- name: ...'"
    ]


def test_the_sample_registry_is_valid():
    root = Path(__file__).resolve().parent.parent
    sources, diags = load_registry(root)
    assert diags == [] and len(sources) >= 5
    assert all(s.feed.startswith("https://") for s in sources)


def test_a_missing_registry_is_empty(tmp_path):
    assert load_registry(tmp_path) == ([], [])
