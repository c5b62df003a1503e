"""All SQL of accounts and their value entries."""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from colony.core.clock import utcnow
from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams
from colony.investments.accounts.models import Account, AccountType, AccountValue

A, V = Account, AccountValue


class AccountRepository(TenantRepository[Account]):
    model = Account

    async def list(self, params: PageParams, *, type_: AccountType | None, is_active: bool | None
                   ) -> tuple[Sequence[Account], int]:
        statement = self.scoped()
        if type_ is not None:
            statement = statement.where(A.type == type_)
        if is_active is not None:
            statement = statement.where(A.is_active.is_(is_active))
        return await self.page(statement.order_by(A.name, A.id), params)

    async def all(self) -> Sequence[Account]:
        return (await self.session.execute(self.scoped().order_by(A.name, A.id))).scalars().all()


class AccountValueRepository(TenantRepository[AccountValue]):
    model = AccountValue

    async def put(self, account_id: uuid.UUID, date: dt.date, balance: Decimal) -> None:
        """The account's value on that date, inserted or replaced (one per account and date, also when two
        requests race for it)."""
        now = utcnow()
        statement = self._insert().values(id=uuid.uuid4(), tenant_id=self.tenant_id, account_id=account_id,
                                          date=date, balance=balance, created_at=now, updated_at=now)
        statement = statement.on_conflict_do_update(index_elements=[V.account_id, V.date],
                                                    set_={"balance": balance, "updated_at": now})
        await self.session.execute(statement)

    async def list(self, account_id: uuid.UUID, params: PageParams) -> tuple[Sequence[AccountValue], int]:
        statement = self.scoped().where(V.account_id == account_id).order_by(V.date.desc())
        return await self.page(statement, params)

    async def until(self, account_ids: Collection[uuid.UUID], last: dt.date) -> Sequence[tuple[Any, ...]]:
        """(account_id, date, balance) of every value of these accounts up to `last`, by account and date."""
        statement = (select(V.account_id, V.date, V.balance)
                     .where(self._mine(), V.account_id.in_(list(account_ids)), V.date <= last)
                     .order_by(V.account_id, V.date))
        return [tuple(row) for row in await self.session.execute(statement)]

    async def latest(self, account_id: uuid.UUID, on_or_before: dt.date) -> AccountValue | None:
        statement = (self.scoped().where(V.account_id == account_id, V.date <= on_or_before)
                     .order_by(V.date.desc()).limit(1))
        return (await self.session.execute(statement)).scalars().first()
