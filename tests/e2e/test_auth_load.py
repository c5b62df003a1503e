"""A real server stays responsive while Argon2 works: hashing never blocks the event loop."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.conftest import LiveServer, start_server, stop_server
from tests.factories import V1, unique_email

pytestmark = pytest.mark.e2e

CONCURRENT_LOGINS = 8
PASSWORD = "an end-to-end passphrase"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Its own server, with a rate limit above this test's own logins (all from one address), hashing with
    the real Argon2 parameters: the point is what they cost."""
    live = start_server(tmp_path_factory.mktemp("auth-load"), {"COLONY_AUTH_RATE_LIMIT": "1000/minute",
                                                               "COLONY_FAST_PASSWORD_HASHING": "false"})
    yield live
    stop_server(live)


def test_health_answers_quickly_under_eight_concurrent_logins(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        emails = [unique_email("load") for _ in range(CONCURRENT_LOGINS)]
        for email in emails:
            response = http.post(f"{V1}/auth/register", json={"email": email, "password": PASSWORD})
            assert response.status_code == 201, response.text

        def log_in(email: str) -> int:
            return http.post(f"{V1}/auth/login", json={"email": email, "password": PASSWORD}).status_code

        with ThreadPoolExecutor(max_workers=CONCURRENT_LOGINS) as pool:
            logins = [pool.submit(log_in, email) for email in emails * 2]
            health_seconds = []
            while not all(future.done() for future in logins):
                started = time.perf_counter()
                assert http.get("/health").status_code == 200
                health_seconds.append(time.perf_counter() - started)
            statuses = [future.result() for future in logins]

    assert statuses == [200] * len(statuses)
    assert health_seconds, "the logins finished before /health was asked"
    assert max(health_seconds) < 0.75, health_seconds
