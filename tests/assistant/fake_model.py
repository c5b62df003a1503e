"""A scripted OpenAI-compatible chat-completions server on loopback, standing in for Ollama or any other.

Each request takes the next scripted reply (`text`, `tool_calls`, `status`, `hang`), or, when the script is
spent, what `fallback` makes of the request. Requests are recorded as the JSON they carried. A streamed
request (`"stream": true`) is answered with server-sent chunks the way OpenAI sends them: text in pieces,
each tool call's arguments in two fragments, then the usage when `stream_options.include_usage` is set.
"""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import serving


@dataclass
class Reply:
    content: str = ""
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, arguments as JSON text)
    status: int = 200
    body: str = ""  # the body of a non-200 answer
    hang: bool = False  # answer nothing until the test ends (a model too slow)
    whole: bool = False  # answer a streamed request with one JSON body (servers that don't stream)
    usage: tuple[int, int] = (10, 5)


def text(content: str, usage: tuple[int, int] = (10, 5)) -> Reply:
    return Reply(content=content, usage=usage)


def calls(*tool_calls: tuple[str, Any], content: str = "") -> Reply:
    """Tool calls; arguments given as a dict are sent as JSON, a str as it is (bad JSON on purpose)."""
    return Reply(content=content, tool_calls=[(name, args if isinstance(args, str) else json.dumps(args))
                                              for name, args in tool_calls])


def failure(status: int, body: str = '{"error": {"message": "overloaded"}}') -> Reply:
    return Reply(status=status, body=body)


class FakeModel:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.fallback: Callable[[dict[str, Any]], Reply] = lambda _request: text("Nothing more to say.")
        self.requests: list[dict[str, Any]] = []
        self.released = threading.Event()
        self.url = ""

    def next_reply(self, request: dict[str, Any]) -> Reply:
        self.requests.append(request)
        return self.script.pop(0) if self.script else self.fallback(request)

    def tool_results(self, index: int = -1) -> list[Any]:
        """The results (parsed) of the tool calls that request `index` answers (those after its last
        assistant message)."""
        messages = self.requests[index]["messages"]
        last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
        return [json.loads(m["content"]) for m in messages[last + 1:] if m["role"] == "tool"]


def _completion(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.tool_calls:
        message["tool_calls"] = [{"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": a}}
                                 for i, (n, a) in enumerate(reply.tool_calls)]
    return {"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                      "total_tokens": sum(reply.usage)}}


def _chunks(reply: Reply, include_usage: bool) -> Iterator[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield chunk({"role": "assistant"})
    words = reply.content.split(" ")
    for i, word in enumerate(words if reply.content else []):
        yield chunk({"content": word + (" " if i < len(words) - 1 else "")})
    for i, (name, arguments) in enumerate(reply.tool_calls):
        half = len(arguments) // 2
        yield chunk({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                     "function": {"name": name, "arguments": arguments[:half]}}]})
        yield chunk({"tool_calls": [{"index": i, "function": {"arguments": arguments[half:]}}]})
    yield chunk({}, "tool_calls" if reply.tool_calls else "stop")
    if include_usage:
        yield {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "choices": [],
               "usage": {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}}


@contextmanager
def fake_model_server() -> Iterator[FakeModel]:
    model = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            request["_path"], request["_authorization"] = self.path, self.headers.get("Authorization")
            reply = model.next_reply(request)
            if reply.hang:
                model.released.wait(10)
                return
            if reply.status != 200:
                self._send(reply.status, "application/json", reply.body.encode())
                return
            if not request.get("stream") or reply.whole:
                self._send(200, "application/json", json.dumps(_completion(reply)).encode())
                return
            include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
            body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in _chunks(reply, include_usage))
            self._send(200, "text/event-stream", body + b"data: [DONE]\n\n")

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    with serving(Handler) as url:
        model.url = url + "/v1"
        try:
            yield model
        finally:
            model.released.set()
