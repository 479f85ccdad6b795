"""Which API endpoints `digest draft` may talk to: https anywhere, plain http only on loopback."""

from __future__ import annotations

from urllib.parse import urlsplit

from generator.urls import is_loopback_host

CHAT_PATH = "/chat/completions"


def endpoint_problem(url: str) -> tuple[str, str] | None:
    """(message, hint) when `url` may not be used as the drafting endpoint, else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"'{url}' is not a valid URL", "e.g. https://ai-gateway.example.gov.au/v1"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return f"'{url}' is not an absolute http(s) URL", "e.g. https://ai-gateway.example.gov.au/v1"
    if parts.username is not None or parts.password is not None:
        return ("the endpoint must not carry a user name or password",
                "the key is read from the environment variable DIGEST_LLM_API_KEY; remove the 'user@' part")
    if parts.query or parts.fragment:
        return "the endpoint must not have a query or fragment", "give the API's base URL, e.g. https://host/v1"
    if scheme == "http" and not is_loopback_host(host):
        return (f"plain http is allowed only for loopback (localhost, 127.0.0.1, ::1), not '{host}'",
                "use https:// so the key and the source text travel encrypted")
    return None


def chat_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + CHAT_PATH
