"""All SQL of securities and prices. Reference data: no tenant owns them."""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import func, or_, select

from colony.core.repository import ReferenceRepository, Repository, contains_pattern
from colony.core.schemas import PageParams
from colony.investments.securities.models import Security, SecurityPrice

S, P = Security, SecurityPrice


class SecurityRepository(Repository[Security]):
    model = Security

    async def by_symbol(self, symbol: str) -> Security | None:
        statement = select(S).where(func.lower(S.symbol) == symbol.lower())
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def search(self, params: PageParams, query: str | None) -> tuple[Sequence[Security], int]:
        statement = select(S)
        if query:
            pattern = contains_pattern(query)
            statement = statement.where(or_(S.symbol.ilike(pattern, escape="\\"), S.name.ilike(pattern, escape="\\")))
        # An exact symbol first, then by symbol.
        exact = func.lower(S.symbol) == (query or "").lower()
        return await self.page(statement.order_by(exact.desc(), S.symbol, S.id), params)

    async def by_ids(self, ids: Collection[uuid.UUID]) -> Sequence[Security]:
        if not ids:
            return []
        return (await self.session.execute(select(S).where(S.id.in_(list(ids))))).scalars().all()


class PriceRepository(ReferenceRepository[SecurityPrice]):
    model = SecurityPrice
    key = ("security_id", "date")

    async def between(self, security_id: uuid.UUID, start: dt.date | None, end: dt.date | None
                      ) -> Sequence[SecurityPrice]:
        statement = select(P).where(P.security_id == security_id)
        if start is not None:
            statement = statement.where(P.date >= start)
        if end is not None:
            statement = statement.where(P.date <= end)
        return (await self.session.execute(statement.order_by(P.date))).scalars().all()

    async def last_date(self, security_id: uuid.UUID) -> dt.date | None:
        statement = select(func.max(P.date)).where(P.security_id == security_id)
        return (await self.session.execute(statement)).scalar_one()

    async def closes(self, security_ids: Collection[uuid.UUID], end: dt.date, *, since: dt.date | None = None
                     ) -> dict[uuid.UUID, list[tuple[dt.date, Decimal]]]:
        """The closes of each of these securities in [since, end], by date. The longest read of a portfolio
        (10 years of 50 securities: 130,000 rows): one Core query per security, so that no row carries (and
        converts) the security's id."""
        connection = await self.session.connection()
        closes: dict[uuid.UUID, list[tuple[dt.date, Decimal]]] = {}
        for security_id in security_ids:
            statement = select(P.date, P.close).where(P.security_id == security_id, P.date <= end)
            if since is not None:
                statement = statement.where(P.date >= since)
            closes[security_id] = [(row[0], row[1]) for row in await connection.execute(statement.order_by(P.date))]
        return closes

    async def last_closes_before(self, security_ids: Collection[uuid.UUID], day: dt.date
                                 ) -> Sequence[tuple[uuid.UUID, dt.date, Decimal]]:
        """Each security's last close before `day`, if any: index seeks per security (a GROUP BY over the
        prices would read all of them)."""
        if not security_ids:
            return []
        last = select(P).where(P.security_id == S.id, P.date < day).order_by(P.date.desc()).limit(1)
        statement = select(S.id, last.with_only_columns(P.date).scalar_subquery(),
                           last.with_only_columns(P.close).scalar_subquery()).where(S.id.in_(list(security_ids)))
        return [(row[0], row[1], row[2]) for row in await self.session.execute(statement) if row[1] is not None]

    async def latest_closes(self, security_ids: Collection[uuid.UUID], day: dt.date
                            ) -> Sequence[tuple[uuid.UUID, dt.date, Decimal]]:
        """Each security's last close on or before `day`, if any."""
        return await self.last_closes_before(security_ids, day + dt.timedelta(days=1))
