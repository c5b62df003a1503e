"""A small client for the OpenAI-compatible chat-completions protocol (Ollama, llama.cpp, vLLM, hosted ones):
one request with tools, answered whole or streamed as server-sent events, with the usage of each call.

Each call has `timeout` seconds (the whole answer; streamed, the first byte and every gap between chunks) and
up to `max_retries` more attempts, with jittered backoff, when the server answers 408, 409, 429 or 5xx or
cannot be reached; never on another 4xx, never after a timeout (a slow model would only be slower three
times). A failed call raises `CallFailed` with the error the caller should see.
"""

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from colony.assistant.errors import AssistantTimeout, AssistantUpstreamError
from colony.core.errors import AppError

RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_RETRY_AFTER_SECONDS = 10.0


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it (it may not parse)


@dataclass(slots=True)
class Completion:
    content: str
    tool_calls: list[ToolCall]
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None = None
    attempts: int = 1
    http_status: int = 200


@dataclass(slots=True)
class CallFailed(Exception):
    error: AppError
    http_status: int | None = None
    attempts: int = 1
    body: str | None = field(default=None)


class ChatClient:
    def __init__(self, http: httpx.AsyncClient, *, base_url: str, model: str, api_key: str | None,
                 timeout: float, max_retries: int = 2, backoff_seconds: float = 0.5) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.host = urlsplit(base_url).netloc or base_url
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = backoff_seconds

    def payload(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]], *, tool_choice: str,
                stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages), "stream": stream}
        if tools:
            body["tools"], body["tool_choice"] = list(tools), tool_choice
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def complete(self, payload: dict[str, Any]) -> Completion:
        """The whole answer to `payload` (built with `stream=False`)."""
        response, attempts = await self._send(payload, stream=False)
        try:
            async with asyncio.timeout(self._timeout):
                raw = await response.aread()
        except (TimeoutError, httpx.TimeoutException):
            raise CallFailed(AssistantTimeout(), response.status_code, attempts) from None
        except httpx.TransportError:
            raise CallFailed(AssistantUpstreamError("The model server closed the connection"), response.status_code,
                             attempts) from None
        finally:
            await response.aclose()
        return _parse_completion(raw, response.status_code, attempts)

    async def stream(self, payload: dict[str, Any]) -> AsyncIterator[str | Completion]:
        """The answer to `payload` (built with `stream=True`): each piece of text as it comes, then the whole
        `Completion` (tool calls put together from their fragments, and the usage the server reported)."""
        response, attempts = await self._send(payload, stream=True)
        if response.headers.get("content-type", "").startswith("application/json"):  # a server that won't stream
            try:
                whole = _parse_completion(await response.aread(), response.status_code, attempts)
            finally:
                await response.aclose()
            if whole.content:
                yield whole.content
            yield whole
            return
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage: dict[str, Any] = {}
        finish_reason: str | None = None
        try:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    chunk = json.loads(data)
                except ValueError:
                    raise CallFailed(AssistantUpstreamError("The model server's stream was not understood"),
                                     response.status_code, attempts, data[:2000]) from None
                if chunk.get("error"):
                    raise CallFailed(AssistantUpstreamError(_error_message(chunk)), response.status_code, attempts,
                                     data[:2000])
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if piece := (delta.get("content") or "").replace("\x00", ""):
                        text.append(piece)
                        yield piece
                    for fragment in delta.get("tool_calls") or []:
                        call = calls.setdefault(int(fragment.get("index", len(calls))),
                                                {"id": "", "name": "", "arguments": ""})
                        call["id"] = fragment.get("id") or call["id"]
                        function = fragment.get("function") or {}
                        call["name"] += function.get("name") or ""
                        call["arguments"] += function.get("arguments") or ""
        except httpx.TimeoutException:
            raise CallFailed(AssistantTimeout(), response.status_code, attempts) from None
        except httpx.TransportError:
            raise CallFailed(AssistantUpstreamError("The model server closed the stream"), response.status_code,
                             attempts) from None
        finally:
            await response.aclose()
        yield Completion(content="".join(text),
                         tool_calls=[ToolCall(id=call["id"] or f"call_{index}", name=call["name"],
                                              arguments=call["arguments"] or "{}")
                                     for index, call in sorted(calls.items())],
                         prompt_tokens=int(usage.get("prompt_tokens") or 0),
                         completion_tokens=int(usage.get("completion_tokens") or 0),
                         finish_reason=finish_reason, attempts=attempts, http_status=response.status_code)

    async def _send(self, payload: dict[str, Any], *, stream: bool) -> tuple[httpx.Response, int]:
        """The first 2xx response (its body not read yet), retrying what may pass; or CallFailed."""
        timeout = httpx.Timeout(self._timeout)
        for attempt in range(1, self._max_retries + 2):
            last = attempt > self._max_retries
            request = self._http.build_request("POST", self._url, json=payload, headers=self._headers,
                                               timeout=timeout)
            try:
                async with asyncio.timeout(self._timeout):
                    response = await self._http.send(request, stream=True)
            except (TimeoutError, httpx.TimeoutException):
                raise CallFailed(AssistantTimeout(), None, attempt) from None
            except httpx.TransportError:
                if last:
                    raise CallFailed(AssistantUpstreamError(f"The model server at {self.host} cannot be reached"),
                                     None, attempt) from None
                await asyncio.sleep(self._delay(attempt, None))
                continue
            if response.is_success:
                return response, attempt
            body = (await response.aread())[:2000].decode(errors="replace")
            await response.aclose()
            if response.status_code in RETRY_STATUSES and not last:
                await asyncio.sleep(self._delay(attempt, response.headers.get("retry-after")))
                continue
            raise CallFailed(AssistantUpstreamError(
                f"The model server answered {response.status_code}: {_error_message(_json_or_text(body))}"[:300]),
                response.status_code, attempt, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            try:
                return min(float(retry_after), MAX_RETRY_AFTER_SECONDS)
            except ValueError:
                pass
        return float(self._backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not a secret


def _parse_completion(raw: bytes, status: int, attempts: int) -> Completion:
    try:
        body = json.loads(raw)
        choice = body["choices"][0]
        message = choice["message"]
        calls = [ToolCall(id=call.get("id") or f"call_{index}", name=call["function"]["name"],
                          arguments=call["function"].get("arguments") or "{}")
                 for index, call in enumerate(message.get("tool_calls") or [])]
        usage = body.get("usage") or {}
        return Completion(content=(message.get("content") or "").replace("\x00", ""), tool_calls=calls,
                          prompt_tokens=int(usage.get("prompt_tokens") or 0),
                          completion_tokens=int(usage.get("completion_tokens") or 0),
                          finish_reason=choice.get("finish_reason"), attempts=attempts, http_status=status)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise CallFailed(AssistantUpstreamError("The model server's answer was not understood"), status, attempts,
                         raw[:2000].decode(errors="replace")) from None


def _json_or_text(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body


def _error_message(body: Any) -> str:
    """The server's own words for what went wrong, however it shapes them."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)
        if error:
            return str(error)
        return str(body.get("message") or body.get("detail") or "")[:200]
    return str(body).strip()[:200]


def monotonic_ms(since: float) -> int:
    return int((time.monotonic() - since) * 1000)
