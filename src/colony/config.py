"""Settings: one class, read from `COLONY_*` environment variables (see API.md's operator table)."""

import importlib.util
import ipaddress
import secrets
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ConfigurationError(RuntimeError):
    """The settings cannot run Colony; the message is one line for the operator."""


CommaList = Annotated[list[str], NoDecode]
# What core/tracing.py imports, all from the `tracing` extra.
TRACING_MODULES = ("opentelemetry.sdk", "opentelemetry.exporter.otlp.proto.http",
                   "opentelemetry.instrumentation.asgi", "opentelemetry.instrumentation.sqlalchemy",
                   "opentelemetry.instrumentation.httpx", "opentelemetry.instrumentation.redis")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


class Settings(BaseSettings):
    # A `.env` file in the working directory fills in what the environment does not set (it wins).
    model_config = SettingsConfigDict(env_prefix="COLONY_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("colony")))
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: SecretStr | None = None
    allow_sqlite_in_production: bool = False

    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)

    cors_origins: CommaList = []
    allowed_hosts: CommaList = ["*"]
    max_upload_mb: int = Field(default=20, ge=1)  # the largest multipart upload, in MiB (a JSON body: 1 MiB)
    # A bank file larger than this (KiB) is imported in the background (POST /imports answers `queued`).
    import_background_kb: int = Field(default=2048, ge=0)
    log_format: str | None = Field(default=None, pattern="^(json|console)$")
    log_level: str = "INFO"
    sentry_dsn: SecretStr | None = None  # report errors to Sentry (the `sentry` extra): core/error_reporting.py
    # An OpenTelemetry collector's OTLP/HTTP endpoint for traces (the `tracing` extra): core/tracing.py. Unset: off.
    otel_endpoint: str | None = None
    otel_service_name: str = Field(default="colony", min_length=1)

    email_backend: str = Field(default="console", pattern="^(console|file|smtp)$")
    email_dir: Path | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "colony@localhost"
    # How the SMTP conversation is encrypted; credentials and reset tokens never cross the network in clear.
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    allow_console_email_in_production: bool = False

    # The ECB's published files (their directory; a Frankfurter-style API or one ECB file also works), fetched
    # by a scheduled job; "none" turns fetching off (the bundled history only).
    rates_url: str | None = "https://www.ecb.europa.eu/stats/eurofxref/"
    market_data: str = Field(default="yahoo", pattern="^(yahoo|none)$")  # the provider of security prices
    auth_rate_limit: str = "20/minute"
    registration: Literal["open", "closed"] = "open"  # closed: only administrators create accounts
    # Proxies (addresses or networks, or "*") whose X-Forwarded-For gives the client address; none: ignored.
    trusted_proxies: CommaList = []
    access_token_minutes: int = Field(default=30, ge=1)
    refresh_token_days: int = Field(default=7, ge=1)
    # The assistant: any OpenAI-compatible chat-completions server (unset: no assistant, the rest still serves).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(default=60, gt=0)  # seconds per call to the model
    assistant_daily_tokens: int = Field(default=200_000, ge=0)  # per user and UTC day
    assistant_rate_limit: str = "30/minute"  # messages per user, across instances when Redis is configured
    llm_log_retention_days: int = Field(default=90, ge=1)
    llm_retry_backoff: float = Field(default=0.5, ge=0)  # seconds before the first retry, doubled after
    # Tests only: password hashes with cheap Argon2 parameters (core/passwords.py). Refused in production.
    fast_password_hashing: bool = False

    @field_validator("cors_origins", "allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        """Each as a network uvicorn parses (`10.0.0.7/24` → `10.0.0.0/24`). A typo is refused here: uvicorn
        would keep it as a literal that matches nothing, and trust no proxy."""
        networks = []
        for item in value:
            try:
                networks.append(item if item == "*" else str(ipaddress.ip_network(item, strict=False)))
            except ValueError:
                message = f"COLONY_TRUSTED_PROXIES: {item!r} is not an address, a network or *"
                raise ConfigurationError(message) from None
        return networks

    @model_validator(mode="after")
    def _refuse_smtp_credentials_in_clear(self) -> "Settings":
        if self.email_backend == "smtp" and self.smtp_tls == "none" and (self.smtp_user or self.smtp_password):
            raise ConfigurationError("COLONY_SMTP_TLS=none would send the SMTP password in clear; "
                                     "use starttls or tls, or a relay that needs no credentials")
        return self

    @model_validator(mode="after")
    def _sentry_needs_its_extra(self) -> "Settings":
        wants_sentry = self.sentry_dsn is not None and bool(self.sentry_dsn.get_secret_value())
        if wants_sentry and importlib.util.find_spec("sentry_sdk") is None:
            raise ConfigurationError("COLONY_SENTRY_DSN is set but sentry-sdk is not installed: "
                                     "pip install 'colony[sentry]'")
        return self

    @field_validator("otel_endpoint", mode="before")
    @classmethod
    def _otel_endpoint(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
            raise ConfigurationError(f"COLONY_OTEL_ENDPOINT must be an http(s) URL (OTLP/HTTP), not {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _tracing_needs_its_extra(self) -> "Settings":
        if self.otel_endpoint and not all(_installed(module) for module in TRACING_MODULES):
            raise ConfigurationError("COLONY_OTEL_ENDPOINT is set but the OpenTelemetry packages are not installed: "
                                     "pip install 'colony[tracing]'")
        return self

    @field_validator("rates_url", mode="before")
    @classmethod
    def _rates_source(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
            return None
        if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
            raise ConfigurationError(f"COLONY_RATES_URL must be an http(s) URL or none, not {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.env is not Environment.production:
            return self
        if self.secret_key is None or not self.secret_key.get_secret_value():
            raise ConfigurationError("COLONY_SECRET_KEY must be set when COLONY_ENV=production")
        if self.fast_password_hashing:
            raise ConfigurationError("COLONY_FAST_PASSWORD_HASHING is for tests; it is refused in production")
        if self.is_sqlite and not self.allow_sqlite_in_production:
            raise ConfigurationError(
                "COLONY_ENV=production needs COLONY_DATABASE_URL pointing at PostgreSQL "
                "(or COLONY_ALLOW_SQLITE_IN_PRODUCTION=true for a single-machine install)"
            )
        if self.email_backend == "console" and not self.allow_console_email_in_production:
            raise ConfigurationError(
                "COLONY_ENV=production would print password-reset tokens to the console: set COLONY_EMAIL_BACKEND "
                "(smtp or file), or COLONY_ALLOW_CONSOLE_EMAIL_IN_PRODUCTION=true"
            )
        return self

    @property
    def assistant_configured(self) -> bool:
        """A model server and its model are both set (either alone: no assistant, as with neither)."""
        return bool(self.llm_base_url and self.llm_model)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'colony.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def json_logs(self) -> bool:
        if self.log_format is not None:
            return self.log_format == "json"
        return self.env is not Environment.development

    @cached_property
    def signing_key(self) -> str:
        """The JWT key: the configured one, else one generated once and kept beside the SQLite file (read
        once per process: every authenticated request needs it)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(48))
        return key_file.read_text().strip()


def load_settings() -> Settings:
    """Settings from the environment, with a configuration fault reduced to one clear line."""
    try:
        return Settings()
    except ConfigurationError:
        raise
    except ValueError as exc:  # pydantic's ValidationError, possibly wrapping ours
        cause = exc.__cause__ or exc
        for error in getattr(exc, "errors", list)():
            ctx_error = (error.get("ctx") or {}).get("error")
            if isinstance(ctx_error, ConfigurationError):
                raise ctx_error from None
        raise ConfigurationError(f"invalid settings: {cause}".replace("\n", " ")) from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
