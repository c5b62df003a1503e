"""The transactions page: filters, search and paging (htmx swaps the results in place), add, edit and delete
through the API's own transaction service, and the import of a bank file through the bank imports service.

Every form works without JavaScript (a POST answered by a 303 back to the list); with htmx, the same routes
answer fragments: the results of a filter or a page, a form with its problems, a row removed, a message.
Sub-users may do all of it, as in the API.
"""

import uuid
from typing import Annotated, Any

from fastapi import BackgroundTasks, File, Form, Query, Request, Response, UploadFile
from pydantic import ValidationError

from colony.core.db import commit
from colony.core.deps import CacheDep, DatabaseDep, SessionDep, SettingsDep
from colony.core.errors import RuleViolation
from colony.core.schemas import PageParams
from colony.exchange_rates.errors import RateNotAvailable
from colony.imports.bank import runner
from colony.imports.bank import service as import_service
from colony.imports.bank.errors import ImportConflict, ImportFileUnreadable, ImportInvalid, ImportNotFound
from colony.imports.bank.models import ImportStatus
from colony.imports.bank.schemas import ImportRead
from colony.transactions import service as transaction_service
from colony.transactions.errors import CycleAlreadyCompleted, TransactionIsTransferLeg, TransactionNotFound
from colony.webapp.deps import FormViewer, Viewer, ViewerDep
from colony.webapp.forms import field_errors, problems
from colony.webapp.routing import is_htmx, page_responses, page_router, see_other
from colony.webapp.templating import render
from colony.webapp.transactions import service as page_service
from colony.webapp.transactions.forms import FilterForm, TransactionForm

router = page_router(prefix="/transactions")
PAGE_SIZE = 25
LIST_PATH = "/app/transactions"
RESULTS = "results"  # the id of the element htmx swaps with the list's results
CHANGED = {"HX-Trigger": "transactions-changed"}  # the results reload themselves, with the filters in place
WRITE_ERRORS = (TransactionNotFound, RateNotAvailable, CycleAlreadyCompleted, TransactionIsTransferLeg)
# What a write may refuse, shown with the form (a missing row is a 404 page instead).
FORM_ERRORS = (RuleViolation, CycleAlreadyCompleted, TransactionIsTransferLeg)


async def _listing(viewer: Viewer, session: SessionDep, filters: FilterForm) -> dict[str, Any]:
    """The results of the filters (or their problems), with the names the table shows."""
    choices = await page_service.choices(session, viewer.tenant)
    context: dict[str, Any] = {"viewer": viewer, "filters": filters, "choices": choices, "filter_errors": {},
                               "results": None}
    try:
        query = filters.filters()
    except ValidationError as exc:
        context["filter_errors"] = field_errors(exc)
        return context
    except RuleViolation as exc:
        context["filter_errors"] = problems(exc)
        return context
    params = PageParams(page=filters.page_number(), size=PAGE_SIZE)
    context["results"] = await transaction_service.list_transactions(session, viewer.tenant, query, params)
    return context


def _status(context: dict[str, Any]) -> int:
    return 422 if context["filter_errors"] else 200


@router.get("", responses=page_responses())
async def transactions_page(request: Request, viewer: ViewerDep, session: SessionDep,
                            filters: Annotated[FilterForm, Query()]) -> Response:
    """The list with its filters (`start_date`, `end_date`, `category_id`, `type`, `status`, `q`) and `page`;
    an htmx request aimed at the results gets just them. Invalid filters: 422, with their problems."""
    context = await _listing(viewer, session, filters)
    if is_htmx(request) and request.headers.get("HX-Target") == RESULTS:  # the address bar shows the filters set
        query = filters.query()
        return render("transactions/_results.html", _status(context),
                      {"HX-Push-Url": f"{LIST_PATH}?{query}" if query else LIST_PATH}, **context)
    form = TransactionForm.blank(viewer.tenant.base_currency, str(viewer.fmt.today()))
    return render("transactions/page.html", _status(context), current=LIST_PATH, title="Transactions",
                  form=form, errors={}, **context)


@router.post("", responses=page_responses(*WRITE_ERRORS, form=True, done="Added: back to the list"))
async def add_transaction(request: Request, viewer: FormViewer, session: SessionDep,
                          form: Annotated[TransactionForm, Form()]) -> Response:
    """Add an expense or an income (the API's `POST /transactions`). With htmx: the emptied form and a message
    (the results reload themselves); else a 303 back to the list. Invalid fields: 422 and the form again."""
    errors: dict[str, str] = {}
    try:
        added = await transaction_service.create(session, viewer.tenant, form.to_create(viewer.fmt.locale))
        await commit(session)
    except ValidationError as exc:
        errors = field_errors(exc)
    except FORM_ERRORS as exc:
        await session.rollback()  # nothing of the refused write stays; the session reads the page again
        errors = problems(exc)
    if not errors and not is_htmx(request):
        return see_other(LIST_PATH)
    if errors and not is_htmx(request):
        context = await _listing(viewer, session, FilterForm())
        return render("transactions/page.html", 422, current=LIST_PATH, title="Transactions", form=form,
                      errors=errors, **context)
    choices = await page_service.choices(session, viewer.tenant)
    if errors:
        return render("transactions/_form.html", 422, viewer=viewer, form=form, errors=errors, choices=choices)
    blank = TransactionForm.blank(form.currency.strip().upper(), form.date)
    return render("transactions/_added.html", headers=CHANGED, viewer=viewer, form=blank, errors={}, added=added,
                  choices=choices)


@router.get("/{transaction_id:uuid}/edit", responses=page_responses(TransactionNotFound))
async def edit_page(transaction_id: uuid.UUID, viewer: ViewerDep, session: SessionDep, back: str = "") -> Response:
    """The edit form of one transaction of the tenant (another tenant's: 404)."""
    tx = await transaction_service.get(session, viewer.tenant, transaction_id)
    choices = await page_service.choices(session, viewer.tenant)
    return render("transactions/edit.html", viewer=viewer, current=LIST_PATH, title="Edit a transaction", tx=tx,
                  form=TransactionForm.of(tx), errors={}, choices=choices, back=_back(back))


def _back(query: str) -> str:
    """The list the edit form came from: its filters and page (a query string: the path is always the list)."""
    return f"{LIST_PATH}?{query}" if query else LIST_PATH


@router.post("/{transaction_id:uuid}", status_code=303, responses=page_responses(*WRITE_ERRORS, form=True,
                                                                 done="Saved: back to the list"))
async def update_transaction(transaction_id: uuid.UUID, viewer: FormViewer, session: SessionDep,
                             form: Annotated[TransactionForm, Form()], back: str = "") -> Response:
    """Change a transaction (the API's `PATCH /transactions/{id}` with every field of the form)."""
    try:
        await transaction_service.update(session, viewer.tenant, transaction_id, form.to_update(viewer.fmt.locale))
        await commit(session)
    except ValidationError as exc:
        errors = field_errors(exc)
    except FORM_ERRORS as exc:
        await session.rollback()  # nothing of the refused change stays; the session reads the form again
        errors = problems(exc)
    else:
        return see_other(_back(back))
    tx = await transaction_service.get(session, viewer.tenant, transaction_id)
    choices = await page_service.choices(session, viewer.tenant)
    return render("transactions/edit.html", 422, viewer=viewer, current=LIST_PATH, title="Edit a transaction",
                  tx=tx, form=form, errors=errors, choices=choices, back=_back(back))


@router.post("/{transaction_id:uuid}/delete", responses=page_responses(
    TransactionNotFound, CycleAlreadyCompleted, TransactionIsTransferLeg, form=True,
    done="Deleted: back to the list (htmx: the row is removed)"))
async def delete_transaction(request: Request, transaction_id: uuid.UUID, viewer: FormViewer,
                             session: SessionDep, back: str = "") -> Response:
    """Delete a transaction (the API's `DELETE /transactions/{id}`)."""
    await transaction_service.delete(session, viewer.tenant, transaction_id)
    await commit(session)
    if is_htmx(request):
        return render("transactions/_deleted.html", headers=CHANGED)
    return see_other(_back(back))


# ---- importing a bank file ----

@router.post("/import", responses=page_responses(ImportInvalid, ImportFileUnreadable, ImportConflict, form=True))
async def import_file(viewer: FormViewer, session: SessionDep, database: DatabaseDep, cache: CacheDep,
                      settings: SettingsDep, background: BackgroundTasks,
                      file: Annotated[UploadFile, File(description="An OFX/QFX, QIF, CAMT.053 or CSV file")],
                      dry_run: Annotated[bool, Form(description="Only show what would be imported")] = False,
                      csrf_token: Annotated[str, Form()] = "") -> Response:  # checked by FormViewer
    """Import a bank file with the API's `POST /imports` (its format detected, its duplicates skipped, all or
    nothing) and show its report; a file with bad rows: 422 and the rows' problems, nothing imported."""
    request = import_service.ImportRequest(file_name=file.filename or "upload", dry_run=dry_run)
    try:  # the upload as the form parser spooled it (at most COLONY_MAX_UPLOAD_MB: core.limits)
        report = await import_service.create_import(session, viewer.tenant, file.file, request,
                                                    background_bytes=settings.import_background_kb * 1024)
        await commit(session)
    except (ImportInvalid, ImportFileUnreadable) as exc:
        rows = exc.details.get("errors", []) if isinstance(exc.details, dict) else []
        return render("transactions/import.html", exc.status_code, viewer=viewer, current=LIST_PATH,
                      title="Import", report=None, problem=exc.detail_message, rows=rows,
                      file_name=file.filename or "")
    if report.status is ImportStatus.queued:  # a large file: imported once the answer is sent
        background.add_task(runner.run_queued, database, cache, viewer.tenant.tenant_id, report.id)
    return _report_page(viewer, report)


@router.get("/imports/{import_id}", responses=page_responses(ImportNotFound))
async def import_report(request: Request, import_id: uuid.UUID, viewer: ViewerDep, session: SessionDep,
                        cache: CacheDep) -> Response:
    """An import's report; while it runs in the background, htmx reloads it every two seconds."""
    report = await import_service.get_import(session, cache, viewer.tenant, import_id)
    if is_htmx(request):
        return render("transactions/_import_report.html", viewer=viewer, report=report)
    return _report_page(viewer, report)


def _report_page(viewer: Viewer, report: ImportRead) -> Response:
    return render("transactions/import.html", viewer=viewer, current=LIST_PATH, title="Import", report=report,
                  problem=None, rows=[], file_name=report.file_name)
