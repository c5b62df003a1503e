"""The `colony` command: serve, migrate, and operator tools."""

from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from colony import migrate
from colony.config import ConfigurationError, Settings, load_settings

app = typer.Typer(help="Colony: a self-hostable finance API.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigurationError as exc:
        console.print(f"colony: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply pending migrations, then serve the API."""
    settings = settings_or_exit()
    migrate.upgrade(settings)
    uvicorn.run("colony.main:create_app", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, server_header=False)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Upgrade the database schema (to the newest revision by default)."""
    migrate.upgrade(settings_or_exit(), revision)
    console.print(f"database upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base")]) -> None:
    """Downgrade the database schema to REVISION."""
    migrate.downgrade(settings_or_exit(), revision)
    console.print(f"database downgraded to {revision}")
