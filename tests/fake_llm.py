"""A local OpenAI-compatible chat-completions server for the `digest draft` tests.

It listens on 127.0.0.1 only, answers POST /v1/chat/completions from a script
of answers (then from a default), and records every request it received:
headers and decoded JSON body. Nothing here touches the network.

Run on its own, it is a stand-in for a real API, for trying `digest draft`
without one: every answer is a canned draft made from the source's own
sentences (no model is involved).

    .venv/bin/python tests/fake_llm.py --port 8765
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

CHAT_PATH = "/v1/chat/completions"

GOOD_REPLY = {
    "standfirst": "Agencies buying AI services get a checklist that links procurement to assurance.",
    "key_points": [
        "The guidance covers **planning**, tendering and contract management.",
        "It asks buyers to test suppliers' claims before signing.",
    ],
    "summary": "The agency released guidance for buying AI services.\n\nIt sets out questions for each stage.",
    "implications": [
        {"action": "Consider", "text": "Procurement teams could fold the checklist into their templates."},
        {"action": "Monitor", "text": "Watch for the promised update on contract clauses."},
    ],
    "tags": ["procurement", "assurance"],
}


def completion(content: str | dict, model: str = "test-model-1", **extra) -> dict:
    """A chat-completion answer whose choices[0].message.content is `content` (a dict is JSON-encoded)."""
    text = content if isinstance(content, str) else json.dumps(content)
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
    choice.update(extra)
    return {"id": "chatcmpl-test", "object": "chat.completion", "model": model, "choices": [choice]}


def stand_in_draft(request: dict) -> dict:
    """A canned draft from the request's own text: its first sentences, nothing invented."""
    sent = json.loads(request["messages"][1]["content"])
    source, site = sent["source"], sent["site"]
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", " ".join(source["text"].split())) if len(s.strip()) > 20]
    first = sentences[0] if sentences and len(sentences[0]) <= 300 else f"A first draft of '{source['title']}'."
    names = [a["name"] for a in site["actions"]]
    return {
        "standfirst": first,
        "key_points": [s[:200] for s in sentences[:3]] or [source["title"]],
        "summary": " ".join(sentences[:5]) or source["title"],
        "implications": [{"action": "Monitor" if "Monitor" in names else names[-1],
                          "text": "A stand-in wrote this line; an editor decides what the item means for agencies."}],
    }


@dataclass
class Answer:
    status: int = 200
    body: bytes | dict | None = None  # a dict is sent as JSON; None with make= builds it from the request
    make: Callable[[dict], dict] | None = None  # request body -> the reply's content
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    before: Callable[[], None] | None = None  # runs when the request arrives (e.g. to edit a file)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict | None


class FakeLLM:
    def __init__(self, default: Answer | None = None, port: int = 0) -> None:
        self.script: list[Answer] = []
        self.default = default or Answer(body=completion(GOOD_REPLY))
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.release = threading.Event()  # set on shutdown, so a delayed answer ends at once
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with fake._lock:
                    fake.received.append(Received(self.path, dict(self.headers.items()), body))
                    answer = fake.script.pop(0) if fake.script else fake.default
                if answer.before:
                    answer.before()
                if answer.delay:
                    fake.release.wait(answer.delay)
                payload = answer.body
                if answer.make is not None and body is not None:
                    payload = completion(answer.make(body), model=str(body.get("model") or "stand-in"))
                if isinstance(payload, dict):
                    payload = json.dumps(payload).encode()
                payload = payload or b""
                if self.path != CHAT_PATH:
                    answer, payload = Answer(status=404), b'{"error": {"message": "no such route"}}'
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def then(self, *answers: Answer) -> "FakeLLM":
        self.script.extend(answers)
        return self

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A stand-in chat-completions API on 127.0.0.1, for trying digest draft.")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    fake = FakeLLM(default=Answer(make=stand_in_draft), port=options.port)
    print(f"Stand-in API at {fake.endpoint} (Ctrl-C to stop)", flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
