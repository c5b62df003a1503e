"""The tools the model may call, by the names and arguments of the contract (API.md, "Assistant").

Each runs Colony's own services under the caller's tenant and role: no tool takes an owner, and every id
is looked up inside the caller's tenant (another tenant's id finds nothing, like a made-up one). Results are
compact (money as strings, at most `MAX_ROWS` rows, long texts cut) and go back wrapped as
`{"untrusted_data": ...}`: the system prompt tells the model that what is inside is data, never an
instruction. A tool that fails answers `{"error", "message", "hint"}` to the model, and the turn goes on.
Writes are only proposals (`proposals.py`).
"""

import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from colony.analytics import service as analytics_service
from colony.budgets import service as budget_service
from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.schemas import CategoryRead
from colony.core import clock
from colony.core.db import Database
from colony.core.errors import AppError
from colony.core.schemas import PageParams
from colony.core.tenancy import Tenant
from colony.cycles import service as cycle_service
from colony.cycles.models import CycleStatus
from colony.exchange_rates import service as rate_service
from colony.goals import service as goal_service
from colony.investments.engine import CostMethod
from colony.investments.portfolio import service as portfolio_service
from colony.investments.portfolio import worth
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionType
from colony.transactions.schemas import TransactionFilters

MAX_ROWS = 50
MAX_TEXT = 200
_DROPPED_KEYS = frozenset({"created_at", "updated_at", "created_by_id"})


class ToolError(Exception):
    """A tool's failure, told to the model as data."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint = code, message, hint

    def as_result(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **({"hint": self.hint} if self.hint else {})}


@dataclass(frozen=True, slots=True)
class ToolContext:
    database: Database
    tenant: Tenant
    conversation_id: uuid.UUID


class Arguments(BaseModel):
    # Models add arguments of their own now and then: ignored, not an error.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


Run = Callable[[ToolContext, Any], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    arguments: type[Arguments]
    run: Run

    def spec(self) -> dict[str, Any]:
        """The OpenAI `tools` entry: a function with a JSON schema of its arguments."""
        schema = _strip_titles(self.arguments.model_json_schema(by_alias=True))
        schema.setdefault("properties", {})
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": schema}}


def _strip_titles(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _strip_titles(value) for key, value in schema.items() if key != "title"}
    if isinstance(schema, list):
        return [_strip_titles(item) for item in schema]
    return schema


def compact(value: Any) -> Any:
    """JSON-ready and short: texts cut to MAX_TEXT characters, lists to MAX_ROWS items, no nulls, no
    timestamps (the model needs the figures, not the bookkeeping)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items() if item is not None and key not in _DROPPED_KEYS}
    if isinstance(value, list | tuple):
        items = [compact(item) for item in value[:MAX_ROWS]]
        if len(value) > MAX_ROWS:
            items.append({"more": len(value) - MAX_ROWS})
        return items
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    return value


# ---- shared lookups ----

async def categories_of(ctx: ToolContext, kind: CategoryKind | None) -> list[CategoryRead]:
    async with ctx.database.reader() as session:
        page = await category_service.list_categories(session, ctx.tenant, kind, PageParams(size=100))
        found = list(page.items)
        for number in range(2, min(page.pages, 10) + 1):
            found += (await category_service.list_categories(session, ctx.tenant, kind,
                                                             PageParams(page=number, size=100))).items
    return found


def find_category(known: list[CategoryRead], value: str, kind: CategoryKind) -> CategoryRead:
    """The category among `known` named by id or by name (case-insensitive)."""
    wanted = value.strip().casefold()
    for category in known:
        if str(category.id) == wanted or category.name.casefold() == wanted:
            return category
    raise ToolError("unknown_category", f"No {kind.value} category is called {value!r}",
                    hint="Call get_categories for the names, or leave the category out")


async def category_id(ctx: ToolContext, value: str, kind: CategoryKind) -> uuid.UUID:
    """A category of the caller's of this kind, by id or by name."""
    return find_category(await categories_of(ctx, kind), value, kind).id


def _today() -> dt.date:
    return clock.today()


# ---- read tools ----

class TransactionsArgs(Arguments):
    query: str | None = Field(default=None, max_length=200, description="Text in the description or notes")
    type: Literal["expense", "income"] | None = None
    category: str | None = Field(default=None, description="A category name or id")
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, description="At most 50")

    @field_validator("page_size")
    @classmethod
    def _at_most_fifty(cls, value: int) -> int:
        return min(value, MAX_ROWS)


async def get_transactions(ctx: ToolContext, args: TransactionsArgs) -> Any:
    kind = TransactionType(args.type) if args.type else None
    category = (await category_id(ctx, args.category, CategoryKind(kind.value if kind else "expense"))
                if args.category else None)
    filters = TransactionFilters(q=args.query, type=kind, category_id=category, start_date=args.start_date,
                                 end_date=args.end_date, min_amount=args.min_amount, max_amount=args.max_amount)
    async with ctx.database.reader() as session:
        page = await transaction_service.list_transactions(session, ctx.tenant, filters,
                                                           PageParams(page=args.page, size=args.page_size))
        names = await category_service.names_of(session, ctx.tenant.tenant_id)
    rows = [{"id": row["id"], "date": row["date"], "type": row["type"], "amount": row["amount"],
             "currency": row["currency"], "amount_base": row["amount_base"], "description": row["description"],
             "notes": row["notes"], "status": row["status"],
             "category": names.get(uuid.UUID(row["category_id"])) if row["category_id"] else None}
            for row in page.items]
    return {"total": page.total, "page": page.page, "pages": page.pages, "base_currency": ctx.tenant.base_currency,
            "transactions": rows}


class StatementArgs(Arguments):
    start_date: dt.date
    end_date: dt.date


async def get_income_statement(ctx: ToolContext, args: StatementArgs) -> Any:
    """The figures of GET /analytics/categories, for both types over the range."""
    async with ctx.database.reader() as session:
        expenses = await analytics_service.categories(session, ctx.tenant, args.start_date, args.end_date,
                                                      TransactionType.expense)
        income = await analytics_service.categories(session, ctx.tenant, args.start_date, args.end_date,
                                                    TransactionType.income)
    total_expenses = sum((row.total for row in expenses), Decimal(0))
    total_income = sum((row.total for row in income), Decimal(0))

    def lines(rows: list[Any]) -> list[dict[str, Any]]:
        return [{"category": row.category_name, "total": row.total, "count": row.count} for row in rows]

    return {"start_date": args.start_date, "end_date": args.end_date, "currency": ctx.tenant.base_currency,
            "total_income": total_income, "total_expenses": total_expenses, "net": total_income - total_expenses,
            "expenses_by_category": lines(expenses), "income_by_category": lines(income)}


class BalanceSheetArgs(Arguments):
    date: dt.date | None = None


async def get_balance_sheet(ctx: ToolContext, args: BalanceSheetArgs) -> Any:
    sheet = await worth.net_worth(ctx.database, ctx.tenant, args.date, None)
    by_type: dict[str, Decimal] = {}
    for account in sheet.accounts:
        if account.value is not None:
            by_type[account.type.value] = by_type.get(account.type.value, Decimal(0)) + account.value
    return {"date": sheet.date, "currency": sheet.currency, "net_worth": sheet.total, "assets": sheet.assets,
            "liabilities": sheet.liabilities, "by_account_type": by_type,
            "accounts": [{"name": a.name, "type": a.type, "balance": a.balance, "currency": a.currency,
                          "value": a.value, "is_liability": a.is_liability} for a in sheet.accounts],
            "missing_rates": sheet.missing_rates}


class NoArgs(Arguments):
    pass


async def get_accounts(ctx: ToolContext, _: NoArgs) -> Any:
    sheet = await worth.net_worth(ctx.database, ctx.tenant, None, None)
    return [{"id": a.account_id, "name": a.name, "type": a.type, "currency": a.currency, "balance": a.balance,
             "is_liability": a.is_liability} for a in sheet.accounts]


async def get_categories(ctx: ToolContext, _: NoArgs) -> Any:
    return [{"id": c.id, "name": c.name, "kind": c.kind} for c in await categories_of(ctx, None)]


async def get_goals(ctx: ToolContext, _: NoArgs) -> Any:
    async with ctx.database.reader() as session:
        return (await goal_service.list_goals(session, ctx.tenant, PageParams(size=MAX_ROWS))).items


async def get_recurring(ctx: ToolContext, _: NoArgs) -> Any:
    async with ctx.database.reader() as session:
        return await transaction_service.recurring_series(session, ctx.tenant.tenant_id)


class BudgetArgs(Arguments):
    budget_id: uuid.UUID | None = Field(default=None, description="Default: the budget whose period holds today")


async def get_budget_status(ctx: ToolContext, args: BudgetArgs) -> Any:
    async with ctx.database.reader() as session:
        budget_id = args.budget_id
        if budget_id is None:
            budgets = (await budget_service.list_budgets(session, ctx.tenant, PageParams(size=100))).items
            today = _today()
            current = [b for b in budgets if b.period_start <= today <= b.period_end]
            chosen = current or sorted(budgets, key=lambda b: b.period_end, reverse=True)
            if not chosen:
                raise ToolError("no_budget", "The user has no budget yet")
            budget_id = chosen[0].id
        budget = await budget_service.get(session, ctx.tenant, budget_id)
        report = await budget_service.report(session, ctx.tenant, budget_id)
    return {"name": budget.name, **report.model_dump(mode="json")}


class CycleArgs(Arguments):
    cycle_id: uuid.UUID | None = Field(default=None, description="Default: the active cycle")


async def get_cycle_summary(ctx: ToolContext, args: CycleArgs) -> Any:
    async with ctx.database.reader() as session:
        cycle_id = args.cycle_id
        if cycle_id is None:
            active = (await cycle_service.list_cycles(session, ctx.tenant, CycleStatus.active,
                                                      PageParams(size=1))).items
            if not active:
                raise ToolError("no_active_cycle", "The user has no active cycle",
                                hint="Ask for a cycle_id, or answer without the cycle")
            cycle_id = active[0].id
        cycle = await cycle_service.get(session, ctx.tenant, cycle_id)
        summary = await cycle_service.summary(session, ctx.tenant, cycle_id)
    return {"name": cycle.name, "start_date": cycle.start_date, "end_date": cycle.end_date, "status": cycle.status,
            **summary.model_dump(mode="json")}


class PortfolioArgs(Arguments):
    start_date: dt.date | None = None
    end_date: dt.date | None = None


async def get_portfolio(ctx: ToolContext, args: PortfolioArgs) -> Any:
    holdings = await portfolio_service.portfolio(ctx.database, ctx.tenant, method=CostMethod.fifo)
    performance = await portfolio_service.performance(ctx.database, ctx.tenant, start=args.start_date,
                                                      end=args.end_date)
    return {"holdings": holdings.model_dump(mode="json", exclude={"cash"}), "cash": holdings.cash,
            "performance": performance}


class ConvertArgs(Arguments):
    amount: Decimal
    from_: str = Field(alias="from", min_length=3, max_length=3)
    to: str = Field(min_length=3, max_length=3)
    date: dt.date | None = None


async def convert_currency(ctx: ToolContext, args: ConvertArgs) -> Any:
    async with ctx.database.reader() as session:
        return await rate_service.convert(session, args.amount, args.from_.upper(), args.to.upper(),
                                          args.date or _today(), tenant_id=ctx.tenant.tenant_id)


READ_TOOLS: tuple[Tool, ...] = (
    Tool("get_transactions", "One page of the user's transactions, newest first, filtered.", TransactionsArgs,
         get_transactions),
    Tool("get_income_statement", "Income and expense totals in base currency, by category, over a date range "
         "(both ends included). Use it for 'how much did I spend on X'.", StatementArgs, get_income_statement),
    Tool("get_balance_sheet", "Net worth by account and by account type on a date (default today).",
         BalanceSheetArgs, get_balance_sheet),
    Tool("get_accounts", "The user's accounts with their balances today.", NoArgs, get_accounts),
    Tool("get_categories", "The user's categories (expense and income).", NoArgs, get_categories),
    Tool("get_goals", "The user's savings goals and their progress.", NoArgs, get_goals),
    Tool("get_recurring", "Recurring payments and incomes detected in the user's history, with the next "
         "expected date.", NoArgs, get_recurring),
    Tool("get_budget_status", "A budget against what was spent (default: the budget of today).", BudgetArgs,
         get_budget_status),
    Tool("get_cycle_summary", "A budget cycle's income, planned and spent totals (default: the active cycle).",
         CycleArgs, get_cycle_summary),
    Tool("get_portfolio", "Investment holdings, allocation and performance over a date range.", PortfolioArgs,
         get_portfolio),
    Tool("convert_currency", "Convert an amount between currencies at the ECB rate of a date (default today).",
         ConvertArgs, convert_currency),
)


# ---- dispatch ----

@dataclass(slots=True)
class Outcome:
    result: dict[str, Any]  # what goes back to the model
    proposal_id: uuid.UUID | None = None


def parse_arguments(raw: str) -> dict[str, Any]:
    try:
        arguments = json.loads(raw or "{}")
    except ValueError:
        raise ToolError("invalid_arguments", "The arguments are not valid JSON",
                        hint="Send the arguments as one JSON object") from None
    if not isinstance(arguments, dict):
        raise ToolError("invalid_arguments", "The arguments must be a JSON object")
    return {key: value.replace("\x00", "") if isinstance(value, str) else value for key, value in arguments.items()}


async def run(tools: dict[str, Tool], ctx: ToolContext, name: str, raw_arguments: str) -> Outcome:
    """Run one tool call; whatever goes wrong becomes data for the model."""
    try:
        tool = tools.get(name)
        if tool is None:
            raise ToolError("unknown_tool", f"There is no tool called {name!r}",
                            hint="Use one of: " + ", ".join(sorted(tools)))
        try:
            arguments = tool.arguments.model_validate(parse_arguments(raw_arguments))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolError("invalid_arguments", problems[:500]) from None
        value = await tool.run(ctx, arguments)
    except ToolError as exc:
        return Outcome(exc.as_result())
    except AppError as exc:  # the service's own answer: not found, invalid, no rate
        return Outcome({"error": exc.code, "message": exc.detail_message,
                        **({"details": exc.details} if exc.details else {})})
    if isinstance(value, Outcome):
        return value
    return Outcome({"untrusted_data": compact(value)})
