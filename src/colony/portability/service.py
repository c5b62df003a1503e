"""Whole-tenant export and restore (the format: sections.py, and docs/EXPORT.md for people).

Export: the header, then every section in document order, each read through a server-side cursor and
written a batch at a time, all inside one read transaction that sees one snapshot: memory stays flat
whatever the tenant's size, and a row never names a row that the document lacks.

Restore, into an empty tenant only, in the request's one transaction (all or nothing):
1. the tenant's user row is locked and the tenant checked empty; the starter categories of a new tenant
   are the one thing it may hold, and they make way for the document's;
2. the document is read as a stream, section by section in document order, a row at a time: each row is
   checked against its table (types, sizes, currencies, no unknown field), its links must name rows read
   before, and rows go in by batches; an id that is already in use on this server (ids are unique per
   table) gets a new one, and every link to it follows;
3. securities are matched by symbol with those the server has (a new one is added), and prices are added
   for the days the server lacks (its own prices win);
4. the tenant takes the document's base currency (its stored conversions are in it), and the derived
   portfolio state is marked stale from the earliest restored day, so the next read rebuilds it.
Every problem found is reported (up to MAX_ERRORS) with where it is; then nothing is kept.
"""

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from colony import __version__
from colony.categories import service as category_service
from colony.core import clock, money
from colony.core.cache import Cache
from colony.core.tenancy import Tenant
from colony.investments.state import service as state_service
from colony.portability import document
from colony.portability import repository as rows
from colony.portability.errors import ExportDocumentInvalid, TenantNotEmpty
from colony.portability.schemas import RestoreReport
from colony.portability.sections import FORMAT, SECTION_BY_NAME, SECTIONS, VERSION, Section
from colony.transactions import service as transaction_service
from colony.users import service as user_service
from colony.users.schemas import ProfileUpdate

EXPORT_BATCH = 2_000  # rows per read and per written chunk
RESTORE_BATCH = 1_000  # rows per insert
MAX_ERRORS = 100
HEADER_FIELDS = frozenset({"format", "version", "exported_at", "base_currency", "colony_version"})
_STARTER_CATEGORIES = frozenset((name, kind.value) for name, kind in category_service.DEFAULT_CATEGORIES)


# ---- export -----------------------------------------------------------------------------------------------

def _header(tenant: Tenant, now: dt.datetime) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION,
            "exported_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "base_currency": tenant.base_currency, "colony_version": __version__}


def _used_by_tenant(session: AsyncSession, tenant_id: uuid.UUID, target: str) -> Any:
    """The ids of `target` (reference data) that the tenant's exported rows point at."""
    return rows.union_of([rows.tenant_rows(session, tenant_id, section.model).values_of(column)
                          for section in SECTIONS if not section.reference
                          for column, table in section.links.items() if table == target])


def _rows(session: AsyncSession, tenant_id: uuid.UUID, section: Section, batch: int
          ) -> AsyncIterator[Sequence[Any]]:
    if not section.reference:
        return rows.tenant_rows(session, tenant_id, section.model).stream(section.column_names, section.order_by,
                                                                          batch)
    # Reference data: the securities the tenant uses, and the prices of those.
    key, target = ("id", section.name) if section.has_ids else next(iter(section.links.items()))
    condition = section.table.c[key].in_(_used_by_tenant(session, tenant_id, target))
    return rows.reference_rows(session, section.model).stream_where(condition, section.column_names,
                                                                   section.order_by, batch)


async def export_json(session: AsyncSession, tenant: Tenant, *, batch: int = EXPORT_BATCH) -> AsyncIterator[bytes]:
    """The document as JSON, a chunk per batch of rows."""
    await rows.read_one_snapshot(session)
    yield document.json_header(_header(tenant, clock.utcnow()))
    for section in SECTIONS:
        yield document.json_section_start(section.name)
        first = True
        async for found in _rows(session, tenant.tenant_id, section, batch):
            yield document.json_rows(section.column_names, found, first=first)
            first = False
        yield document.JSON_SECTION_END
    yield document.JSON_END


async def export_zip(session: AsyncSession, tenant: Tenant, *, batch: int = EXPORT_BATCH) -> AsyncIterator[bytes]:
    """The document as a zip: `manifest.json` (the header) and one `<section>.csv` per section, header row
    first, a chunk per batch of rows."""
    await rows.read_one_snapshot(session)
    now = clock.utcnow()
    archive = document.ZipWriter(now)
    archive.add("manifest.json", orjson.dumps(_header(tenant, now), option=orjson.OPT_INDENT_2))
    yield archive.take()
    for section in SECTIONS:
        archive.start_csv(f"{section.name}.csv", section.column_names)
        async for found in _rows(session, tenant.tenant_id, section, batch):
            archive.csv_rows((section.encode(row) for row in found), section.free_text)
            if chunk := archive.take():  # the compressor hands over its output as it fills up
                yield chunk
        archive.end_csv()
        yield archive.take()
    archive.close()
    yield archive.take()


def export_filename(today: dt.date, extension: str) -> str:
    return f"colony-export-{today.isoformat()}.{extension}"


# ---- restore ----------------------------------------------------------------------------------------------

class _TooManyErrors(Exception):
    """MAX_ERRORS problems found: reading stops there."""


async def _make_room(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Refuse a tenant that holds anything but the starter categories; remove those (the document brings its
    own). How many were removed."""
    held: dict[str, int] = {}
    for section in SECTIONS:
        if not section.reference:
            count = await rows.tenant_rows(session, tenant_id, section.model).count()
            if count:
                held[section.name] = count
    categories = rows.tenant_rows(session, tenant_id, SECTION_BY_NAME["categories"].model)
    found = await categories.all(("name", "kind", "color", "icon"))
    if all((name, kind.value) in _STARTER_CATEGORIES and color is None and icon is None
           for name, kind, color, icon in found):
        held.pop("categories", None)
    if held:
        raise TenantNotEmpty(details={"sections": held})
    return await categories.delete_where()


def _message(error: Any) -> str:
    if error["type"] == "model_type":
        return "must be an object of the section's fields"
    return str(error["msg"]).removeprefix("Value error, ")


@dataclass
class _Restore:
    session: AsyncSession
    tenant: Tenant
    errors: list[dict[str, str]] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    # Per section: the document's id → the id on this server (for the sections that others link to).
    ids: dict[str, dict[uuid.UUID, uuid.UUID]] = field(default_factory=lambda: defaultdict(dict))
    shared: dict[tuple[str, str], dict[uuid.UUID, uuid.UUID]] = field(default_factory=lambda: defaultdict(dict))
    created: Counter[str] = field(default_factory=Counter)
    ids_changed: int = 0
    earliest: dt.date | None = None
    repriced: set[uuid.UUID] = field(default_factory=set)  # securities that got prices this server lacked
    repriced_from: dt.date | None = None

    def error(self, where: str, message: str) -> None:
        self.errors.append({"field": where, "message": message})
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors()

    # -- the stream ------------------------------------------------------------------------------------

    async def read(self, entries: AsyncIterator[document.Entry]) -> None:
        loading: _SectionLoad | None = None
        position = -1  # the index in SECTIONS of the last section opened
        async for entry in entries:
            if isinstance(entry, document.Field):
                if entry.key not in HEADER_FIELDS:
                    self.error(entry.key, "not a field of a Colony export")
                elif position >= 0:
                    self.error(entry.key, "the header's fields come before the first section")
                self.header[entry.key] = entry.value
            elif isinstance(entry, document.SectionStart):
                if position < 0 and not self.check_header():
                    return
                section = SECTION_BY_NAME.get(entry.name)
                if section is None:
                    self.error(entry.name, "not a section of a Colony export")
                    return
                index = SECTIONS.index(section)
                if index <= position:
                    self.error(entry.name, f"must come before {SECTIONS[position].name} (and appear once): see the "
                                           "order of the sections in the format")
                    return
                position, loading = index, _SectionLoad(self, section)
            elif isinstance(entry, document.Row):
                assert loading is not None
                await loading.add(entry.index, entry.value)
            else:
                assert loading is not None
                await loading.flush()
                loading = None
        if position < 0:
            self.check_header()

    def check_header(self) -> bool:
        """Whether the header says this is a document this server reads (if not, nothing else is read)."""
        header = self.header
        if header.get("format") != FORMAT:
            self.error("format", f"must be {FORMAT!r}: this is not a Colony export")
            return False
        version = header.get("version")
        if version != VERSION or isinstance(version, bool):
            self.error("version", f"version {version!r} is not one this server reads (it reads {VERSION})")
            return False
        base = header.get("base_currency")
        try:
            money.active_currency(base if isinstance(base, str) else "")
        except money.MoneyError:
            self.error("base_currency", "must be an ISO 4217 code in use, such as EUR")
        for name in ("exported_at", "colony_version"):
            if not isinstance(header.get(name, ""), str):
                self.error(name, "must be a string")
        return True

    def reached(self, day: dt.date) -> None:
        if self.earliest is None or day < self.earliest:
            self.earliest = day


class _SectionLoad:
    """One section of the document: rows checked one by one, remapped and inserted by batches."""

    def __init__(self, restore: _Restore, section: Section) -> None:
        self.restore = restore
        self.section = section
        self.pending: list[dict[str, Any]] = []
        self.positions: list[int] = []  # each pending row's index in the section, for what a batch finds
        self.seen: set[int] = set()  # the document's ids in this section, to refuse one given twice
        self.linked = any(section.name in other.links.values() for other in SECTIONS)
        self.stamp_creator = "created_by_id" in section.table.c
        self.dates = [column.name for column in section.columns
                      if isinstance(column.type, sa.Date) and not section.reference]
        self.enums = [index for index, column in enumerate(section.columns) if isinstance(column.type, sa.Enum)]

    @property
    def repository(self) -> rows.TableRows:
        restore, model = self.restore, self.section.model
        if self.section.reference:
            return rows.reference_rows(restore.session, model)
        return rows.tenant_rows(restore.session, restore.tenant.tenant_id, model)

    async def add(self, index: int, value: Any) -> None:
        section, restore = self.section, self.restore
        where = f"{section.name}[{index}]"
        try:
            row = section.row_model.model_validate(value)
        except ValidationError as exc:
            for error in exc.errors():
                restore.error(".".join([where, *(str(part) for part in error["loc"])]), _message(error))
            return
        values: dict[str, Any] = row.__dict__  # the checked values (the model itself is not kept)
        for name, default in section.defaults.items():
            if values[name] is None:
                values[name] = default()
        for column, target in section.links.items():
            linked = values[column]
            if linked is None:
                continue
            found = restore.ids[target].get(linked)
            if found is None:
                restore.error(f"{where}.{column}", f"no row of {target} with id {linked} comes before it in the "
                                                   "document")
                return
            values[column] = found
        if section.has_ids:
            if values["id"].int in self.seen:
                restore.error(f"{where}.id", f"{values['id']} is the id of an earlier row of {section.name}")
                return
            self.seen.add(values["id"].int)
        self.pending.append(values)
        self.positions.append(index)
        if len(self.pending) >= RESTORE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        batch, positions, self.pending, self.positions = self.pending, self.positions, [], []
        if not batch:
            return
        if self.section.name == "securities":
            batch = await self._match_securities(batch, positions)
        if self.section.has_ids:
            await self._keep_free_ids(batch)
        for column in self.section.shared_ids:
            await self._keep_free_shared(batch, column)
        if self.restore.errors or not batch:
            return  # nothing will be kept: only the checks go on
        if self.section.name == "security_prices":
            await self._complete_prices(batch)
            return
        await self._insert(batch)

    async def _keep_free_ids(self, batch: list[dict[str, Any]]) -> None:
        section, restore = self.section, self.restore
        taken = await self.repository.in_use("id", [values["id"] for values in batch])
        for values in batch:
            given = values["id"]
            if given in taken:
                values["id"] = uuid.uuid4()
                restore.ids_changed += 1
            if self.linked:
                restore.ids[section.name][given] = values["id"]

    async def _keep_free_shared(self, batch: list[dict[str, Any]], column: str) -> None:
        restore = self.restore
        known = restore.shared[(self.section.name, column)]
        new = {values[column] for values in batch if values[column] is not None and values[column] not in known}
        taken = await self.repository.in_use(column, new)
        known.update({given: uuid.uuid4() if given in taken else given for given in new})
        for values in batch:
            if values[column] is not None:
                values[column] = known[values[column]]

    async def _match_securities(self, batch: list[dict[str, Any]], positions: list[int]) -> list[dict[str, Any]]:
        """Securities the server already has (by symbol, any case) are used, not added: only the others
        are left in the batch."""
        restore = self.restore
        existing = await rows.SecurityMatches(restore.session).by_symbols([values["symbol"] for values in batch])
        new = []
        for values, position in zip(batch, positions, strict=True):
            found = existing.get(values["symbol"].lower())
            if found is None:
                new.append(values)
                continue
            security_id, currency = found
            if currency != values["currency"]:
                restore.error(f"securities[{position}].currency",
                              f"{values['symbol']} is quoted in {currency} on this server, not {values['currency']}")
            restore.ids["securities"][values["id"]] = security_id
        return new

    async def _complete_prices(self, batch: list[dict[str, Any]]) -> None:
        restore = self.restore
        added = await rows.PricesToComplete(restore.session).add_missing(batch)
        restore.created[self.section.name] += len(added)
        for security_id, day in added:
            restore.repriced.add(security_id)
            if restore.repriced_from is None or day < restore.repriced_from:
                restore.repriced_from = day

    async def _insert(self, batch: list[dict[str, Any]]) -> None:
        section, restore = self.section, self.restore
        names = list(section.column_names)
        records = [[values[name] for name in names] for values in batch]
        for record in records:
            for index in self.enums:  # stored by name; a bulk insert bypasses the column types
                if record[index] is not None:
                    record[index] = record[index].name
        if self.stamp_creator:
            names.append("created_by_id")
            for record in records:
                record.append(restore.tenant.user_id)
        try:
            restore.created[section.name] += await self.repository.insert(names, records)
        except rows.ConstraintViolated as exc:
            restore.error(section.name, f"a row breaks the rule {exc.constraint!r} of this table (a value out of "
                                        "range, or two rows where one is allowed)")
            return
        for values in batch:
            for name in self.dates:
                if values[name] is not None:
                    restore.reached(values[name])


async def restore(session: AsyncSession, cache: Cache, tenant: Tenant, source: document.AsyncReadable
                  ) -> RestoreReport:
    """Bring a document into the caller's empty tenant (flushed, not committed); raises TenantNotEmpty or
    ExportDocumentInvalid, and then nothing it wrote may be kept."""
    await rows.lock_tenant(session, tenant.tenant_id)
    replaced = await _make_room(session, tenant.tenant_id)
    work = _Restore(session, tenant)
    truncated = False
    try:
        await work.read(document.read(source))
    except document.DocumentUnreadable as exc:
        work.errors.append({"field": "", "message": str(exc)})
    except _TooManyErrors:
        truncated = True
    if work.errors:
        raise ExportDocumentInvalid(details={"errors": work.errors, "truncated": truncated})
    base_currency: str = work.header["base_currency"]
    if base_currency != tenant.base_currency:
        await user_service.update_profile(session, cache, tenant.user_id, ProfileUpdate(base_currency=base_currency))
    if work.created["transactions"]:  # loaded in bulk, around the writes that keep them
        await transaction_service.rebuild_totals(session, tenant.tenant_id)
    if work.earliest is not None:
        await state_service.touch(session, tenant.tenant_id, work.earliest)
    if work.repriced and work.repriced_from is not None:
        await state_service.touch_holders(session, work.repriced, work.repriced_from)
    return RestoreReport(created={section.name: work.created[section.name] for section in SECTIONS},
                         ids_changed=work.ids_changed, base_currency=base_currency,
                         replaced_starter_categories=replaced)
