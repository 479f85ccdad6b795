"""The drafting client on its own: retries, Retry-After and its cap, backoff, what is never retried."""

from __future__ import annotations

import datetime as dt
import socket

from fake_llm import GOOD_REPLY, Answer, FakeLLM, completion
from generator.draft.client import RetryPolicy, post_json, retry_after_seconds

POLICY = RetryPolicy(attempts=4, first_wait=2.0, max_wait=30.0)


def call(server: FakeLLM, policy: RetryPolicy = POLICY):
    waits: list[float] = []
    notes: list[str] = []
    answer = post_json(server.endpoint + "/chat/completions", {"model": "m"}, "k", timeout=2, retry=policy,
                       sleep=waits.append, note=notes.append)
    return answer, waits, notes


def test_retry_after_in_seconds_is_honoured():
    with FakeLLM() as server:
        server.then(Answer(status=429, headers={"Retry-After": "5"}), Answer(status=503, headers={"Retry-After": "7"}))
        answer, waits, notes = call(server)

    assert answer.ok and answer.tries == 3
    assert answer.data["choices"][0]["message"]["content"]
    assert waits == [5.0, 7.0]
    assert notes[0] == "the API answered 429 Too Many Requests; trying again in 5 s (2 of 4)"


def test_retry_after_is_capped():
    with FakeLLM() as server:
        server.then(Answer(status=429, headers={"Retry-After": "3600"}))
        answer, waits, _ = call(server)

    assert answer.ok and waits == [30.0]


def test_without_retry_after_the_wait_doubles_and_gives_up_after_the_last_try():
    with FakeLLM(default=Answer(status=502, body=b"bad gateway")) as server:
        answer, waits, _ = call(server)

        assert len(server.received) == 4
    assert waits == [2.0, 4.0, 8.0]
    assert answer.error == "the API answered 502 Bad Gateway: bad gateway (gave up after 4 tries)"


def test_retry_after_as_an_http_date():
    now = dt.datetime(2026, 3, 16, 9, 0, 0, tzinfo=dt.timezone.utc)
    assert retry_after_seconds("Mon, 16 Mar 2026 09:00:12 GMT", now) == 12.0
    assert retry_after_seconds("Mon, 16 Mar 2026 08:59:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_other_4xx_answers_are_not_retried():
    for status in (400, 401, 404, 422):
        with FakeLLM(default=Answer(status=status, body={"error": {"message": "no"}})) as server:
            answer, waits, _ = call(server)
            assert len(server.received) == 1 and waits == [] and not answer.ok
            assert answer.error.startswith(f"the API answered {status}")


def test_a_refused_connection_is_retried_then_reported():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    answer = post_json(f"http://127.0.0.1:{port}/v1/chat/completions", {}, "k", timeout=2,
                       retry=RetryPolicy(attempts=2, first_wait=0.5), sleep=waits.append)

    assert waits == [0.5]
    assert answer.error.startswith("cannot reach the API: ") and answer.error.endswith("(gave up after 2 tries)")


def test_a_success_after_a_server_error():
    with FakeLLM() as server:
        server.then(Answer(status=500))
        answer, waits, _ = call(server)

    assert answer.ok and waits == [2.0]
    assert answer.data == completion(GOOD_REPLY)
