"""`colony backup`: a consistent copy of the embedded SQLite database, with the generated secret key.

SQLite's online backup API copies the database as of one read transaction: in WAL mode the server keeps
writing meanwhile, and the copy holds every committed transaction up to that moment (including those
still in the `-wal` file, which copying `colony.db` alone would lose) and nothing uncommitted.
PostgreSQL has its own tools (`pg_dump`; see "Backups" in the README).
"""

import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from colony.config import Settings

DATABASE_FILE, SECRET_KEY_FILE = "colony.db", "secret_key"
BUSY_TIMEOUT_SECONDS = 30  # how long to wait for a write lock held by a checkpoint before giving up


class BackupRefused(Exception):
    """This configuration cannot be backed up by `colony backup`; the message says what to do instead."""


@dataclass(frozen=True)
class Backup:
    directory: Path
    database: Path
    secret_key: Path | None  # None: no key file to copy (COLONY_SECRET_KEY is set, or none was generated yet)


def sqlite_database(settings: Settings) -> Path:
    """The SQLite file of these settings, or BackupRefused for PostgreSQL and in-memory databases."""
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            f"colony backup copies the embedded SQLite database; this one is {url.get_backend_name()}: "
            "use pg_dump and pg_restore (see Backups in the README), and keep COLONY_SECRET_KEY with them")
    if not url.database or url.database == ":memory:":
        raise BackupRefused("the database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def back_up_sqlite(settings: Settings, output: Path, *, now: datetime | None = None) -> Backup:
    """Copy the database and the generated secret key into a new `colony-backup-<UTC time>` folder of
    `output`, readable by its owner only, and check the copy."""
    source = sqlite_database(settings)
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source} to back up")
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    directory = output / f"colony-backup-{stamp}"
    try:
        output.mkdir(parents=True, exist_ok=True)
        directory.mkdir(mode=0o700)
    except FileExistsError:
        raise BackupRefused(f"{directory} already exists") from None
    database = directory / DATABASE_FILE
    database.touch(mode=0o600)
    # mode=rw: never create an empty database where the real one was expected.
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True,
                                 timeout=BUSY_TIMEOUT_SECONDS)) as original, \
            closing(sqlite3.connect(database)) as copy:
        original.backup(copy)  # all pages in one step: one snapshot, however busy the server is
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
    if verdict != "ok":
        raise BackupRefused(f"the copy in {directory} failed SQLite's quick_check: {verdict}")
    return Backup(directory=directory, database=database, secret_key=_copy_secret_key(settings, directory))


def _copy_secret_key(settings: Settings, directory: Path) -> Path | None:
    key_file = settings.data_dir / SECRET_KEY_FILE
    if settings.secret_key is not None or not key_file.is_file():
        return None
    target = directory / SECRET_KEY_FILE
    target.touch(mode=0o600)
    shutil.copyfile(key_file, target)
    return target
