"""Body limits over a real socket to a real `colony serve`: an oversized body, unauthenticated, is refused
with 413 before the server reads it, and the server's memory does not grow with it."""

import socket
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def connect(server: LiveServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    return sock


def read_response(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_a_declared_200_mb_upload_is_refused_before_a_byte_is_sent(live_server: LiveServer) -> None:
    with connect(live_server) as sock:
        sock.sendall(b"POST /api/v1/transactions/import HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                     b"Content-Length: " + str(200 * MIB).encode() + b"\r\n\r\n")
        response = read_response(sock)
    assert status_of(response) == 413
    assert b"PAYLOAD_TOO_LARGE" in response


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
def test_a_streamed_100_mb_json_body_stops_at_the_limit(live_server: LiveServer) -> None:
    before = resident_bytes(live_server.process.pid)
    sent = 0
    with connect(live_server) as sock:
        sock.sendall(b"POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
        deadline = time.monotonic() + 30
        try:
            while sent < 100 * MIB and time.monotonic() < deadline:
                sock.sendall(chunk)
                sent += 64 * 1024
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server answered and closed: the rest is never read
        response = read_response(sock)
    assert status_of(response) == 413, response[:300]
    assert sent < 100 * MIB
    assert resident_bytes(live_server.process.pid) - before < 20 * MIB
