"""Savings-goal rules: progress derived from contributions, achieved when they reach the target.

Contributions to one goal are serialised by a lock on the goal's row (SQLite serialises every writer
already), and the status is recomputed from SUM(contributions) after each insert in the same
transaction: forty concurrent contributions are forty rows, and the one that reaches the target
always sees the thirty-nine before it.
"""

import uuid
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock, money
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.goals.errors import GoalCancelled, GoalNotFound
from colony.goals.models import Goal, GoalContribution, GoalStatus
from colony.goals.repository import ContributionRepository, GoalRepository
from colony.goals.schemas import ContributionCreate, ContributionRead, GoalCreate, GoalRead, GoalUpdate

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def months_left(today: date, due: date) -> int:
    """Whole months from today to the due date, a started month counting as one; at least 1."""
    months = (due.year - today.year) * 12 + (due.month - today.month)
    if due.day > today.day:
        months += 1
    return max(1, months)


def to_read(goal: Goal, current: Decimal, today: date) -> GoalRead:
    currency = goal.currency
    current = money.quantize(current, currency)
    target = money.quantize(goal.target_amount, currency)
    remaining = max(target - current, Decimal(0))
    progress = min(current * HUNDRED / target, HUNDRED).quantize(CENT, rounding=ROUND_HALF_EVEN)
    monthly: Decimal | None = None
    if goal.due_date is not None:
        monthly = (remaining / months_left(today, goal.due_date)).quantize(money.quantum(currency),
                                                                            rounding=ROUND_CEILING)
    return GoalRead(id=goal.id, name=goal.name, target_amount=target, currency=currency, due_date=goal.due_date,
                    status=goal.status, current_amount=current, progress_percent=progress,
                    remaining=money.quantize(remaining, currency), monthly_needed=monthly,
                    created_at=goal.created_at, updated_at=goal.updated_at)


def _contribution_read(contribution: GoalContribution, currency: str) -> ContributionRead:
    read = ContributionRead.model_validate(contribution)
    read.amount = money.quantize(read.amount, currency)
    return read


async def _get(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID, *, for_update: bool = False) -> Goal:
    repo = GoalRepository(session, tenant.tenant_id)
    goal = await (repo.get_for_update(goal_id) if for_update else repo.get(goal_id))
    if goal is None:
        raise GoalNotFound()
    return goal


async def _current(session: AsyncSession, tenant: Tenant, goal: Goal) -> Decimal:
    return (await GoalRepository(session, tenant.tenant_id).sums([goal.id])).get(goal.id, Decimal(0))


def _settle(goal: Goal, current: Decimal) -> None:
    """active ↔ achieved follows the contributions; cancelled stays cancelled."""
    if goal.status is not GoalStatus.cancelled:
        goal.status = GoalStatus.achieved if current >= goal.target_amount else GoalStatus.active


async def list_goals(session: AsyncSession, tenant: Tenant, params: PageParams) -> Page[GoalRead]:
    repo = GoalRepository(session, tenant.tenant_id)
    goals, total = await repo.list(params)
    sums = await repo.sums([g.id for g in goals])
    today = clock.today()
    return Page[GoalRead].build([to_read(g, sums.get(g.id, Decimal(0)), today) for g in goals], total, params)


async def get(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID) -> GoalRead:
    goal = await _get(session, tenant, goal_id)
    return to_read(goal, await _current(session, tenant, goal), clock.today())


async def create(session: AsyncSession, tenant: Tenant, data: GoalCreate) -> GoalRead:
    goal = Goal(created_by_id=tenant.user_id, status=GoalStatus.active, **data.model_dump())
    await GoalRepository(session, tenant.tenant_id).add(goal)
    return to_read(goal, Decimal(0), clock.today())


async def update(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID, data: GoalUpdate) -> GoalRead:
    goal = await _get(session, tenant, goal_id, for_update=True)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "target_amount" in changes or "currency" in changes:
        try:
            changes["target_amount"] = money.check_amount(changes.get("target_amount", goal.target_amount),
                                                          changes.get("currency", goal.currency))
        except money.MoneyError as exc:
            raise ValidationFailed("body.target_amount", str(exc)) from None
    if changes.get("status") is GoalStatus.achieved:
        raise ValidationFailed("body.status", "a goal is achieved by its contributions; set active or cancelled")
    for field, value in changes.items():
        setattr(goal, field, value)
    current = await _current(session, tenant, goal)
    _settle(goal, current)
    await session.flush()
    return to_read(goal, current, clock.today())


async def delete(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID) -> None:
    goal = await _get(session, tenant, goal_id)
    await GoalRepository(session, tenant.tenant_id).delete(goal)


async def contribute(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID, data: ContributionCreate
                     ) -> ContributionRead:
    goal = await _get(session, tenant, goal_id, for_update=True)
    if goal.status is GoalStatus.cancelled:
        raise GoalCancelled()
    try:
        amount = money.check_amount(data.amount, goal.currency)
    except money.MoneyError as exc:
        raise ValidationFailed("body.amount", str(exc)) from None
    contribution = GoalContribution(goal_id=goal.id, created_by_id=tenant.user_id, amount=amount, date=data.date,
                                    note=data.note)
    await ContributionRepository(session, tenant.tenant_id).add(contribution)
    _settle(goal, await _current(session, tenant, goal))  # recomputed after the insert, under the lock
    await session.flush()
    return _contribution_read(contribution, goal.currency)


async def list_contributions(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID, params: PageParams
                             ) -> Page[ContributionRead]:
    goal = await _get(session, tenant, goal_id)
    rows, total = await ContributionRepository(session, tenant.tenant_id).list(goal.id, params)
    return Page[ContributionRead].build([_contribution_read(row, goal.currency) for row in rows], total, params)
