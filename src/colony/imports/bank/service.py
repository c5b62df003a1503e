"""Bank imports: a file in, each row checked, duplicates skipped by one rule, the new rows booked.

**All or nothing per file.** Rows are read, checked and booked 2,000 at a time inside one savepoint; a bad
row anywhere (a date or amount that can't be read, an unknown currency, no exchange rate for its date, an
unknown category in strict mode) stops the booking, the rest of the file is still checked so that every
bad row is reported, and the savepoint is rolled back: 422 IMPORT_INVALID with `details.errors`, nothing
written, not even the import's record. A background import that fails is recorded as `failed` with its
errors, since nobody is waiting for the answer.

**Duplicates** (the contract's rule, one definition for every format): a row with a bank id is a duplicate
when the tenant already has that id (or the file had it in an earlier row); a row without one is a
duplicate when the tenant already has as many transactions with the same date, amount, currency, type
and normalised description (`transactions.insights.normalise_description`) as the file has such rows up
to it, however they were entered. The tenant's count is read once per content, the first time the file
shows it, so rows this import books don't count against the file's later rows. Memory holds a 64-bit
digest and two counters per distinct content (about 100 bytes), not the rows.

**Categories.** A category the file names (QIF `L`, a CSV column) is looked up among the tenant's of the
row's type (for `Groceries:Produce`, then `Produce` and `Groceries`); otherwise, or when it names none
the tenant has, the tenant's history suggests one (`transactions.insights`), kept only when confident: a
score of at least CONFIDENT_SCORE and no other category as good. An unknown name fails the row only with
`strict`.

**Dry run**: everything but the booking; the import is recorded (with `dry_run: true` and what it would
have created), so its report can be read again.

**Undo** (`DELETE /imports/{id}`): the rows the import created (their ids are in its own range, see
`created_ids`) and nobody changed since are deleted; rows edited since (their `updated_at` moved) are the
user's now and stay, counted in `kept`. The record stays, `undone`, with `removed` and `kept`.

**Large files** (over `COLONY_IMPORT_BACKGROUND_KB`) are queued: the record and the file are stored (in
parts of `PART_BYTES`), the answer is 201 with status `queued`, and `runner.py` books them the same way.

**Memory.** The upload stays in the file the form parser spooled it to; parsers read it a chunk at a time
(`formats`), a queued file goes to the database and comes back into a temporary file a part at a time, and
rows are checked and booked `BATCH` at a time. What grows with the file is the duplicate rule's memory
(above), not the rows or the file.
"""

import asyncio
import datetime as dt
import functools
import itertools
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.core import money
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.db import plan_with_values, savepoint
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.imports.bank.errors import (
    ImportBusy,
    ImportConflict,
    ImportFileUnreadable,
    ImportInvalid,
    ImportNotFound,
)
from colony.imports.bank.formats import (
    BankRow,
    Content,
    FileUnreadable,
    Parsed,
    RowError,
    bank_csv,
    camt,
    detect,
    head,
    ofx,
    qif,
)
from colony.imports.bank.models import BankImport, ImportFormat, ImportStatus
from colony.imports.bank.repository import (
    ImportRepository,
    MappingRepository,
    QueuedFileRepository,
)
from colony.imports.bank.schemas import (
    REPORT_LIMIT,
    CsvMapping,
    ImportRead,
    ImportRowError,
    ImportSummary,
    SkippedRow,
    SkipReason,
)
from colony.transactions import insights
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus, TransactionType

BATCH = 2_000  # rows read, checked and booked at a time
PART_BYTES = 1024 * 1024  # a queued file is stored in parts of this size
CONFIDENT_SCORE = 90
_KIND = {TransactionType.expense: CategoryKind.expense, TransactionType.income: CategoryKind.income}
# The columns of an imported transaction that differ from row to row, in the order `_book` builds them.
TRANSACTION_COLUMNS = ("id", "type", "amount", "currency", "date", "description", "notes", "category_id",
                       "amount_base", "exchange_rate", "bank_id")


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """What an upload asks for, besides the file."""

    file_name: str
    format: ImportFormat | None = None
    account_id: uuid.UUID | None = None
    currency: str | None = None
    mapping: CsvMapping | None = None
    save_mapping: bool = False
    dry_run: bool = False
    strict: bool = False


# ---- reads ----

def _summary(record: BankImport) -> ImportSummary:
    return ImportSummary.model_validate(record)


def _read(record: BankImport, rows_done: int | None = None) -> ImportRead:
    read = ImportRead.model_validate(record)
    if rows_done is not None:
        read.rows_done = rows_done
    return read


def progress_key(import_id: uuid.UUID) -> str:
    return f"import-progress:{import_id}"


async def list_imports(session: AsyncSession, tenant: Tenant, params: PageParams) -> Page[ImportSummary]:
    rows, total = await ImportRepository(session, tenant.tenant_id).page_newest(params)
    return Page[ImportSummary].build([_summary(row) for row in rows], total, params)


async def get_import(session: AsyncSession, cache: Cache, tenant: Tenant, import_id: uuid.UUID) -> ImportRead:
    record = await ImportRepository(session, tenant.tenant_id).get_or_raise(import_id, ImportNotFound)
    rows_done = None
    if record.status is ImportStatus.running:  # its runner's transaction is open: the progress is in the cache
        published = await cache.get(progress_key(record.id))
        rows_done = int(published) if published else None
    return _read(record, rows_done)


# ---- the upload ----

def parser_for(format_: ImportFormat, content: Content, mapping: CsvMapping | None,
               currency: str) -> tuple[Callable[[], Parsed], CsvMapping | None]:
    """The rows of the file, as a generator factory, and the complete CSV mapping (layout read now, so
    that a file that can't be read fails the request, not a background run)."""
    if format_ is ImportFormat.csv:
        layout = bank_csv.layout(content, mapping, default_currency=currency)
        return (lambda: bank_csv.read(layout)), layout.mapping
    if format_ is ImportFormat.ofx:
        return (lambda: ofx.parse(content)), None
    if format_ is ImportFormat.qif:
        return (lambda: qif.parse(content, prefer_month_first=currency == "USD")), None
    return (lambda: camt.parse(content)), None


async def _prepare(session: AsyncSession, tenant: Tenant, upload: BinaryIO, request: ImportRequest
                   ) -> tuple[ImportFormat, str, Callable[[], Parsed], CsvMapping | None]:
    if request.currency is not None:
        try:
            money.currency(request.currency)
        except money.MoneyError as exc:
            raise ValidationFailed("body.currency", str(exc)) from None
    if request.account_id is not None:
        await transaction_service.check_account(session, tenant, request.account_id, field="body.account_id")
    currency = request.currency or tenant.base_currency
    format_ = request.format or ImportFormat(detect(await asyncio.to_thread(head, upload), request.file_name))
    mapping = request.mapping
    if format_ is ImportFormat.csv and mapping is None and request.account_id is not None:
        saved = await MappingRepository(session, tenant.tenant_id).for_account(request.account_id)
        mapping = CsvMapping.model_validate(saved.mapping) if saved is not None else None
    try:
        rows, mapping = await asyncio.to_thread(parser_for, format_, upload, mapping, currency)
    except FileUnreadable as exc:
        raise ImportFileUnreadable(str(exc), details={"format": format_.value}) from None
    return format_, currency, rows, mapping


async def create_import(session: AsyncSession, tenant: Tenant, upload: BinaryIO, request: ImportRequest, *,
                        background_bytes: int) -> ImportRead:
    """Import a file (seekable: the upload as spooled) now (flushed, the router commits), or queue it when it is
    large; its record."""
    format_, currency, rows, mapping = await _prepare(session, tenant, upload, request)
    queued = upload.seek(0, 2) > background_bytes and not request.dry_run
    record = await ImportRepository(session, tenant.tenant_id).add(BankImport(
        created_by_id=tenant.user_id, file_name=request.file_name[:255], format=format_,
        status=ImportStatus.queued if queued else ImportStatus.running, dry_run=request.dry_run,
        strict=request.strict, account_id=request.account_id, currency=request.currency,
        mapping=mapping.model_dump(mode="json") if mapping is not None else None, skipped=[], errors=[]))
    if request.save_mapping and mapping is not None and request.account_id is not None and not request.dry_run:
        await MappingRepository(session, tenant.tenant_id).save(tenant.user_id, request.account_id,
                                                                 mapping.model_dump(mode="json"))
    if queued:
        await _store(session, tenant.tenant_id, record.id, upload)
        return _read(record)
    await import_rows(session, tenant, record, rows(), currency)
    record.status, record.finished_at = ImportStatus.done, utcnow()
    await session.flush()
    return _read(record)


async def _store(session: AsyncSession, tenant_id: uuid.UUID, import_id: uuid.UUID, upload: BinaryIO) -> None:
    """Keep a file for the runner, a part at a time."""
    parts = QueuedFileRepository(session, tenant_id)
    upload.seek(0)
    part = 0
    while content := await asyncio.to_thread(upload.read, PART_BYTES):
        await parts.add_part(import_id, part, content)
        part += 1


async def queued_file(session: AsyncSession, tenant_id: uuid.UUID, import_id: uuid.UUID) -> BinaryIO | None:
    """A queued import's file, back in a temporary file (deleted when closed), a part at a time; None if gone."""
    parts = QueuedFileRepository(session, tenant_id)
    numbers = await parts.parts(import_id)
    if not numbers:
        return None
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the caller's to close
    try:
        for number in numbers:
            await asyncio.to_thread(file.write, await parts.part(import_id, number))
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


# ---- checking and booking the rows ----

@dataclass(slots=True)
class _Outcome:
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0

    def add(self, number: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append(ImportRowError(row=number, message=message).model_dump())


class _Skipped:
    """The rows skipped, for the report: the first REPORT_LIMIT in row order (a batch's zero amounts are
    noted before its duplicates, so a little more is kept until the end)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, SkipReason, str]] = []

    def add(self, number: int, reason: SkipReason, message: str) -> None:
        if len(self.rows) < REPORT_LIMIT + BATCH:
            self.rows.append((number, reason, message))

    def report(self) -> list[dict[str, Any]]:
        self.rows.sort(key=lambda item: item[0])
        return [SkippedRow(row=number, reason=reason, message=message).model_dump(mode="json")
                for number, reason, message in self.rows[:REPORT_LIMIT]]


@dataclass(slots=True)
class _Checked:
    row: BankRow
    type: TransactionType
    amount: Decimal  # > 0
    currency: str
    conversion: rate_service.Conversion
    category_id: uuid.UUID | None
    key: int | None = None  # the content's digest (rows without a bank id)


@functools.lru_cache(maxsize=65_536)
def _normalised(description: str) -> str:
    """A bank file names the same merchants over and over: each description is normalised once."""
    return insights.normalise_description(description) or description.casefold().strip()


class _Duplicates:
    """The contract's duplicate rule over a whole file, batch by batch (see the module docstring)."""

    def __init__(self) -> None:
        # A 64-bit digest of each content → the tenant's count << 32 | the file's rows so far: two small ints a
        # content (a collision between 100,000 contents: about 1 in 10^9).
        self.contents: dict[int, int] = {}
        self.bank_ids: set[int] = set()  # digests of the bank ids of the file's earlier rows
        self.skipped = 0

    @staticmethod
    def content_key(day: dt.date, amount: Decimal, currency: str, type_: TransactionType, description: str) -> int:
        """The content's 64-bit hash (a Decimal's hash is its value's: 12.5 and 12.5000 are one amount)."""
        return hash((day, amount, currency, type_, _normalised(description)))

    async def new_rows(self, session: AsyncSession, tenant_id: uuid.UUID, batch: list[_Checked], skipped: "_Skipped"
                       ) -> list[_Checked]:
        """The batch's rows that are not duplicates; the others go to `skipped`."""
        known = await self.learn(session, tenant_id, batch)
        new = []
        for checked in batch:
            reason = self.skip_reason(checked, known)
            if reason is None:
                new.append(checked)
            else:
                self.skipped += 1
                skipped.add(checked.row.number, *reason)
        return new

    async def learn(self, session: AsyncSession, tenant_id: uuid.UUID, batch: list[_Checked]) -> set[str]:
        """Read what the tenant has for the batch's new contents; the batch's bank ids it already has."""
        unseen = []
        for checked in batch:
            if checked.row.bank_id is None:
                checked.key = self.content_key(checked.row.date, checked.amount, checked.currency, checked.type,
                                               checked.row.description)
                if checked.key not in self.contents:
                    unseen.append(checked)
        if unseen:
            existing: Counter[int] = Counter(
                self.content_key(found.date, found.amount, found.currency, found.type, found.description)
                for found in await transaction_service.same_dates_and_amounts(
                    session, tenant_id, {c.row.date for c in unseen}, {c.amount for c in unseen}))
            for checked in unseen:
                assert checked.key is not None
                self.contents.setdefault(checked.key, existing[checked.key] << 32)
        ids = [c.row.bank_id for c in batch if c.row.bank_id is not None]
        return await transaction_service.bank_ids_among(session, tenant_id, ids)

    def skip_reason(self, checked: _Checked, known_bank_ids: set[str]) -> tuple[SkipReason, str] | None:
        bank_id = checked.row.bank_id
        if bank_id is not None:
            if bank_id in known_bank_ids:
                return SkipReason.bank_id, f"the tenant already has bank id {bank_id!r}"
            digest = hash(bank_id)
            if digest in self.bank_ids:
                return SkipReason.bank_id, f"bank id {bank_id!r} came in an earlier row of the file"
            self.bank_ids.add(digest)
            return None
        assert checked.key is not None
        counts = self.contents[checked.key] + 1
        self.contents[checked.key] = counts
        tenant_has, file_has = counts >> 32, counts & 0xFFFFFFFF
        if file_has <= tenant_has:
            return SkipReason.duplicate, (
                f"the tenant already has {tenant_has} {checked.type.value}(s) of {checked.amount} {checked.currency} "
                f"on {checked.row.date.isoformat()} like {checked.row.description!r}, and this is the file's "
                f"{_ordinal(file_has)}")
        return None


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class _Categories:
    """Category ids for rows: the file's names first, then the tenant's history when confident."""

    def __init__(self, session: AsyncSession, tenant: Tenant, strict: bool) -> None:
        self.session, self.tenant, self.strict = session, tenant, strict
        self.by_name: dict[tuple[CategoryKind, str], uuid.UUID] | None = None
        self.indexes: dict[TransactionType, insights.CategoryIndex] = {}
        self.suggested: dict[tuple[TransactionType, str], uuid.UUID | None] = {}

    async def load(self) -> None:
        """The tenant's history of each type, ranked against (read once per import)."""
        for type_ in TransactionType:
            self.indexes[type_] = await transaction_service.category_index(self.session, self.tenant.tenant_id, type_)

    async def resolve(self, row: BankRow, type_: TransactionType, amount: Decimal) -> uuid.UUID | str | None:
        """The category id, or the row's error (a str) in strict mode."""
        if row.category:
            if self.by_name is None:
                self.by_name = await category_service.ids_by_name(self.session, self.tenant.tenant_id)
            name = row.category
            for candidate in [name, *reversed(name.split(":"))] if ":" in name else [name]:
                found = self.by_name.get((_KIND[type_], candidate.strip().lower()))
                if found is not None:
                    return found
            if self.strict:
                return f"category: no {type_.value} category named {name!r}"
        return self._suggest(row.description, type_, amount)

    def _suggest(self, description: str, type_: TransactionType, amount: Decimal) -> uuid.UUID | None:
        index = self.indexes[type_]
        if not index:
            return None
        key = (type_, _normalised(description))
        if key not in self.suggested:
            ranked = index.rank(description, amount, limit=2)
            confident = ranked and ranked[0].score >= CONFIDENT_SCORE and (
                len(ranked) == 1 or ranked[1].score < ranked[0].score)
            self.suggested[key] = ranked[0].category_id if confident else None
        return self.suggested[key]


async def _batches(rows: Iterator[BankRow | RowError]) -> AsyncIterator[list[BankRow | RowError]]:
    """The parser's rows `BATCH` at a time, each batch read in a worker thread (parsing is CPU work). Not
    read ahead while the database works on the batch before: the two threads would fight for the GIL,
    which SQLite's thread takes back for every row it binds (measured: slower, not faster)."""
    while True:
        try:
            batch = await asyncio.to_thread(lambda: list(itertools.islice(rows, BATCH)))
        except FileUnreadable as exc:
            raise ImportFileUnreadable(str(exc)) from None
        if not batch:
            return
        yield batch


async def _check(session: AsyncSession, tenant: Tenant, batch: list[BankRow | RowError], currency: str,
                 categories: _Categories, outcome: _Outcome, skipped: "_Skipped") -> list[_Checked]:
    """The batch's good rows, converted to the base currency; its bad rows go to `outcome`."""
    base = tenant.base_currency
    valid: list[tuple[BankRow, TransactionType, Decimal, str]] = []
    for row in batch:
        if isinstance(row, RowError):
            outcome.add(row.number, row.message)
            continue
        row_currency = (row.currency or currency).upper()
        try:
            money.currency(row_currency)
        except money.MoneyError as exc:
            outcome.add(row.number, f"currency: {exc}")
            continue
        try:
            amount = money.check_amount(abs(row.amount), row_currency, positive=False)
        except money.MoneyError as exc:
            outcome.add(row.number, f"amount: {exc}")
            continue
        if amount == 0:
            skipped.add(row.number, SkipReason.zero_amount, "a zero amount moves no money")
            continue
        valid.append((row, TransactionType.expense if row.amount < 0 else TransactionType.income, amount,
                      row_currency))
    foreign = [item for item in valid if item[3] != base]
    table = (await rate_service.rate_table(session, {item[3] for item in foreign} | {base},
                                           min(item[0].date for item in foreign), max(item[0].date for item in foreign),
                                           tenant_id=tenant.tenant_id) if foreign else None)
    checked: list[_Checked] = []
    for row, type_, amount, row_currency in valid:
        conversion = (rate_service.Conversion(rate_service.ONE, row.date) if row_currency == base
                      else table.get(row_currency, base, row.date) if table is not None else None)
        if conversion is None:
            outcome.add(row.number, f"currency: no {row_currency}/{base} exchange rate is available for "
                                    f"{row.date.isoformat()}")
            continue
        category = await categories.resolve(row, type_, amount)
        if isinstance(category, str):
            outcome.add(row.number, category)
            continue
        checked.append(_Checked(row, type_, amount, row_currency, conversion, category))
    return checked


async def import_rows(session: AsyncSession, tenant: Tenant, record: BankImport, rows: Parsed, currency: str, *,
                      progress: Callable[[int], Awaitable[None]] | None = None) -> None:
    """Check and book every row of the file into `record` (see the module docstring); ImportInvalid, with
    nothing booked, when a row is bad."""
    await plan_with_values(session)  # the transactions table grows as the import goes
    outcome = _Outcome()
    duplicates = _Duplicates()
    categories = _Categories(session, tenant, record.strict)
    await categories.load()
    skipped = _Skipped()
    created = read = 0
    first_date: dt.date | None = None
    base, now = tenant.base_currency, utcnow()
    async with savepoint(session, ImportConflict):  # a concurrent import of the same bank ids
        async for batch in _batches(rows):
            read += len(batch)
            checked = await _check(session, tenant, batch, currency, categories, outcome, skipped)
            if not outcome.error_count:  # once a row is bad nothing is booked: the rest is only checked
                new = await duplicates.new_rows(session, tenant.tenant_id, checked, skipped)
                if new and not record.dry_run:
                    await _book(session, tenant, record, new, base, now, first_sequence=created)
                    batch_first = min(item.row.date for item in new)
                    first_date = batch_first if first_date is None else min(first_date, batch_first)
                created += len(new)
            if progress is not None:
                await progress(read)
        if outcome.error_count:  # rolls the savepoint back
            raise ImportInvalid(f"{outcome.error_count} row(s) of the file can't be imported; nothing was imported",
                                details={"errors": outcome.errors, "error_count": outcome.error_count, "rows": read})
    if first_date is not None and record.account_id is not None:
        await transaction_service.booked_from(session, tenant.tenant_id, record.account_id, first_date)
    record.rows, record.rows_done, record.created = read, read, created
    record.skipped_duplicates = duplicates.skipped
    record.skipped = skipped.report()


def created_ids(import_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The first and last id an import can give the transactions it creates: the import id's first 64 bits
    (version 8: ids of our own making), the RFC 9562 variant, then the row's sequence number. So an import
    needs no link per row to be undone (one range of the primary key finds its rows), and its rows go into
    that index in order. A random id (version 4) never falls in such a range: its version differs."""
    prefix = (import_id.int >> 64 & ~(0xF << 12) | 0x8 << 12) << 64 | 0b10 << 62
    return uuid.UUID(int=prefix), uuid.UUID(int=prefix | (1 << 62) - 1)


async def _book(session: AsyncSession, tenant: Tenant, record: BankImport, new: list[_Checked], base: str,
                now: dt.datetime, *, first_sequence: int) -> None:
    first = created_ids(record.id)[0].int + first_sequence
    await transaction_service.insert_imported(session, tenant.tenant_id, TRANSACTION_COLUMNS, (
        (uuid.UUID(int=first + index), item.type, item.amount, item.currency, item.row.date, item.row.description,
         item.row.notes, item.category_id,
         item.amount if item.currency == base else item.conversion.apply(item.amount, base),
         item.conversion.rate, item.row.bank_id)
        for index, item in enumerate(new)), same={
        "created_by_id": tenant.user_id, "status": TransactionStatus.paid, "account_id": record.account_id,
        "base_currency": base, "created_at": now, "updated_at": now})


# ---- undo ----

async def undo_import(session: AsyncSession, tenant: Tenant, import_id: uuid.UUID) -> None:
    """Remove the rows an import created that nobody changed since (see the module docstring)."""
    imports = ImportRepository(session, tenant.tenant_id)
    record = await imports.get_or_raise(import_id, ImportNotFound)
    if record.status in (ImportStatus.queued, ImportStatus.running):
        raise ImportBusy()
    if record.status is not ImportStatus.done:
        return  # failed or already undone: nothing of it is left to remove
    left, removed = await transaction_service.delete_imported(session, tenant.tenant_id, *created_ids(import_id))
    record.status, record.removed, record.kept = ImportStatus.undone, removed, left - removed
    await session.flush()
