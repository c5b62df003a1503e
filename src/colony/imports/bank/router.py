"""HTTP for bank imports: upload a file, read past imports, undo one."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, Response, UploadFile
from pydantic import ValidationError

from colony.core import idempotency
from colony.core.db import commit
from colony.core.deps import CacheDep, DatabaseDep, PageDep, SessionDep, SettingsDep
from colony.core.errors import Forbidden, Unauthorized, ValidationFailed
from colony.core.idempotency import IdempotencyKeyInProgress, IdempotencyKeyReused, KeyHeader
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.imports.bank import runner
from colony.imports.bank import service as import_service
from colony.imports.bank.errors import (
    ImportBusy,
    ImportConflict,
    ImportFileUnreadable,
    ImportInvalid,
    ImportNotFound,
)
from colony.imports.bank.models import ImportFormat, ImportStatus
from colony.imports.bank.schemas import CsvMapping, ImportRead, ImportSummary
from colony.users.deps import TenantCtx

router = APIRouter(prefix="/imports", tags=["imports"])
_AUTH = (Unauthorized, Forbidden)

_DESCRIPTION = """Upload a bank file (multipart field `file`) of transactions: OFX/QFX (1.x SGML or 2.x XML),
QIF, CAMT.053 (ISO 20022 XML) or CSV. The format is detected when `format` is left out. Each row becomes a
paid expense (money out) or income (money in) in its currency, converted to the base currency at the rate
of its date, booked to `account_id` when given.

**CSV**: `mapping` (JSON, see `CsvMapping`) says how to read it: columns and their roles, date format,
decimal separator, sign convention, delimiter, encoding. What it leaves out is detected: headers in
English, German, French, Spanish or Dutch, `,` `;` tab or `|`, UTF-8/cp1252/latin-1, DD.MM.YYYY, DD/MM/YYYY,
MM/DD/YYYY, YYYY-MM-DD or YYYYMMDD (decided over all rows), decimal comma or dot. The import's `mapping`
shows what was used; `save_mapping=true` keeps it for `account_id`, and later CSV imports to that account
without a mapping use it. Colony's own export (`GET /transactions/export`) is one such layout.

**All or nothing**: a file with any bad row → 422 `IMPORT_INVALID` with `details.errors: [{row, message}]`
(the first 1,000; `details.error_count` counts them all), and nothing is written. A file that can't be read
at all (or as the mapping says; XML declaring a DTD or entities is refused) → 422 `IMPORT_FILE_INVALID`.

**Duplicates are skipped**: a row with a bank id (OFX FITID, CAMT AcctSvcrRef) when the tenant has that id;
a row without one when the tenant already has as many transactions with the same date, amount, currency,
type and normalised description as the file has such rows, however they were entered. `skipped` says which
rows and why. So the same file twice, or the tenant's own export, creates nothing.

**Categories**: a category the file names (QIF `L`, a CSV column) among the tenant's, else one the tenant's
history suggests with confidence, else none; an unknown name fails the row only with `strict=true`.

`dry_run=true`: the same report, nothing booked (always at once, whatever the size); the dry run is recorded
(`dry_run: true`). A file over
COLONY_IMPORT_BACKGROUND_KB (2 MiB) is imported in the background: the answer has status `queued`; poll
`GET /imports/{id}` for `status` (`running`, then `done` or `failed` with its `errors`) and `rows_done`.
`Idempotency-Key` is honoured."""


async def _mapping(mapping: str | None) -> CsvMapping | None:
    if mapping is None or not mapping.strip():
        return None
    try:
        return CsvMapping.model_validate_json(mapping)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValidationFailed("body.mapping", f"{where + ': ' if where else ''}{first['msg']}") from None


@router.post("", status_code=201, response_model=ImportRead, description=_DESCRIPTION,
             responses=error_responses(*_AUTH, ImportInvalid, ImportFileUnreadable, ImportConflict,
                                       IdempotencyKeyReused, IdempotencyKeyInProgress))
async def create_import(
    request: Request, background: BackgroundTasks, ctx: TenantCtx, session: SessionDep, database: DatabaseDep,
    cache: CacheDep, settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The bank file")],
    format: Annotated[ImportFormat | None, Form(description="Detected when left out")] = None,
    account_id: Annotated[uuid.UUID | None, Form(description="The tenant's account to book the rows to")] = None,
    currency: Annotated[str | None, Form(description="The currency of rows whose file names none (default: the "
                                                     "base currency)", min_length=3, max_length=3)] = None,
    mapping: Annotated[str | None, Form(description="CSV only: a `CsvMapping` as JSON")] = None,
    save_mapping: Annotated[bool, Form(description="Keep the CSV mapping used for `account_id`")] = False,
    dry_run: Annotated[bool, Form(description="Report without booking anything")] = False,
    strict: Annotated[bool, Form(description="A category name the tenant doesn't have fails its row")] = False,
    idempotency_key: KeyHeader = None,
) -> Response:
    upload = file.file  # at most COLONY_MAX_UPLOAD_MB (core.limits), spooled to disk past 1 MiB by the form parser
    import_request = import_service.ImportRequest(
        file_name=file.filename or "upload", format=format, account_id=account_id,
        currency=currency.upper() if currency else None, mapping=await _mapping(mapping), save_mapping=save_mapping,
        dry_run=dry_run, strict=strict)
    options = repr((format, account_id, currency, mapping, save_mapping, dry_run, strict)).encode()
    idem = await idempotency.for_upload(request, idempotency_key, file, options)
    created: list[ImportRead] = []

    async def work() -> ImportRead:
        read = await import_service.create_import(session, ctx, upload, import_request,
                                                  background_bytes=settings.import_background_kb * 1024)
        created.append(read)
        return read

    response = await idem.respond(session, ctx.user_id, work)
    if created and created[0].status is ImportStatus.queued:  # run once the answer is sent
        background.add_task(runner.run_queued, database, cache, ctx.tenant_id, created[0].id)
    return response


@router.get("", response_model=Page[ImportSummary], responses=error_responses(*_AUTH))
async def list_imports(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[ImportSummary]:
    """The tenant's imports, newest first."""
    return await import_service.list_imports(session, ctx, page)


@router.get("/{import_id}", response_model=ImportRead, responses=error_responses(*_AUTH, ImportNotFound))
async def get_import(import_id: uuid.UUID, ctx: TenantCtx, session: SessionDep, cache: CacheDep) -> ImportRead:
    """An import with its report: counts, the rows skipped and why, a failed one's errors, its progress."""
    return await import_service.get_import(session, cache, ctx, import_id)


@router.delete("/{import_id}", status_code=204, responses=error_responses(*_AUTH, ImportNotFound, ImportBusy),
               description="Undo an import: the transactions it created are deleted, except those edited since "
                           "(they are the user's now; `kept` counts them). The import stays listed as `undone` "
                           "with `removed` and `kept`; undoing it again changes nothing. A queued or running "
                           "import → 409 IMPORT_NOT_FINISHED.")
async def undo_import(import_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    await import_service.undo_import(session, ctx, import_id)
    await commit(session)
    return Response(status_code=204)
