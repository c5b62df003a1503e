"""PostgreSQL goes away and comes back: Colony answers 503 meanwhile and recovers without a restart.

Runs against a throwaway PostgreSQL cluster of its own (initdb + pg_ctl, about a second), so stopping
it disturbs nothing else.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from colony.core.db import create_engine
from colony.core.tokens import create_access_token
from colony.domains import metadata
from colony.main import create_app
from tests.conftest import make_settings
from tests.e2e.conftest import free_port
from tests.factories import V1

pytestmark = pytest.mark.e2e

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def _as_postgres(*args: str) -> list[str]:
    """Run PostgreSQL's tools as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


class Cluster:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(self.directory / "data"), "-w",
                                    "-l", str(self.directory / "pg.log"), *args),
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.pg_ctl("-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "immediate", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if PG_BIN is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl) to run a throwaway cluster")
    # Not under pytest's tmp dir: that one is private to our user, and the server runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="colony-pg-outage-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    subprocess.run(_as_postgres(f"{PG_BIN}/initdb", "-D", str(directory / "data"), "-U", "postgres",
                                "--auth=trust", "--no-sync"), check=True, capture_output=True, timeout=120)
    cluster = Cluster(directory, free_port())
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


async def test_health_db_is_503_while_postgres_is_down_and_recovers(cluster: Cluster, tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/postgres"
    settings = make_settings(url, tmp_path, redis_url=None)
    app = create_app(settings)

    def bearer() -> dict[str, str]:  # a valid token of a user nobody has cached: the lookup needs the database
        token, _ = create_access_token(uuid.uuid4(), settings.signing_key, 5)
        return {"Authorization": f"Bearer {token}"}

    schema_engine = create_engine(url)
    async with schema_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await schema_engine.dispose()
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/health/db")).json() == {"status": "healthy", "database": "connected"}

            cluster.stop()
            down = await client.get("/health/db")
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
            assert (await client.get("/health")).status_code == 200  # the process itself is fine
            api = await client.get(f"{V1}/users/me", headers=bearer())
            assert api.status_code == 503, api.text
            assert api.json()["error"] == {"code": "SERVICE_UNAVAILABLE", "message": "The database is unavailable",
                                           "details": {}}

            cluster.start()  # same process, same engine and pool: no restart of Colony
            up = await client.get("/health/db")
            assert up.status_code == 200, up.text
            assert up.json()["database"] == "connected"
            # Back to normal answers: that user does not exist.
            assert (await client.get(f"{V1}/users/me", headers=bearer())).status_code == 401
