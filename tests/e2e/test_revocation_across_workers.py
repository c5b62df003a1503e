"""`colony serve --workers 2` without Redis: a deactivated user's token is refused by every worker at once.

Each worker used to keep the principals it had read in a cache of its own, so the worker that did not serve
the deactivation kept accepting the token for up to a minute. Requests here each open a new connection, so
that both workers take their share.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.e2e import conftest as e2e
from tests.e2e.conftest import LiveServer, start_server, stop_server
from tests.factories import TEST_PASSWORD, V1, bearer, unique_email

pytestmark = pytest.mark.e2e

REQUESTS = 40


@pytest.fixture
def two_workers_without_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    # Two workers each import the whole app side by side: on a busy machine with few CPUs, more than one does.
    monkeypatch.setattr(e2e, "STARTUP_TIMEOUT_SECONDS", 3 * e2e.STARTUP_TIMEOUT_SECONDS)
    with fresh_database(tmp_path, "workers") as database_url:
        # Migrated and given the last year of rates beforehand, so that the server's start is its workers' own.
        environment = {key: value for key, value in os.environ.items() if not key.startswith("COLONY_")}
        since = str(date.today() - timedelta(days=365))
        subprocess.run([sys.executable, "-m", "colony", "rates", "load", "--since", since], check=True,
                       capture_output=True,
                       env={**environment, "COLONY_ENV": "test", "COLONY_DATABASE_URL": database_url,
                            "COLONY_DATA_DIR": str(tmp_path / "data")}, timeout=300)
        server = start_server(tmp_path, {"COLONY_DATABASE_URL": database_url, "COLONY_REDIS_URL": ""}, workers=2)
        try:
            yield server
        finally:
            stop_server(server)


def _statuses(server: LiveServer, headers: dict[str, str]) -> list[int]:
    """GET /users/me REQUESTS times, eight at a time, each on a connection of its own."""
    def one(_: int) -> int:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            return http.get(f"{V1}/users/me", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, range(REQUESTS)))


def _wait_for_both_workers(server: LiveServer) -> None:
    """The first worker up answers /health; the other may still be starting."""
    deadline = time.monotonic() + e2e.STARTUP_TIMEOUT_SECONDS
    while server.log().count("Application startup complete") < 2:
        assert time.monotonic() < deadline, f"the second worker did not start:\n{server.log()}"
        time.sleep(0.1)


def test_every_worker_refuses_a_deactivated_users_token(two_workers_without_redis: LiveServer) -> None:
    server = two_workers_without_redis
    _wait_for_both_workers(server)
    with httpx.Client(base_url=server.base_url + V1, timeout=30) as http:
        account = {"email": unique_email("workers"), "password": TEST_PASSWORD}
        assert http.post("/auth/register", json=account).status_code == 201
        headers = bearer(http.post("/auth/login", json=account).json()["access_token"])
        assert _statuses(server, headers) == [200] * REQUESTS  # both workers have seen the user

        assert http.delete("/users/me", headers=headers).status_code == 204
    assert _statuses(server, headers) == [401] * REQUESTS
