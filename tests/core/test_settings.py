"""Operator settings: the embedded default, the generated secret, and production's refusals."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from colony.config import ConfigurationError, Settings, load_settings
from colony.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("COLONY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path))
    return tmp_path


def test_defaults_to_sqlite_in_the_data_dir_with_a_kept_secret(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{clean_env / 'colony.db'}"
    assert settings.redis_url is None and settings.env == "development"
    key = settings.signing_key
    assert len(key) >= 32
    assert load_settings().signing_key == key  # generated once, kept beside the database
    assert stat.S_IMODE((clean_env / "secret_key").stat().st_mode) == 0o600


def test_comma_separated_lists(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("COLONY_ALLOWED_HOSTS", "api.example,localhost")
    settings = load_settings()
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.allowed_hosts == ["api.example", "localhost"]


def test_production_needs_a_secret_key(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_ENV", "production")
    with pytest.raises(ConfigurationError, match="COLONY_SECRET_KEY"):
        load_settings()


def test_production_refuses_sqlite_unless_allowed(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_ENV", "production")
    monkeypatch.setenv("COLONY_SECRET_KEY", "a-real-secret")
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        load_settings()
    monkeypatch.setenv("COLONY_ALLOW_SQLITE_IN_PRODUCTION", "true")
    monkeypatch.setenv("COLONY_EMAIL_BACKEND", "smtp")  # production refuses the console backend too (tests/auth)
    assert load_settings().json_logs is True


def test_production_refuses_the_tests_cheap_password_hashing(clean_env: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_ENV", "production")
    monkeypatch.setenv("COLONY_SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("COLONY_ALLOW_SQLITE_IN_PRODUCTION", "true")
    monkeypatch.setenv("COLONY_FAST_PASSWORD_HASHING", "true")
    with pytest.raises(ConfigurationError, match="COLONY_FAST_PASSWORD_HASHING"):
        load_settings()


def test_serve_refuses_production_without_secret_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONY_")}
    env.update({"COLONY_ENV": "production", "COLONY_DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-m", "colony", "serve"], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "colony: COLONY_SECRET_KEY must be set when COLONY_ENV=production"
    ]


async def test_cors_and_trusted_hosts_come_from_settings(database_url: str, data_dir: Path) -> None:
    settings: Settings = make_settings(database_url, data_dir, cors_origins=["https://app.example"],
                                       allowed_hosts=["api.example"])
    app = create_app(settings)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.example") as client:
            preflight = await client.options("/health", headers={
                "Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
            assert preflight.headers["access-control-allow-origin"] == "https://app.example"
            other = await client.get("/health", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers
        async with httpx.AsyncClient(transport=transport, base_url="http://attacker.example") as client:
            refused = await client.get("/health")
            assert refused.status_code == 400
            assert refused.json()["error"]["code"] == "BAD_REQUEST"
            assert refused.headers["x-request-id"]
