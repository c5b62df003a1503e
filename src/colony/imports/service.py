"""CSV export and import of transactions.

Export: the list's filters and order, streamed by the transactions service (a server-side cursor),
written through `csv.writer` in chunks, so memory stays flat whatever the row count; category and
payment-method names are looked up once, before. Text cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) get a leading `'`.

Import: columns `date, amount, currency, description, category, type` (a header row is required; the
order is free, other columns are ignored, so an export can be imported again; optional `notes` and
`status` are read when present). All or nothing: every row is checked first (money and text like the
API, category names case-insensitively within the tenant and the row's type, a rate for every foreign
currency on its date), and if any row has an error nothing is created and the report lists every
error with its row number. Duplicates: each row gets a fingerprint (sha256 of tenant, date, amount,
currency, description, type and the occurrence number of identical rows in the file), stored in
`transactions.import_hash` under a unique (tenant_id, import_hash) index; rows whose fingerprint
exists are skipped, so the same file imported twice creates nothing the second time, while two
identical purchases on one day in one file stay two transactions.
"""

import asyncio
import csv
import datetime as dt
import hashlib
import io
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.core import money
from colony.core.clock import utcnow
from colony.core.db import savepoint
from colony.core.tenancy import Tenant
from colony.core.text import is_multiline, text_problem
from colony.exchange_rates import service as rate_service
from colony.imports.errors import ImportConflict, ImportFileInvalid
from colony.imports.schemas import ImportReport, ImportRowError
from colony.payment_methods import service as payment_method_service
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionFilters, TransactionRead

EXPORT_HEADER = ("id", "date", "type", "amount", "currency", "amount_base", "base_currency", "category",
                 "payment_method", "description", "notes", "status")
IMPORT_REQUIRED = ("date", "amount", "currency", "description", "type")
IMPORT_OPTIONAL = ("category", "notes", "status")
EXPORT_BATCH = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What an imported row sets (the repository adds tenant_id), in the order import_csv builds them.
_IMPORT_COLUMNS = ("id", "created_by_id", "type", "status", "amount", "currency", "date", "description", "notes",
                   "category_id", "amount_base", "base_currency", "exchange_rate", "import_hash", "created_at",
                   "updated_at")
_KIND = {TransactionType.expense: CategoryKind.expense, TransactionType.income: CategoryKind.income}


def safe_cell(text: str | None) -> str:
    """A text cell a spreadsheet shows as text: formulas are neutralised with a leading quote."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# ---- export ------------------------------------------------------------------------------------------

def _export_row(tx: TransactionRead, categories: Mapping[str | None, str],
                methods: Mapping[str | None, str]) -> tuple[str, ...]:
    return (tx["id"], tx["date"].isoformat(), str(tx["type"]), tx["amount"], tx["currency"], tx["amount_base"],
            tx["base_currency"], safe_cell(categories.get(tx["category_id"])),
            safe_cell(methods.get(tx["payment_method_id"])), safe_cell(tx["description"]), safe_cell(tx["notes"]),
            str(tx["status"]))


def _by_text(names: Mapping[uuid.UUID, str]) -> dict[str | None, str]:
    """Names keyed by the id as a read shape shows it (text)."""
    return {str(id_): name for id_, name in names.items()}


async def export_csv(session: AsyncSession, tenant: Tenant, filters: TransactionFilters, *,
                     batch: int = EXPORT_BATCH) -> AsyncIterator[bytes]:
    """The filtered rows as CSV (UTF-8, CRLF line ends, header first), one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    yield buffer.getvalue().encode()
    categories = _by_text(await category_service.names_of(session, tenant.tenant_id))
    methods = _by_text(await payment_method_service.names_of(session, tenant.tenant_id))
    async for rows in transaction_service.stream(session, tenant, filters, batch=batch):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_export_row(tx, categories, methods) for tx in rows)
        yield buffer.getvalue().encode()


def export_filename(today: dt.date) -> str:
    return f"transactions-{today.isoformat()}.csv"


# ---- import ------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Row:
    number: int
    date: dt.date
    type: TransactionType
    amount: Decimal
    currency: str
    description: str
    category: str | None
    notes: str | None
    status: TransactionStatus


@dataclass(slots=True)
class _Parsed:
    rows: list[_Row]
    errors: list[tuple[int, str]]


def _cell(record: list[str], index: int | None) -> str:
    if index is None or index >= len(record):
        return ""
    return record[index].strip()


def _records(text: str) -> Iterator[list[str]]:
    """The file's records, header first. One the csv module cannot read (a field longer than its limit,
    131,072 characters by default) makes the file invalid, naming its row."""
    read = 0
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            read += 1
            yield record
    except csv.Error as exc:
        raise ImportFileInvalid(f"Row {read + 1} cannot be read as CSV: {exc}", details={"row": read + 1}) from None


def _text_problems(**cells: str | None) -> list[str]:
    """The control characters of text cells, by the API's rule (core.text)."""
    return [f"{column}: {problem}" for column, value in cells.items()
            if value and (problem := text_problem(value, multiline=is_multiline(column))) is not None]


def _parse(text: str) -> _Parsed:
    """Read and check every row (no database): CPU work, run in a thread."""
    reader = _records(text)
    header = next(reader, None)
    if header is None:
        raise ImportFileInvalid("The file is empty: a header row is required",
                                details={"required_columns": list(IMPORT_REQUIRED)})
    columns = {name.strip().lower(): index for index, name in reversed(list(enumerate(header)))}
    missing = [name for name in IMPORT_REQUIRED if name not in columns]
    if missing:
        raise ImportFileInvalid(f"Missing column(s): {', '.join(missing)}",
                                details={"missing_columns": missing, "required_columns": list(IMPORT_REQUIRED)})
    i_date, i_amount, i_currency, i_description, i_type = (columns[name] for name in IMPORT_REQUIRED)
    i_category, i_notes, i_status = (columns.get(name) for name in IMPORT_OPTIONAL)
    parsed = _Parsed([], [])
    errors = parsed.errors
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank line
        problems: list[str] = []
        date_text = _cell(record, i_date)
        try:
            if len(date_text) != 10:
                raise ValueError
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(f"date: {date_text!r} is not a date such as 2024-03-31")
            date = dt.date.min
        type_text = _cell(record, i_type).lower()
        try:
            type_ = TransactionType(type_text)
        except ValueError:
            problems.append(f"type: must be 'expense' or 'income', not {type_text!r}")
            type_ = TransactionType.expense
        currency = _cell(record, i_currency).upper()
        amount = Decimal(0)
        try:
            money.currency(currency)
        except money.MoneyError as exc:
            problems.append(f"currency: {exc}")
        else:
            try:
                amount = money.check_amount(money.to_decimal(_cell(record, i_amount)), currency)
            except money.MoneyError as exc:
                problems.append(f"amount: {exc}")
        description = _cell(record, i_description)
        if not description:
            problems.append("description: must not be empty")
        elif len(description) > 500:
            problems.append("description: must have at most 500 characters")
        notes = _cell(record, i_notes) or None
        if notes is not None and len(notes) > 5000:
            problems.append("notes: must have at most 5000 characters")
        category = _cell(record, i_category) or None
        problems.extend(_text_problems(description=description, notes=notes, category=category))
        status_text = _cell(record, i_status).lower() or TransactionStatus.paid.value
        try:
            status = TransactionStatus(status_text)
        except ValueError:
            problems.append(f"status: must be 'paid' or 'planned', not {status_text!r}")
            status = TransactionStatus.paid
        if problems:
            errors.extend((number, problem) for problem in problems)
            continue
        parsed.rows.append(_Row(number, date, type_, amount, currency, description, category, notes, status))
    return parsed


def fingerprint(tenant_id: uuid.UUID, row: _Row, occurrence: int) -> str:
    """Stable across imports: the row's identifying values and its occurrence among identical rows."""
    parts = (tenant_id.hex, row.date.isoformat(), str(row.amount), row.currency, row.description,
             row.type.value, str(occurrence))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileInvalid("The file is not UTF-8 text") from None


async def import_csv(session: AsyncSession, tenant: Tenant, content: bytes) -> ImportReport:
    """Check every row, then create the new ones in bulk (flushed, not committed); returns the report."""
    parsed = await asyncio.to_thread(_parse, _decode(content))
    errors = parsed.errors
    base = tenant.base_currency

    categories = (await category_service.ids_by_name(session, tenant.tenant_id)
                  if any(r.category for r in parsed.rows) else {})
    foreign = [r for r in parsed.rows if r.currency != base]
    table = (await rate_service.rate_table(session, {r.currency for r in foreign} | {base},
                                           min(r.date for r in foreign), max(r.date for r in foreign),
                                           tenant_id=tenant.tenant_id)
             if foreign else None)
    conversions: dict[tuple[str, dt.date], rate_service.Conversion | None] = {}

    occurrences: Counter[tuple[Any, ...]] = Counter()
    candidates: list[tuple[_Row, str, uuid.UUID | None, rate_service.Conversion]] = []
    for row in parsed.rows:
        problems: list[str] = []
        category_id: uuid.UUID | None = None
        if row.category is not None:
            category_id = categories.get((_KIND[row.type], row.category.lower()))
            if category_id is None:
                problems.append(f"category: no {row.type.value} category named {row.category!r}")
        key = (row.currency, row.date)
        if key not in conversions:
            conversions[key] = (rate_service.Conversion(rate_service.ONE, row.date) if row.currency == base
                                else table.get(row.currency, base, row.date) if table is not None else None)
        conversion = conversions[key]
        if conversion is None:
            problems.append(f"currency: no {row.currency}/{base} exchange rate is available for "
                            f"{row.date.isoformat()}")
            conversion = rate_service.Conversion(rate_service.ONE, row.date)
        identity = (row.date, row.amount, row.currency, row.description, row.type)
        occurrences[identity] += 1
        if problems:
            errors.extend((row.number, problem) for problem in problems)
            continue
        candidates.append((row, fingerprint(tenant.tenant_id, row, occurrences[identity]), category_id,
                           conversion))

    existing: set[str] = set()
    if candidates:
        known = await transaction_service.import_hashes_between(session, tenant.tenant_id,
                                                                min(c[0].date for c in candidates),
                                                                max(c[0].date for c in candidates))
        existing = {c[1] for c in candidates if c[1] in known}
    errors.sort(key=lambda error: error[0])  # stable: a row's problems keep their column order
    report = ImportReport(created=0, skipped_duplicates=len(existing),
                          errors=[ImportRowError(row=number, message=message) for number, message in errors])
    if errors:
        return report
    now = utcnow()
    # A generator: on PostgreSQL the rows are built while the COPY before them is being written.
    new_rows = ((
        uuid.uuid4(), tenant.user_id, row.type, row.status, row.amount, row.currency, row.date, row.description,
        row.notes, category_id, row.amount if row.currency == base else conversion.apply(row.amount, base), base,
        conversion.rate, hash_, now, now,
    ) for row, hash_, category_id, conversion in candidates if hash_ not in existing)
    async with savepoint(session, ImportConflict):  # the same rows, imported concurrently
        report.created = await transaction_service.insert_imported(session, tenant.tenant_id, _IMPORT_COLUMNS,
                                                                    new_rows)
    return report
