"""A real `colony serve` process on a free port, spoken to over HTTP."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.databases import fresh_database

STARTUP_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(tmp_path: Path, env_overrides: dict[str, str] | None = None, workers: int = 1) -> LiveServer:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONY_")}
    env.update({
        "COLONY_ENV": "test",
        "COLONY_DATA_DIR": str(tmp_path / "data"),
        "COLONY_SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-hs256",
        "COLONY_EMAIL_BACKEND": "file",
        "COLONY_EMAIL_DIR": str(tmp_path / "mail"),
        "COLONY_FAST_PASSWORD_HASHING": "true",
    })
    env["COLONY_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    if TEST_REDIS_URL:
        env["COLONY_REDIS_URL"] = TEST_REDIS_URL
    env.update(env_overrides or {})
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "colony", "serve", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"colony serve exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"colony serve did not answer /health in {STARTUP_TIMEOUT_SECONDS}s:\n{server.log()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on a fresh database of the engine under test, which it migrates itself."""
    directory = tmp_path_factory.mktemp("live")
    with fresh_database(directory, "e2e") as database_url:
        server = start_server(directory, {"COLONY_DATABASE_URL": database_url})
        yield server
        stop_server(server)


__all__ = ["TEST_DATABASE_URL", "LiveServer", "free_port", "start_server", "stop_server"]
