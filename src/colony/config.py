"""Settings: one class, read from `COLONY_*` environment variables (see API.md's operator table)."""

import secrets
from enum import StrEnum
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated

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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COLONY_", extra="ignore")

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
    log_format: str | None = Field(default=None, pattern="^(json|console)$")
    log_level: str = "INFO"

    email_backend: str = Field(default="console", pattern="^(console|file|smtp)$")
    email_dir: Path | None = None
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "colony@localhost"

    rates_url: str | None = None
    market_data: str = Field(default="yahoo", pattern="^(yahoo|none)$")  # the provider of security prices
    auth_rate_limit: str = "20/minute"
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

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

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
