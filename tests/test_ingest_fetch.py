"""Fetching feeds over real HTTP from a local server: headers, 304, redirects, errors, limits."""

from __future__ import annotations

import time

import pytest

from generator import __version__
from generator.ingest.fetch import Validators, fetch_url, read_file
from test_ingest_helpers import FEEDS, FeedServer, Route, feed_bytes


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def test_a_feed_is_fetched_with_a_clear_user_agent(server):
    url = server.feed("/feed.xml", "substack-newsletter.xml")
    result = fetch_url(url, timeout=5)
    assert result.status == "ok"
    assert result.body == feed_bytes("substack-newsletter.xml")
    assert server.hits("/feed.xml")[0].headers["User-Agent"] == f"ai-digest/{__version__} (+feed ingest)"


def test_an_unchanged_feed_answers_304_to_the_remembered_etag(server):
    url = server.feed("/feed.xml", "gov-media-releases.xml", etag='"v1"')
    first = fetch_url(url, timeout=5)
    assert first.status == "ok" and first.validators.etag == '"v1"'
    second = fetch_url(url, timeout=5, validators=first.validators)
    assert second.status == "not_modified" and second.body == b""
    assert server.hits("/feed.xml")[1].headers["If-None-Match"] == '"v1"'


def test_last_modified_is_sent_back_as_if_modified_since(server):
    server.routes["/feed.xml"] = Route(body=b"<rss/>")
    fetch_url(server.url("/feed.xml"), timeout=5, validators=Validators(None, "Wed, 12 Nov 2025 01:00:00 GMT"))
    assert server.hits("/feed.xml")[0].headers["If-Modified-Since"] == "Wed, 12 Nov 2025 01:00:00 GMT"


def test_a_redirect_is_followed(server):
    url = server.feed("/new.xml", "atom-research-blog.xml")
    server.routes["/old.xml"] = Route(status=301, headers={"Location": url})
    result = fetch_url(server.url("/old.xml"), timeout=5)
    assert result.status == "ok" and result.final_url == url


def test_more_than_five_redirects_is_an_error(server):
    for i in range(7):
        server.routes[f"/hop{i}"] = Route(status=302, headers={"Location": server.url(f"/hop{i + 1}")})
    server.feed("/hop7", "rss1-rdf.xml")
    result = fetch_url(server.url("/hop0"), timeout=5)
    assert result.status == "error" and "redirect" in result.error
    assert len(server.requests) == 6  # the first request and five redirects, no more


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/feed.xml", "data:text/xml,<rss/>"])
def test_a_redirect_away_from_http_is_refused(server, target):
    server.routes["/sneaky"] = Route(status=302, headers={"Location": target})
    result = fetch_url(server.url("/sneaky"), timeout=5)
    assert result.status == "error"
    assert "non-http(s)" in result.error
    assert b"root:" not in result.body


def test_a_server_error_is_reported_with_its_status(server):
    server.routes["/broken"] = Route(status=500, body=b"oops")
    result = fetch_url(server.url("/broken"), timeout=5)
    assert (result.status, result.error) == ("error", "HTTP 500 Internal Server Error")


def test_a_slow_server_times_out(server):
    server.routes["/slow"] = Route(body=b"<rss/>", delay=3)
    started = time.monotonic()
    result = fetch_url(server.url("/slow"), timeout=0.5)
    assert result.status == "error" and result.error == "timed out after 0.5s"
    assert time.monotonic() - started < 2.5


def test_a_feed_over_the_size_cap_is_refused(server):
    server.routes["/big"] = Route(body=b"x" * 5000)
    result = fetch_url(server.url("/big"), timeout=5, max_bytes=4096)
    assert result.status == "error" and "larger than" in result.error


def test_a_dead_host_is_an_error_not_an_exception():
    result = fetch_url("http://127.0.0.1:9/feed.xml", timeout=2)
    assert result.status == "error" and result.error.startswith("cannot connect")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "/etc/passwd", "ftp://example.org/x", "javascript:alert(1)"])
def test_only_http_urls_are_fetched(url):
    result = fetch_url(url, timeout=1)
    assert result.status == "error" and result.body == b""


def test_a_local_file_is_read_only_through_read_file(tmp_path):
    assert read_file(FEEDS / "rss1-rdf.xml").body == feed_bytes("rss1-rdf.xml")
    missing = read_file(tmp_path / "nope.xml")
    assert missing.status == "error" and "cannot read" in missing.error
