"""HTTP for the whole-tenant export (`GET /users/me/export`) and its restore (`POST /users/me/import`).

The users domain serves `/users/me` itself (GET, PATCH, DELETE); these two paths sit beside it."""

import tempfile
from typing import Annotated, Any, BinaryIO, Literal, cast

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from colony.core import clock, idempotency
from colony.core.deps import CacheDep, SessionDep, SnapshotSessionDep
from colony.core.errors import Forbidden, PayloadTooLarge, Unauthorized, ValidationFailed
from colony.core.idempotency import IdempotencyKeyInProgress, IdempotencyKeyReused, KeyHeader
from colony.core.openapi import error_responses
from colony.portability import service as portability_service
from colony.portability.errors import ExportDocumentInvalid, TenantNotEmpty
from colony.portability.schemas import RestoreReport
from colony.portability.sections import FORMAT, SECTIONS, VERSION
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/users/me", tags=["users"])

_READ_CHUNK = 1024 * 1024
_MEDIA_TYPES = {"json": "application/json", "zip": "application/zip"}


def _document_schema() -> dict[str, Any]:
    sections = {section.name: {"type": "array", "items": {"type": "object"},
                               "description": "Rows with the fields " + ", ".join(f"`{name}`"
                                                                                  for name in section.column_names)}
                for section in SECTIONS}
    return {"type": "object", "required": ["format", "version", "base_currency"], "properties": {
        "format": {"type": "string", "enum": [FORMAT]},
        "version": {"type": "integer", "enum": [VERSION]},
        "exported_at": {"type": "string", "format": "date-time"},
        "base_currency": {"type": "string", "example": "EUR"},
        "colony_version": {"type": "string"},
        **sections}}


@router.get(
    "/export", response_class=StreamingResponse,
    responses={200: {"description": "The document, streamed: JSON, or with `format=zip` a zip archive of "
                                    "`manifest.json` and one `<section>.csv` per section",
                     "content": {"application/json": {"schema": _document_schema()},
                                 "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
               **error_responses(Unauthorized, Forbidden)},
    description=f"Everything the tenant owns as one document (`format: \"{FORMAT}\"`, `version: {VERSION}`; "
                "described field by field in docs/EXPORT.md): the header, then one array per section in a fixed "
                "order (" + ", ".join(f"`{section.name}`" for section in SECTIONS) + "). Ids are UUID text, "
                "amounts exact decimal strings, dates `YYYY-MM-DD`, timestamps ISO 8601 UTC. Securities and their "
                "prices come along for the holdings and investment transactions that name them. Read in one "
                "snapshot and streamed: memory stays flat whatever the tenant's size. `format=zip` gives the "
                "same rows as CSV files (UTF-8, a header row each) for spreadsheets; the restore reads the JSON "
                "document. Anyone in the tenant may export it.",
)
async def export_tenant(
    ctx: TenantCtx, session: SnapshotSessionDep,
    format: Annotated[Literal["json", "zip"], Query(description="`json` (the document) or `zip` (CSV files)")]
    = "json",
) -> StreamingResponse:
    exporter = portability_service.export_zip if format == "zip" else portability_service.export_json
    filename = portability_service.export_filename(clock.today(), format)
    return StreamingResponse(exporter(session, ctx), media_type=_MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def _json_body(request: Request) -> UploadFile:
    """A document sent as the request's JSON body, spooled like an uploaded file (to disk past 1 MiB)."""
    spooled = tempfile.SpooledTemporaryFile(max_size=_READ_CHUNK)  # noqa: SIM115 - the UploadFile's to close
    document = UploadFile(cast(BinaryIO, spooled), filename="document.json")
    async for chunk in request.stream():
        await document.write(chunk)
    await document.seek(0)
    return document


@router.post(
    "/import", status_code=201, response_model=RestoreReport,
    responses={201: {"description": "Restored: what was created"},
               **error_responses(Unauthorized, Forbidden, TenantNotEmpty, ExportDocumentInvalid, PayloadTooLarge,
                                 IdempotencyKeyReused, IdempotencyKeyInProgress)},
    description="Restore a document that `GET /users/me/export` wrote (as the JSON body, or as the multipart "
                "field `file`; at most COLONY_MAX_UPLOAD_MB either way, read as a stream) into the caller's "
                "tenant, which must be empty: a tenant "
                "that holds anything but the starter categories of a new account → 409 TENANT_NOT_EMPTY (with "
                "`details.sections`: what it holds); the starter categories make way for the document's. The "
                "document may come from this server or another. Every row comes back with its links; ids are "
                "kept where they are free on this server, else new ones are given and the links follow. "
                "Securities are matched by symbol with this server's (a missing one is added), and prices are "
                "added for the days this server lacks. The tenant takes the document's base currency.\n\n"
                "All or nothing: a document that is not a Colony export, or any row that breaks a rule (a field "
                "unknown, missing or invalid, a link to a row that is not in the document, a security quoted in "
                "another currency here) → 422 EXPORT_DOCUMENT_INVALID with `details.errors: [{field, message}]` "
                "(`field` such as `transactions[12].amount`), and nothing is written. The tenant's owner only.",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": _document_schema()}}}},
)
async def import_tenant(request: Request, ctx: OwnerCtx, session: SessionDep, cache: CacheDep,
                        file: Annotated[UploadFile | None, File(description="A JSON document from GET "
                                                                            "/users/me/export")] = None,
                        idempotency_key: KeyHeader = None) -> Response:
    if file is None:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise ValidationFailed("body", "Send the document as the JSON body or as the multipart field `file`")
        file = await _json_body(request)
    idem = await idempotency.for_upload(request, idempotency_key, file)
    return await idem.respond(session, ctx.user_id,
                              lambda: portability_service.restore(session, cache, ctx, file), status_code=201)
