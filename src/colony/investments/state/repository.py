"""All SQL of the derived portfolio state."""

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Numeric, case, cast, func, or_, select, update

from colony.core.repository import ALL_TENANTS, Repository, TenantRepository
from colony.investments.state.models import (
    PortfolioCash,
    PortfolioDay,
    PortfolioPosition,
    PortfolioSecurity,
    PortfolioState,
)

S, D = PortfolioState, PortfolioDay


def _earliest(day: dt.date) -> Any:
    """`dirty_from` moved back to `day` unless it is earlier already."""
    return case((or_(S.dirty_from.is_(None), S.dirty_from > day), day), else_=S.dirty_from)


class StateRepository(TenantRepository[PortfolioState]):
    model = PortfolioState

    async def header(self, *, for_update: bool = False) -> PortfolioState | None:
        statement = self.scoped()
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement.execution_options(populate_existing=True))).scalar_one_or_none()

    async def create(self, **values: Any) -> bool:
        """The tenant's header, unless another refresh made it first (then False)."""
        statement = self._insert().on_conflict_do_nothing().returning(S.tenant_id)
        return bool((await self.session.execute(statement, {**values, "tenant_id": self.tenant_id})).all())

    async def touch(self, day: dt.date) -> None:
        await self.update_where(dirty_from=_earliest(day), version=S.version + 1)


class MarketTouchRepository(Repository[PortfolioState]):
    """Cross-tenant: a price or a rate changed, so every state valued with it is stale from that day."""

    model = PortfolioState

    async def touch_holders(self, security_ids: Collection[uuid.UUID], day: dt.date) -> None:
        holders = select(PortfolioSecurity.tenant_id).where(PortfolioSecurity.security_id.in_(list(security_ids)))
        await self._touch(S.tenant_id.in_(holders), day)

    async def touch_all(self, day: dt.date) -> None:
        await self._touch(S.computed_through >= day, day)

    async def stale(self, today: dt.date, limit: int) -> list[uuid.UUID]:
        statement = (select(S.tenant_id).where(or_(S.dirty_from.is_not(None), S.computed_through < today))
                     .order_by(func.coalesce(S.dirty_from, S.computed_through), S.tenant_id).limit(limit)
                     .execution_options(**{ALL_TENANTS: True}))
        return list((await self.session.scalars(statement)).all())

    async def _touch(self, condition: Any, day: dt.date) -> None:
        statement = (update(S).where(condition).values(dirty_from=_earliest(day), version=S.version + 1)
                     .execution_options(synchronize_session=False, **{ALL_TENANTS: True}))
        await self.session.execute(statement)


class DayRepository(TenantRepository[PortfolioDay]):
    model = PortfolioDay

    async def on(self, scope_id: uuid.UUID, days: Collection[dt.date]) -> dict[dt.date, PortfolioDay]:
        statement = self.scoped().where(D.scope_id == scope_id, D.date.in_(list(days)))
        return {row.date: row for row in (await self.session.execute(statement)).scalars()}

    async def of_scopes_on(self, scope_ids: Collection[uuid.UUID], days: Collection[dt.date]
                           ) -> Sequence[PortfolioDay]:
        statement = self.scoped().where(D.scope_id.in_(list(scope_ids)), D.date.in_(list(days)))
        return (await self.session.execute(statement)).scalars().all()

    async def between(self, scope_id: uuid.UUID, start: dt.date, end: dt.date) -> Sequence[PortfolioDay]:
        statement = self.scoped().where(D.scope_id == scope_id, D.date >= start, D.date <= end).order_by(D.date)
        return (await self.session.execute(statement)).scalars().all()

    async def flows(self, scope_id: uuid.UUID, after: dt.date, until: dt.date) -> Sequence[tuple[Any, ...]]:
        """(date, inflow, outflow) of the days in (after, until] with a flow, by date."""
        statement = (select(D.date, D.inflow, D.outflow)
                     .where(self._mine(), D.scope_id == scope_id, D.date > after, D.date <= until,
                            or_(cast(D.inflow, Numeric) != 0, cast(D.outflow, Numeric) != 0))
                     .order_by(D.date))
        return [tuple(row) for row in await self.session.execute(statement)]

    async def first_active(self, scope_id: uuid.UUID) -> dt.date | None:
        """The first day the scope held or moved anything."""
        # (SQLite keeps these figures as text: compared as numbers through a cast)
        moved = or_(*(cast(column, Numeric) != 0 for column in (D.market_value, D.inflow, D.outflow)))
        statement = select(func.min(D.date)).where(self._mine(), D.scope_id == scope_id, moved)
        return (await self.session.execute(statement)).scalar_one()

    async def delete_from(self, day: dt.date) -> None:
        await self.delete_where(D.date >= day)


class PositionRepository(TenantRepository[PortfolioPosition]):
    model = PortfolioPosition

    async def by_method(self, method: str, account_ids: Collection[uuid.UUID]) -> Sequence[PortfolioPosition]:
        statement = self.scoped().where(PortfolioPosition.method == method,
                                        PortfolioPosition.account_id.in_(list(account_ids)))
        return (await self.session.execute(statement)).scalars().all()


class CashRepository(TenantRepository[PortfolioCash]):
    model = PortfolioCash

    async def of_accounts(self, account_ids: Collection[uuid.UUID]) -> Sequence[PortfolioCash]:
        statement = self.scoped().where(PortfolioCash.account_id.in_(list(account_ids)))
        return (await self.session.execute(statement)).scalars().all()


class SecurityLinkRepository(TenantRepository[PortfolioSecurity]):
    model = PortfolioSecurity

    async def replace(self, security_ids: Iterable[uuid.UUID]) -> None:
        await self.delete_where()
        await self.insert_many(["security_id"], ((security_id,) for security_id in security_ids))
