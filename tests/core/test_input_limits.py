"""Body limits: a JSON body over 1 MiB and an upload over COLONY_MAX_UPLOAD_MB are refused with 413
PAYLOAD_TOO_LARGE before they are read in full, authenticated or not.

The bodies are generators, so each test sees how much of the body the server pulled: nothing when the
Content-Length says it is too large, at most the limit and one chunk when it streams without one."""

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from colony.config import Settings
from colony.core.limits import MIB
from tests.factories import V1, MakeUser, error_code

CHUNK = 64 * 1024


class Body:
    """A request body of `total` bytes served in chunks, counting what the server asks for."""

    def __init__(self, total: int, head: bytes = b"", fill: bytes = b" ") -> None:
        self.total, self.head, self.fill = total, head, fill
        self.sent = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        if self.head:
            self.sent += len(self.head)
            yield self.head
        while self.sent < self.total:
            chunk = self.fill * min(CHUNK, self.total - self.sent)
            self.sent += len(chunk)
            yield chunk


def assert_payload_too_large(response: httpx.Response, max_bytes: int) -> None:
    assert response.status_code == 413, response.text
    assert error_code(response) == "PAYLOAD_TOO_LARGE"
    assert response.json()["error"]["details"] == {"max_bytes": max_bytes}


async def test_a_json_body_declared_over_1_mib_is_refused_unread(client: httpx.AsyncClient) -> None:
    body = Body(100 * MIB, head=b'{"email": "')
    response = await client.post(f"{V1}/auth/login", content=body.chunks(),
                                 headers={"Content-Type": "application/json", "Content-Length": str(100 * MIB)})
    assert_payload_too_large(response, MIB)
    assert body.sent == 0


async def test_a_streamed_json_body_is_refused_once_past_1_mib(client: httpx.AsyncClient) -> None:
    body = Body(100 * MIB, head=b'{"email": "')
    response = await client.post(f"{V1}/auth/register", content=body.chunks(),
                                 headers={"Content-Type": "application/json"})
    assert_payload_too_large(response, MIB)
    assert body.sent <= MIB + CHUNK


async def test_1_mib_is_accepted_and_one_byte_more_is_not(client: httpx.AsyncClient) -> None:
    login = b'{"email": "nobody@example.com", "password": "wrong password"}'
    padded = login + b" " * (MIB - len(login))
    response = await client.post(f"{V1}/auth/login", content=padded, headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.text
    response = await client.post(f"{V1}/auth/login", content=padded + b" ",
                                 headers={"Content-Type": "application/json"})
    assert_payload_too_large(response, MIB)


async def test_an_authenticated_json_body_has_the_same_limit(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    body = Body(2 * MIB, head=b'{"description": "')
    response = await client.post(f"{V1}/expenses", content=body.chunks(),
                                 headers={**owner.headers, "Content-Type": "application/json"})
    assert_payload_too_large(response, MIB)


def multipart_head(boundary: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()


async def test_an_unauthenticated_upload_over_the_limit_is_refused_before_it_is_spooled(
        client: httpx.AsyncClient, settings: Settings) -> None:
    limit = settings.max_upload_mb * MIB
    headers = {"Content-Type": "multipart/form-data; boundary=xyz"}
    declared = Body(200 * MIB, head=multipart_head("xyz"), fill=b"a")
    response = await client.post(f"{V1}/transactions/import", content=declared.chunks(),
                                 headers={**headers, "Content-Length": str(200 * MIB)})
    assert_payload_too_large(response, limit)
    assert declared.sent == 0

    streamed = Body(200 * MIB, head=multipart_head("xyz"), fill=b"a")
    response = await client.post(f"{V1}/transactions/import", content=streamed.chunks(), headers=headers)
    assert_payload_too_large(response, limit)  # not 401: nothing past the limit is read to find out
    assert streamed.sent <= limit + CHUNK


async def test_an_upload_may_be_larger_than_a_json_body(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    csv = b"date,amount,currency,description,type\n2024-01-01,1,USD,Lunch,expense\n" + b"\n" * (2 * MIB)
    response = await client.post(f"{V1}/transactions/import", files={"file": ("t.csv", csv, "text/csv")},
                                 headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


async def test_the_413_is_documented_on_every_route_with_a_body(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert "413" in paths[f"{V1}/expenses"]["post"]["responses"]
    assert "1 MiB" in paths[f"{V1}/auth/login"]["post"]["responses"]["413"]["description"]
    assert "COLONY_MAX_UPLOAD_MB" in paths[f"{V1}/transactions/import"]["post"]["responses"]["413"]["description"]
    assert "413" not in paths[f"{V1}/expenses"]["get"]["responses"]
