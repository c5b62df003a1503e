"""What every phase of the run needs: the running cluster, its data, and the helpers to speak to it."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import load  # bench/load.py: the dataset and its loader
import run  # bench/run.py: Server

from cluster.infra import HAProxy, Postgres, Redis
from cluster.report import Report

API = "/api/v1"


@dataclass
class Cluster:
    workdir: Path
    postgres: Postgres
    redis: Redis
    instances: list[run.Server]
    proxy: HAProxy
    env: dict[str, str]
    secret: str
    dataset: load.Dataset
    admin: tuple[str, str]  # email, password
    report: Report
    started_at: float  # time.monotonic() when the instances were started

    @property
    def balanced(self) -> str:
        """HAProxy's frontend over all three instances."""
        return self.proxy.url(len(self.instances))

    def token(self, tenant: load.Tenant) -> str:
        """An access token minted with the shared key, as a login would issue (no Argon2, no rate limit)."""
        from colony.core.tokens import create_access_token

        return create_access_token(tenant.id, self.secret, 240)[0]

    def sql(self, query: str, *args: Any) -> Any:
        """One value from the cluster's database."""

        async def fetch() -> Any:
            conn = await asyncpg.connect(self.postgres.dsn)
            try:
                return await conn.fetchval(query, *args)
            finally:
                await conn.close()

        return asyncio.run(fetch())


def client(base_url: str, source: str = "127.0.0.1") -> httpx.Client:
    """A client whose connections leave from `source` (any 127.x.y.z on Linux), so HAProxy forwards that as
    the client address: each check counts against its own rate limit and lockout."""
    return httpx.Client(base_url=base_url, timeout=60, transport=httpx.HTTPTransport(local_address=source))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return response.text[:40]


def login(base_url: str, email: str, password: str, source: str) -> dict[str, Any]:
    with client(base_url, source) as http:
        response = http.post(f"{API}/auth/login", json={"email": email, "password": password})
    if response.status_code != 200:
        raise RuntimeError(f"login as {email} → {response.status_code} {response.text[:200]}")
    return dict(response.json())


def expense_body(tenant: load.Tenant, description: str, amount: str = "12.34",
                 day: dt.date | None = None) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD", "date": (day or dt.date.today()).isoformat(),
            "description": description, "category_id": str(tenant.expense_categories[0]),
            "payment_method_id": str(tenant.payment_methods[1])}
