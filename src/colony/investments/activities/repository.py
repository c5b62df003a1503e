"""All SQL of holdings (opening lots) and investment transactions."""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import CompoundSelect, func, select, union

from colony.core.repository import ALL_TENANTS, Repository, TenantRepository
from colony.core.schemas import PageParams
from colony.investments.activities.models import ActivityType, Holding, InvestmentTransaction

H, IT = Holding, InvestmentTransaction


class HoldingRepository(TenantRepository[Holding]):
    model = Holding

    async def of_accounts(self, account_ids: Collection[uuid.UUID]) -> Sequence[Holding]:
        statement = self.scoped().where(H.account_id.in_(list(account_ids))).order_by(H.created_at, H.id)
        return (await self.session.execute(statement)).scalars().all()


class InvestmentTransactionRepository(TenantRepository[InvestmentTransaction]):
    model = InvestmentTransaction

    async def list(self, account_id: uuid.UUID, params: PageParams) -> tuple[Sequence[InvestmentTransaction], int]:
        statement = self.scoped().where(IT.account_id == account_id).order_by(IT.date.desc(), IT.created_at.desc(),
                                                                             IT.id)
        return await self.page(statement, params)

    async def of_accounts(self, account_ids: Collection[uuid.UUID]) -> Sequence[InvestmentTransaction]:
        """Oldest first, in the order they were entered within a day."""
        statement = (self.scoped().where(IT.account_id.in_(list(account_ids)))
                     .order_by(IT.date, IT.created_at, IT.id))
        return (await self.session.execute(statement)).scalars().all()

    async def splits_of(self, security_ids: Collection[uuid.UUID]) -> Sequence[InvestmentTransaction]:
        """The splits of these securities recorded in any of the tenant's accounts, oldest first."""
        statement = (self.scoped().where(IT.type == ActivityType.split, IT.security_id.in_(list(security_ids)))
                     .order_by(IT.date, IT.created_at, IT.id))
        return (await self.session.execute(statement)).scalars().all()

    async def transfer_pair(self, transfer_id: uuid.UUID) -> Sequence[InvestmentTransaction]:
        return (await self.session.execute(self.scoped().where(IT.transfer_id == transfer_id))).scalars().all()


class FactsRepository(TenantRepository[Holding]):
    """Which accounts of the tenant have investment facts at all (holdings or transactions)."""

    model = Holding

    async def accounts_with_facts(self, account_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(account_ids)
        statement: CompoundSelect[Any] = union(
            select(H.account_id).where(self._mine(), H.account_id.in_(ids)),
            select(IT.account_id).where(IT.tenant_id == self.tenant_id, IT.account_id.in_(ids)))
        return set((await self.session.scalars(statement)).all())


class FirstDayRepository(TenantRepository[InvestmentTransaction]):
    model = InvestmentTransaction

    async def first_day(self) -> dt.date | None:
        """The tenant's first dated investment activity: a transaction, or a holding acquired on a day."""
        transactions = select(func.min(IT.date)).where(self._mine())
        holdings = select(func.min(H.acquired_on)).where(H.tenant_id == self.tenant_id)
        days = [(await self.session.execute(statement)).scalar_one() for statement in (transactions, holdings)]
        return min((day for day in days if day is not None), default=None)


class HeldSecuritiesRepository(Repository[Holding]):
    """The one cross-tenant read: which securities any tenant holds or trades (for the daily price sync)."""

    model = Holding

    async def security_ids(self) -> list[uuid.UUID]:
        held: CompoundSelect[Any] = union(select(H.security_id),
                                          select(IT.security_id).where(IT.security_id.is_not(None)))
        return list((await self.session.scalars(held.execution_options(**{ALL_TENANTS: True}))).all())
