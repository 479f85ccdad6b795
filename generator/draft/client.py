"""One chat-completion request: POST with a timeout, retries on 429 and 5xx, no redirects.

The key travels only in the Authorization header. Every text that comes back
from the server and may end up in a message is scrubbed of the key first, so
an endpoint that echoes its request cannot make the key appear in a log.
Failures come back as values (Answer.error), never as exceptions.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from generator import __version__
from generator.urls import is_loopback_host

USER_AGENT = f"ai-digest/{__version__} (+digest draft)"
MAX_ANSWER_BYTES = 4 * 1024 * 1024
KEY_VARIABLE = "DIGEST_LLM_API_KEY"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first included
    first_wait: float = 2.0  # seconds before the second try; doubled for each later one
    max_wait: float = 30.0  # no wait is longer, whatever Retry-After asks


@dataclass(frozen=True)
class Answer:
    """The decoded JSON of a 2xx answer, or why there is none."""

    data: object = None
    error: str = ""
    tries: int = 0

    @property
    def ok(self) -> bool:
        return not self.error


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would re-send the key to wherever it points: refuse it, and say where it led."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def scrub(text: str, key: str) -> str:
    return text.replace(key, "[the key]") if key else text


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a whole number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _short(body: bytes, key: str, limit: int = 300) -> str:
    """The start of an error answer, on one line, for a message."""
    text = body[: limit * 4].decode("utf-8", "replace")
    try:  # OpenAI-style {"error": {"message": "..."}}
        data = json.loads(text)
        if isinstance(data, dict) and isinstance(data.get("error"), dict) and isinstance(data["error"].get("message"), str):
            text = data["error"]["message"]
    except ValueError:
        pass
    text = " ".join(scrub(text, key).split())
    return text[:limit] + ("…" if len(text) > limit else "")


def post_json(
    url: str,
    payload: dict,
    key: str,
    *,
    timeout: float,
    retry: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    note: Callable[[str], None] = lambda line: None,
) -> Answer:
    """POST `payload` as JSON to `url` with the key as a Bearer token; retry 429/5xx/connection failures."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    host = urlsplit(url).hostname or ""
    # Loopback never goes through a proxy; anything else follows the usual proxy variables.
    proxies = urllib.request.ProxyHandler({} if is_loopback_host(host) else None)
    opener = urllib.request.build_opener(proxies, _NoRedirects)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        "Authorization": f"Bearer {key}",
    }
    tries = 0
    while True:
        tries += 1
        try:
            return Answer(data=_send(opener, url, body, headers, key, timeout), tries=tries)
        except _Retryable as problem:
            if tries >= retry.attempts:
                return Answer(error=f"{problem.message} (gave up after {tries} tries)", tries=tries)
            wait = retry.first_wait * 2 ** (tries - 1) if problem.retry_after is None else problem.retry_after
            wait = min(max(wait, 0.0), retry.max_wait)
            note(f"{problem.message}; trying again in {wait:g} s ({tries + 1} of {retry.attempts})")
            sleep(wait)
        except _Final as problem:
            return Answer(error=problem.message, tries=tries)


class _Final(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _send(opener, url: str, body: bytes, headers: dict, key: str, timeout: float) -> object:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            data = _read(response, deadline, timeout)
    except urllib.error.HTTPError as err:
        with err:
            detail = _short(err.read(MAX_ANSWER_BYTES) or b"", key)
        status = f"the API answered {err.code} {scrub(err.reason or '', key)}".rstrip()
        if detail:
            status += f": {detail}"
        if err.code == 429 or 500 <= err.code <= 599:
            raise _Retryable(status, retry_after_seconds(err.headers.get("Retry-After"))) from None
        if 300 <= err.code < 400:
            where = scrub(err.headers.get("Location") or "somewhere else", key)
            raise _Final(f"the API answered {err.code}, a redirect to {where}; redirects are not followed "
                         "(the key would go with it): set drafting.endpoint to the final address") from None
        if err.code in (401, 403):
            raise _Final(f"{status} (is {KEY_VARIABLE} the right key for this endpoint?)") from None
        raise _Final(status) from None
    except (TimeoutError, socket.timeout):
        raise _Final(f"no answer within {timeout:g} s (drafting.timeout)") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _Final(f"no answer within {timeout:g} s (drafting.timeout)") from None
        raise _Retryable(f"cannot reach the API: {scrub(str(reason), key)}") from None
    except (http.client.HTTPException, ConnectionError, OSError) as err:
        raise _Retryable(f"the connection failed: {scrub(str(err) or type(err).__name__, key)}") from None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _Final(f"the API's answer is not JSON: {_short(data, key, 120)!r}") from None


def _read(response, deadline: float, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise _Final(f"the API's answer is over {MAX_ANSWER_BYTES // (1024 * 1024)} MiB")
        chunks.append(chunk)
