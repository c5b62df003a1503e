"""HTTP for the CSV export and import of transactions (`/transactions/export`, `/transactions/import`;
the transaction routes match ids as UUIDs only, so these paths are never taken for one)."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from colony.core import clock, idempotency
from colony.core.deps import SessionDep, SnapshotSessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyKeyInProgress, IdempotencyKeyReused, KeyHeader
from colony.core.openapi import error_responses
from colony.imports import service as import_service
from colony.imports.errors import ImportConflict, ImportFileInvalid
from colony.imports.schemas import ImportReport
from colony.transactions.schemas import TransactionFilters
from colony.users.deps import TenantCtx

router = APIRouter(prefix="/transactions", tags=["transactions"])

_AUTH = (Unauthorized, Forbidden)


@router.get(
    "/export", response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                     "description": "The filtered transactions as CSV, header row "
                                    "`" + ",".join(import_service.EXPORT_HEADER) + "`, streamed"},
               **error_responses(*_AUTH)},
    description="Every transaction matching the list's filters (the same query parameters as `GET "
                "/transactions`, without pagination), in the list's order, as CSV (UTF-8). Amounts have their "
                "currency's decimals; `category` and `payment_method` are names. Text cells that a spreadsheet "
                "would run as a formula (starting with = + - @) are prefixed with `'`. Streamed: memory stays "
                "flat whatever the number of rows.",
)
async def export_transactions(
    ctx: TenantCtx, session: SnapshotSessionDep, query: Annotated[TransactionFilters, Query()],
    format: Annotated[Literal["csv"], Query(description="Only `csv` for now")] = "csv",
) -> StreamingResponse:
    filename = import_service.export_filename(clock.today())
    return StreamingResponse(import_service.export_csv(session, ctx, query.filters()),
                             media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post(
    "/import", response_model=ImportReport,
    responses=error_responses(*_AUTH, ImportFileInvalid, ImportConflict, IdempotencyKeyReused,
                              IdempotencyKeyInProgress),
    description="Upload a CSV file (multipart field `file`, UTF-8, within COLONY_MAX_UPLOAD_MB: 20 MiB by "
                "default) with a header row and the columns `date` (YYYY-MM-DD), `amount`, `currency`, "
                "`description`, `type` (expense|income) and `category` (a name, case-insensitive, among the "
                "tenant's categories of the row's type; empty: none); optional `notes` and `status` (paid|planned, "
                "default paid); other columns are ignored, so an export can be imported. Amounts and text follow "
                "the API's rules; each row is converted to the base currency at the rate of its date.\n\n"
                "The answer is always 200 with a report. **All or nothing:** if any row has an error, nothing is "
                "created (`created: 0`) and `errors` lists every problem with its row number (the header is "
                "row 1). Rows imported before (same date, amount, currency, description and type, counting "
                "identical rows within the file) are skipped and counted in `skipped_duplicates`: the same file "
                "twice creates nothing the second time. A file that can't be read as a whole (not UTF-8, a "
                "required column missing, a field over 131,072 characters) → 422 IMPORT_FILE_INVALID; an upload "
                "over COLONY_MAX_UPLOAD_MB → 413 PAYLOAD_TOO_LARGE, refused before it is read.",
)
async def import_transactions(request: Request, ctx: TenantCtx, session: SessionDep,
                              file: Annotated[UploadFile, File(description="The CSV file")],
                              idempotency_key: KeyHeader = None) -> Response:
    content = await file.read()  # at most COLONY_MAX_UPLOAD_MB: core.limits refused a larger body unread
    idem = idempotency.for_content(request, idempotency_key, content)
    return await idem.respond(session, ctx.user_id, lambda: import_service.import_csv(session, ctx, content),
                              status_code=200)
