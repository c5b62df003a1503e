"""`colony backup`: a consistent copy of the SQLite database while it is being written, with the secret key."""

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colony.cli import app as cli
from colony.config import load_settings
from tests.conftest import TEST_DATABASE_URL

ROWS = 500


@pytest.fixture
def sqlite_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The embedded default: no COLONY_* variable but the data directory."""
    for name in list(os.environ):
        if name.startswith("COLONY_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


@pytest.fixture
def live_writer(sqlite_data_dir: Path) -> Iterator[sqlite3.Connection]:
    """A connection like the server's (WAL mode) that has committed ROWS rows, none of them checkpointed into
    colony.db yet, and is in the middle of a transaction holding the write lock."""
    with closing(sqlite3.connect(sqlite_data_dir / "colony.db", isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # committed pages stay in colony.db-wal
        writer.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount TEXT NOT NULL)")
        writer.execute("BEGIN")
        writer.executemany("INSERT INTO ledger (amount) VALUES (?)", [(f"{n}.25",) for n in range(ROWS)])
        writer.execute("COMMIT")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO ledger (amount) VALUES ('999.99')")  # not committed when the backup runs
        yield writer


def test_backs_up_a_database_while_a_connection_writes_to_it(sqlite_data_dir: Path, live_writer: sqlite3.Connection,
                                                             tmp_path: Path) -> None:
    key = load_settings().signing_key  # generated into the data directory, as on a first `colony serve`

    result = CliRunner().invoke(cli, ["backup", "--output", str(tmp_path / "backups")])

    assert result.exit_code == 0, result.output
    live_writer.execute("COMMIT")  # the writer was never blocked, and goes on
    live_writer.execute("INSERT INTO ledger (amount) VALUES ('1.00')")
    [folder] = (tmp_path / "backups").iterdir()
    assert folder.name.startswith("colony-backup-") and folder.name.endswith("Z")
    assert sorted(path.name for path in folder.iterdir()) == ["colony.db", "secret_key"]
    assert str(folder) in result.output.replace("\n", "")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {0o600}
    assert (folder / "secret_key").read_text().strip() == key
    with closing(sqlite3.connect(folder / "colony.db")) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, nothing beside it
        amounts = [Decimal(amount) for (amount,) in copy.execute("SELECT amount FROM ledger")]
    assert len(amounts) == ROWS  # every committed row, none of the open transaction
    assert sum(amounts) == sum(Decimal(f"{n}.25") for n in range(ROWS))


def test_copying_the_file_by_hand_would_have_lost_the_rows(sqlite_data_dir: Path, live_writer: sqlite3.Connection,
                                                          tmp_path: Path) -> None:
    """Why the backup API: the committed rows are still in the -wal file, not in colony.db."""
    shutil.copyfile(sqlite_data_dir / "colony.db", tmp_path / "naive.db")
    with closing(sqlite3.connect(tmp_path / "naive.db")) as naive:
        assert naive.execute("SELECT count(*) FROM sqlite_master WHERE name = 'ledger'").fetchone() == (0,)


def test_with_a_configured_secret_key_only_the_database_is_copied(
        sqlite_data_dir: Path, live_writer: sqlite3.Connection, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_SECRET_KEY", "a-configured-secret-key")
    result = CliRunner().invoke(cli, ["backup", "--output", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    [folder] = (tmp_path / "backups").iterdir()
    assert [path.name for path in folder.iterdir()] == ["colony.db"]
    assert "COLONY_SECRET_KEY is set" in result.output


def test_refuses_when_there_is_no_database(sqlite_data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["backup", "--output", str(tmp_path / "backups")])
    assert result.exit_code == 2
    assert "there is no database at" in result.output
    assert not (sqlite_data_dir / "colony.db").exists()  # and did not create an empty one


def test_refuses_postgresql_politely_and_points_to_pg_dump(sqlite_data_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_DATABASE_URL", TEST_DATABASE_URL or "postgresql+asyncpg://colony@db.internal/colony")
    result = CliRunner().invoke(cli, ["backup", "--output", str(tmp_path / "backups")])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert output.startswith("colony: colony backup copies the embedded SQLite database; this one is postgresql")
    assert "pg_dump" in output and "Backups in the README" in output and "COLONY_SECRET_KEY" in output
    assert not (tmp_path / "backups").exists()
