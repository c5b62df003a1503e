"""Alembic, driven from code: the CLI and the tests use this instead of an ini file."""

from alembic import command
from alembic.config import Config

from colony.config import Settings

SCRIPT_LOCATION = "colony:migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings.sqlalchemy_url), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings.sqlalchemy_url), revision)
