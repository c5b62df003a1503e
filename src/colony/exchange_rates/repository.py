"""All SQL of the exchange-rates domain: ECB fixings and their refreshes are reference data that no tenant
owns; custom rates are the tenant's."""

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, or_, select

from colony.core.repository import ReferenceRepository, TenantRepository, rowcount
from colony.core.schemas import PageParams
from colony.exchange_rates.models import CustomRate, ExchangeRate, RateRefresh

Fixing = tuple[date, str, Decimal]  # (date, currency, units of currency per 1 EUR)
_COLUMNS = ("date", "currency", "rate")


class ExchangeRateRepository(ReferenceRepository[ExchangeRate]):
    model = ExchangeRate
    key = ("date", "currency")

    async def newest_date(self) -> date | None:
        """The newest fixing date of any currency (a walk to the end of the primary key)."""
        return (await self.session.execute(select(func.max(ExchangeRate.date)))).scalar_one_or_none()

    async def latest_date_on_or_before(self, day: date, currency: str | None = None) -> date | None:
        """The newest fixing date on or before `day`, of one currency or of any."""
        statement = select(func.max(ExchangeRate.date)).where(ExchangeRate.date <= day)
        if currency is not None:
            statement = statement.where(ExchangeRate.currency == currency)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def fixings(self, currencies: Collection[str], start: date, end: date) -> list[Fixing]:
        """Every fixing of these currencies in [start, end]: one range scan per currency of the index."""
        statement = (select(ExchangeRate.date, ExchangeRate.currency, ExchangeRate.rate)
                     .where(ExchangeRate.currency.in_(list(currencies)),
                            ExchangeRate.date >= start, ExchangeRate.date <= end)
                     .order_by(ExchangeRate.currency, ExchangeRate.date))
        return [(day, currency, rate) for day, currency, rate in await self.session.execute(statement)]

    async def rates_of(self, day: date) -> dict[str, Decimal]:
        """Every currency's rate per EUR fixed on exactly this date."""
        statement = select(ExchangeRate.currency, ExchangeRate.rate).where(ExchangeRate.date == day)
        return {currency: rate for currency, rate in (await self.session.execute(statement)).all()}

    async def insert_fixings(self, fixings: Iterable[Fixing]) -> int:
        """Fixings known to be new, in bulk; how many."""
        return await self.insert_many(_COLUMNS, fixings)

    async def upsert_fixings(self, fixings: Iterable[Fixing]) -> int:
        """Insert or replace fixings (a source may correct a day already stored); how many."""
        return await self.upsert_many(dict(zip(_COLUMNS, fixing, strict=True)) for fixing in fixings)

    async def delete_after(self, day: date) -> int:
        return rowcount(await self.session.execute(delete(ExchangeRate).where(ExchangeRate.date > day)))


class RateRefreshRepository(ReferenceRepository[RateRefresh]):
    model = RateRefresh
    key = ("source",)

    async def of(self, source: str) -> RateRefresh | None:
        return await self.session.get(RateRefresh, source, populate_existing=True)


CustomFixing = tuple[date, str, str, Decimal]  # (date, from, to, units of `to` per 1 `from`)
C = CustomRate


class CustomRateRepository(TenantRepository[CustomRate]):
    model = CustomRate

    async def search(self, params: PageParams, currency: str | None = None) -> tuple[Sequence[CustomRate], int]:
        statement = self.scoped().order_by(C.date.desc(), C.from_currency, C.to_currency, C.id)
        if currency is not None:
            statement = statement.where(or_(C.from_currency == currency, C.to_currency == currency))
        return await self.page(statement, params)

    async def touching(self, currencies: Collection[str], until: date) -> list[CustomFixing]:
        """Every rate of the tenant dated on or before `until` with one of `currencies` on either side."""
        codes = list(currencies)
        statement = (select(C.date, C.from_currency, C.to_currency, C.rate)
                     .where(self._mine(), C.date <= until, or_(C.from_currency.in_(codes), C.to_currency.in_(codes))))
        return [(day, from_, to, rate) for day, from_, to, rate in await self.session.execute(statement)]
