"""Writes the model may only propose. A `propose_*` tool checks its arguments under the caller's tenant and
role, resolves names to ids, and stores a pending action with a preview in words, a 15-minute expiry and a
snapshot of what it would change; nothing else is written. Only the user's confirm (`execute`, outside the
model's loop) writes, through the same service code as the matching endpoint, after checking again that
the target has not changed. A description in the data that says "recategorise everything" can at most
make the model propose, and the user sees the proposal before anything happens.
"""

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from colony.assistant.errors import ActionTargetChanged
from colony.assistant.models import ActionStatus, PendingAction
from colony.assistant.repository import ActionRepository
from colony.assistant.tools import (
    Arguments,
    Outcome,
    Tool,
    ToolContext,
    ToolError,
    categories_of,
    category_id,
    find_category,
)
from colony.categories.models import CategoryKind
from colony.core import clock, money, responses
from colony.core.errors import NotFound
from colony.core.schemas import PageParams
from colony.core.tenancy import Tenant
from colony.goals import service as goal_service
from colony.goals.models import GoalStatus
from colony.goals.schemas import ContributionCreate
from colony.transactions import service as transaction_service
from colony.transactions.schemas import ExpenseCreate, TransactionUpdate
from colony.users.errors import OwnerOnly

PROPOSAL_TTL = dt.timedelta(minutes=15)
S = TypeVar("S", bound=BaseModel)


def _amount(amount: Decimal, currency: str) -> Decimal:
    try:
        return money.check_amount(amount, currency)
    except money.MoneyError as exc:
        raise ToolError("invalid_arguments", f"amount: {exc}") from None


def _validated(build: type[S], **values: Any) -> S:
    try:
        return build(**values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ToolError("invalid_arguments", problems[:500]) from None


async def _propose(ctx: ToolContext, tool: str, arguments: dict[str, Any], preview: str,
                   snapshot: dict[str, Any] | None = None) -> Outcome:
    action = PendingAction(user_id=ctx.tenant.user_id, conversation_id=ctx.conversation_id, tool=tool,
                           arguments=json.loads(responses.dumps(arguments)), preview=preview, snapshot=snapshot,
                           status=ActionStatus.pending, expires_at=clock.utcnow() + PROPOSAL_TTL)
    async with ctx.database.sessionmaker() as session:
        await ActionRepository(session, ctx.tenant.tenant_id).add(action)
        await session.commit()
    return Outcome({"proposal_id": str(action.id), "status": "pending", "preview": preview,
                    "note": "Nothing has been written. The user confirms or rejects this proposal in the app; "
                            "tell them what you proposed."}, proposal_id=action.id)


# ---- the tools ----

class ExpenseProposal(Arguments):
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)
    date: dt.date
    description: str = Field(min_length=1, max_length=500)
    category: str | None = Field(default=None, description="An expense category's name or id")


async def propose_expense(ctx: ToolContext, args: ExpenseProposal) -> Outcome:
    currency = args.currency.upper()
    amount = _amount(args.amount, currency)
    category = await category_id(ctx, args.category, CategoryKind.expense) if args.category else None
    data = _validated(ExpenseCreate, amount=amount, currency=currency, date=args.date,
                      description=args.description, category_id=category)
    preview = f"Add an expense of {money.quantize(amount, currency)} {currency} on {args.date}: “{data.description}”"
    if args.category:
        preview += f", category {args.category}"
    return await _propose(ctx, "propose_expense", data.model_dump(exclude_none=True), preview)


class TransactionUpdateProposal(Arguments):
    transaction_id: uuid.UUID
    category: str | None = Field(default=None, description="A category's name or id")
    description: str | None = Field(default=None, min_length=1, max_length=500)
    notes: str | None = Field(default=None, max_length=5000)


async def propose_transaction_update(ctx: ToolContext, args: TransactionUpdateProposal) -> Outcome:
    if args.category is None and args.description is None and args.notes is None:
        raise ToolError("invalid_arguments", "Nothing to change", hint="Give a category, a description or notes")
    async with ctx.database.reader() as session:
        tx = await transaction_service.get(session, ctx.tenant, args.transaction_id)
    changes: dict[str, Any] = {}
    said: list[str] = []
    if args.category is not None:
        kind = CategoryKind(tx["type"])
        known = await categories_of(ctx, kind)  # once: the new category, and the name of the old one
        chosen = find_category(known, args.category, kind)
        changes["category_id"] = chosen.id
        before = next((c.name for c in known if str(c.id) == tx["category_id"]), None)
        said.append(f"category {before or 'none'} → {chosen.name}")
    if args.description is not None:
        changes["description"] = args.description
        said.append(f"description “{tx['description']}” → “{args.description}”")
    if args.notes is not None:
        changes["notes"] = args.notes
        said.append(f"notes → “{args.notes}”")
    _validated(TransactionUpdate, **changes)
    preview = (f"Change the {tx['type']} of {tx['date']} ({tx['amount']} {tx['currency']}, “{tx['description']}”): "
               + "; ".join(said))
    return await _propose(ctx, "propose_transaction_update", {"transaction_id": tx["id"], **changes}, preview,
                          snapshot={"updated_at": tx["updated_at"].isoformat()})


class GoalContributionProposal(Arguments):
    goal: str = Field(description="The goal's name or id")
    amount: Decimal
    date: dt.date | None = Field(default=None, description="Default: today")


async def propose_goal_contribution(ctx: ToolContext, args: GoalContributionProposal) -> Outcome:
    if not ctx.tenant.is_owner:
        raise ToolError("forbidden", "Only the account owner may contribute to goals")
    async with ctx.database.reader() as session:
        goals = (await goal_service.list_goals(session, ctx.tenant, PageParams(size=100))).items
    wanted = args.goal.strip().casefold()
    goal = next((g for g in goals if str(g.id) == wanted or g.name.casefold() == wanted), None)
    if goal is None:
        raise ToolError("unknown_goal", f"No goal is called {args.goal!r}", hint="Call get_goals for the names")
    if goal.status is GoalStatus.cancelled:
        raise ToolError("goal_cancelled", f"The goal “{goal.name}” is cancelled")
    amount = _amount(args.amount, goal.currency)
    day = args.date or clock.today()
    data = _validated(ContributionCreate, amount=amount, date=day)
    preview = (f"Add {money.quantize(amount, goal.currency)} {goal.currency} to the goal “{goal.name}” on {day} "
               f"({goal.current_amount} of {goal.target_amount} {goal.currency} saved so far)")
    return await _propose(ctx, "propose_goal_contribution", {"goal_id": goal.id, **data.model_dump(exclude_none=True)},
                          preview)


PROPOSE_TOOLS: tuple[Tool, ...] = (
    Tool("propose_expense", "Propose a new expense. Nothing is written: the user confirms it in the app.",
         ExpenseProposal, propose_expense),
    Tool("propose_transaction_update", "Propose to change a transaction's category, description or notes. "
         "Nothing is written: the user confirms it in the app.", TransactionUpdateProposal,
         propose_transaction_update),
    Tool("propose_goal_contribution", "Propose a contribution to a savings goal. Nothing is written: the user "
         "confirms it in the app.", GoalContributionProposal, propose_goal_contribution),
)


# ---- confirm ----

async def execute(session: AsyncSession, tenant: Tenant, action: PendingAction) -> Any:
    """What the matching endpoint does and returns, for the action's arguments, as JSON."""
    arguments = dict(action.arguments)
    result: Any
    if action.tool == "propose_expense":
        result = await transaction_service.create(session, tenant, ExpenseCreate(**arguments))
    elif action.tool == "propose_transaction_update":
        transaction_id = uuid.UUID(arguments.pop("transaction_id"))
        try:
            current = await transaction_service.get(session, tenant, transaction_id)
        except NotFound:
            raise ActionTargetChanged("The transaction was deleted since the proposal") from None
        if current["updated_at"].isoformat() != (action.snapshot or {}).get("updated_at"):
            raise ActionTargetChanged()
        result = await transaction_service.update(session, tenant, transaction_id, TransactionUpdate(**arguments))
    elif action.tool == "propose_goal_contribution":
        if not tenant.is_owner:
            raise OwnerOnly()
        goal_id = uuid.UUID(arguments.pop("goal_id"))
        result = await goal_service.contribute(session, tenant, goal_id, ContributionCreate(**arguments))
    else:  # pragma: no cover - only the tools above store actions
        raise ValueError(f"unknown action {action.tool}")
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    return json.loads(responses.dumps(result))
