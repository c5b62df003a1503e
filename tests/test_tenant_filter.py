"""The statement check of tests/tenant_filter.py catches what it must and lets through what it may.

Each test runs its statements inside `recording()`, which takes their violations from the autouse check
(tests/conftest.py) so that this test can look at them instead of failing.
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Executable, and_, delete, exists, func, insert, or_, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from colony.budgets.models import Budget, BudgetEntry
from colony.categories.models import Category, CategoryKind
from colony.core.repository import ALL_TENANTS
from colony.cycles.models import Cycle
from colony.transactions.models import Transaction
from colony.users.models import User
from tests.factories import MakeUser
from tests.tenant_filter import owned_tables, recording


async def problems_of(session: AsyncSession, statement: Executable) -> list[str]:
    with recording() as caught:
        await session.execute(statement)
    return [violation.problem for violation in caught]


@pytest.fixture
async def tenant(make_user: MakeUser) -> uuid.UUID:
    return (await make_user()).tenant_id


def test_owned_tables_are_those_of_the_tenant_mixin() -> None:
    assert owned_tables() >= {"categories", "payment_methods", "transactions", "expense_templates", "cycles",
                              "budgets", "budget_entries", "goals", "goal_contributions"}
    assert not owned_tables() & {"users", "profiles", "credentials", "exchange_rates", "idempotency_keys"}


@pytest.mark.parametrize("statement", [
    pytest.param(select(Category), id="select"),
    pytest.param(select(Category).where(Category.id == uuid.uuid4()), id="select-by-id"),
    pytest.param(update(Category).where(Category.id == uuid.uuid4()).values(name="x")
                 .execution_options(synchronize_session=False), id="update"),
    pytest.param(delete(Category).where(Category.name == "x").execution_options(synchronize_session=False),
                 id="delete"),
    pytest.param(select(func.count()).select_from(select(Category.id).subquery()), id="subquery"),
    pytest.param(select(exists().where(Category.name == "x")), id="exists"),
    pytest.param(select(func.count()).select_from(select(Category.id).cte()), id="cte"),
    pytest.param(union(select(Category.name).where(Category.tenant_id == uuid.uuid4()), select(Category.name)),
                 id="union"),
    pytest.param(select(Category).where(or_(Category.tenant_id == uuid.uuid4(), Category.name == "x")), id="or"),
    pytest.param(select(Category).join(User, User.id == Category.tenant_id), id="joined-to-a-column"),
])
async def test_an_unscoped_statement_is_caught(session: AsyncSession, statement: Executable) -> None:
    assert await problems_of(session, statement) == ["categories is not filtered by tenant_id"]


async def test_a_scoped_statement_passes(session: AsyncSession, tenant: uuid.UUID) -> None:
    mine = Category.tenant_id == tenant
    for statement in (
        select(Category).where(mine, Category.name == "x"),
        select(Category).where(Category.tenant_id.in_([tenant])),
        select(func.count()).select_from(select(Category.id).where(mine).subquery()),
        select(exists().where(mine, Category.name == "x")),
        select(func.count()).select_from(select(Category.id).where(mine).cte()),
        update(Category).where(mine, Category.name == "x").values(name="y").execution_options(
            synchronize_session=False),
        delete(Category).where(mine, Category.name == "y").execution_options(synchronize_session=False),
        select(User).where(User.email == "nobody@example.com"),  # no owned table: nothing to filter
    ):
        assert await problems_of(session, statement) == [], statement


async def test_a_join_filters_each_table_in_where_or_on(session: AsyncSession, tenant: uuid.UUID) -> None:
    joined = select(Transaction.id, Category.name).where(Transaction.tenant_id == tenant)
    on_filtered = joined.join(Category, and_(Category.id == Transaction.category_id, Category.tenant_id == tenant))
    assert await problems_of(session, on_filtered) == []
    on_unfiltered = joined.join(Category, Category.id == Transaction.category_id)
    assert await problems_of(session, on_unfiltered) == ["categories is not filtered by tenant_id"]
    # an alias is a table of its own: the filter of the other one doesn't cover it
    other = aliased(Category, name="other")
    self_join = select(Category.id).join(other, other.name == Category.name).where(Category.tenant_id == tenant)
    assert await problems_of(session, self_join) == ["other is not filtered by tenant_id"]
    assert await problems_of(session, self_join.where(other.tenant_id == tenant)) == []


async def test_all_tenants_is_a_deliberate_exemption(session: AsyncSession) -> None:
    statement = select(Cycle.tenant_id).execution_options(**{ALL_TENANTS: True})
    assert await problems_of(session, statement) == []


async def test_inserts_must_set_the_tenant(session: AsyncSession, tenant: uuid.UUID) -> None:
    values = {"id": uuid.uuid4(), "name": "Food", "kind": "expense", "created_at": func.now(),
              "updated_at": func.now()}
    assert await problems_of(session, insert(Category).values(**values, tenant_id=tenant)) == []
    with recording() as caught, pytest.raises(IntegrityError):  # NOT NULL, on both engines
        async with session.begin_nested():
            await session.execute(insert(Category).values(**values))
    assert [violation.problem for violation in caught] == ["INSERT INTO categories without tenant_id"]


async def test_the_unit_of_work_updates_and_deletes_what_it_loaded(session: AsyncSession,
                                                                   tenant: uuid.UUID) -> None:
    """Its UPDATE and DELETE go by primary key only: exempt, on the signal that they come from a flush
    (if SQLAlchemy stopped giving it, this test would fail)."""
    with recording() as caught:
        session.add(Category(name="Food", kind=CategoryKind.expense, tenant_id=tenant))
        await session.flush()
        category = (await session.execute(select(Category).where(Category.tenant_id == tenant))).scalar_one()
        category.name = "Groceries"
        await session.flush()
        await session.delete(category)
        await session.flush()
    assert caught == []


async def test_a_refresh_is_a_select_by_id(session: AsyncSession, tenant: uuid.UUID) -> None:
    """`session.refresh()` reloads by primary key alone: not exempt (read the row through a scoped
    statement with `populate_existing` instead)."""
    category = Category(name="Food", kind=CategoryKind.expense, tenant_id=tenant)
    session.add(category)
    await session.flush()
    with recording() as caught:
        await session.refresh(category)
    assert [violation.problem for violation in caught] == ["categories is not filtered by tenant_id"]


async def test_relationship_loads_are_checked_with_their_criteria(session: AsyncSession, tenant: uuid.UUID) -> None:
    """The check reads what the ORM compiled: a relationship loader's SELECT, with its criteria."""
    category = Category(name="Food", kind=CategoryKind.expense, tenant_id=tenant)
    budget = Budget(name="March", currency="USD", period_start=date(2024, 3, 1), period_end=date(2024, 3, 31),
                    total_amount=Decimal(100), tenant_id=tenant)
    session.add_all([category, budget])
    await session.flush()
    session.add(BudgetEntry(budget_id=budget.id, category_id=category.id, amount=Decimal(50), tenant_id=tenant))
    await session.flush()
    session.expunge_all()
    budgets = select(Budget).where(Budget.tenant_id == tenant).execution_options(populate_existing=True)
    assert await problems_of(session, budgets.options(selectinload(Budget.entries))) == [
        "budget_entries is not filtered by tenant_id"]
    scoped_entries = selectinload(Budget.entries.and_(BudgetEntry.tenant_id == tenant))
    assert await problems_of(session, budgets.options(scoped_entries)) == []
