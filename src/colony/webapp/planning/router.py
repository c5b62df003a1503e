"""Budgets (budget vs actual per category), cycles (the cycle summary) and goals (progress, contributions).

Anyone in the tenant reads them; adding a contribution to a goal is the owner's, as in the API.
"""

import uuid
from typing import Annotated

from fastapi import Form, Response
from pydantic import ValidationError

from colony.budgets.errors import BudgetNotFound
from colony.core.db import commit
from colony.core.deps import SessionDep
from colony.core.errors import RuleViolation
from colony.cycles.errors import CycleNotFound
from colony.exchange_rates.errors import RateNotAvailable
from colony.goals import service as goal_service
from colony.goals.errors import GoalCancelled, GoalNotFound
from colony.users.errors import OwnerOnly
from colony.webapp.deps import OwnerForm, Viewer, ViewerDep
from colony.webapp.forms import field_errors, problems
from colony.webapp.planning import service as planning_service
from colony.webapp.planning.forms import ContributionForm
from colony.webapp.routing import page_responses, page_router, see_other
from colony.webapp.templating import render

router = page_router()


# ---- budgets ----

async def _budgets(viewer: Viewer, session: SessionDep, budget_id: uuid.UUID | None) -> Response:
    shown = await planning_service.budget_page(session, viewer.tenant, viewer.fmt.today(), budget_id)
    chart = planning_service.budget_chart(shown.report, viewer.fmt) if shown.report and shown.report.entries else None
    return render("planning/budgets.html", viewer=viewer, current="/app/budgets", title="Budgets", page=shown,
                  chart=chart)


@router.get("/budgets", responses=page_responses(RateNotAvailable))
async def budgets(viewer: ViewerDep, session: SessionDep) -> Response:
    """The budget whose period holds today (else the latest): budgeted, spent and remaining, overall and per
    category, as `GET /budgets/{id}/report`."""
    return await _budgets(viewer, session, None)


@router.get("/budgets/{budget_id}", responses=page_responses(BudgetNotFound, RateNotAvailable))
async def budget(budget_id: uuid.UUID, viewer: ViewerDep, session: SessionDep) -> Response:
    """One budget of the tenant against its spending (another tenant's: 404)."""
    return await _budgets(viewer, session, budget_id)


# ---- cycles ----

async def _cycles(viewer: Viewer, session: SessionDep, cycle_id: uuid.UUID | None) -> Response:
    shown = await planning_service.cycle_page(session, viewer.tenant, cycle_id)
    chart = (planning_service.cycle_chart(shown.summary, viewer.fmt)
             if shown.summary and shown.summary.by_category else None)
    return render("planning/cycles.html", viewer=viewer, current="/app/cycles", title="Cycles", page=shown,
                  chart=chart)


@router.get("/cycles", responses=page_responses(RateNotAvailable))
async def cycles(viewer: ViewerDep, session: SessionDep) -> Response:
    """The active cycle's summary (else the latest cycle's): income, planned, paid, remaining, by category, as
    `GET /cycles/{id}/summary`."""
    return await _cycles(viewer, session, None)


@router.get("/cycles/{cycle_id}", responses=page_responses(CycleNotFound, RateNotAvailable))
async def cycle(cycle_id: uuid.UUID, viewer: ViewerDep, session: SessionDep) -> Response:
    """One cycle's summary (another tenant's: 404)."""
    return await _cycles(viewer, session, cycle_id)


# ---- goals ----

@router.get("/goals", responses=page_responses())
async def goals(viewer: ViewerDep, session: SessionDep) -> Response:
    """Every goal with its progress, what remains and what it needs each month to be on time."""
    return render("planning/goals.html", viewer=viewer, current="/app/goals", title="Goals",
                  goals=await planning_service.goals(session, viewer.tenant))


async def _goal(viewer: Viewer, session: SessionDep, goal_id: uuid.UUID, form: ContributionForm,
                errors: dict[str, str], status: int = 200) -> Response:
    shown = await planning_service.goal_page(session, viewer.tenant, goal_id)
    return render("planning/goal.html", status, viewer=viewer, current="/app/goals", title=shown.goal.name,
                  page=shown, form=form, errors=errors)


@router.get("/goals/{goal_id}", responses=page_responses(GoalNotFound))
async def goal(goal_id: uuid.UUID, viewer: ViewerDep, session: SessionDep) -> Response:
    """One goal with its contributions (another tenant's: 404), and for the owner the form to add one."""
    return await _goal(viewer, session, goal_id, ContributionForm(date=str(viewer.fmt.today())), {})


@router.post("/goals/{goal_id}/contributions", status_code=303, responses=page_responses(
    GoalNotFound, GoalCancelled, OwnerOnly, form=True, done="Added: back to the goal"))
async def contribute(goal_id: uuid.UUID, viewer: OwnerForm, session: SessionDep,
                     form: Annotated[ContributionForm, Form()]) -> Response:
    """Add a contribution (the API's `POST /goals/{id}/contributions`; the owner's, 403 for a sub-user)."""
    try:
        await goal_service.contribute(session, viewer.tenant, goal_id, form.to_create(viewer.fmt.locale))
        await commit(session)
    except ValidationError as exc:
        return await _goal(viewer, session, goal_id, form, field_errors(exc), 422)
    except (RuleViolation, GoalCancelled) as exc:
        await session.rollback()  # the goal's row lock goes; the session reads the page again
        return await _goal(viewer, session, goal_id, form, problems(exc), exc.status_code)
    return see_other(f"/app/goals/{goal_id}")
