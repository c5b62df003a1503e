"""All SQL of the exchange-rates domain. Rates are reference data: no tenant owns them."""

from collections.abc import Collection, Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from colony.core.repository import Repository
from colony.exchange_rates.models import ExchangeRate

Fixing = tuple[date, str, Decimal]  # (date, currency, units of currency per 1 EUR)

_BATCH_ROWS = 5_000
_TABLE: Table = ExchangeRate.__table__  # type: ignore[assignment]  # Core insert: no ORM bulk overhead


class ExchangeRateRepository(Repository[ExchangeRate]):
    model = ExchangeRate

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

    async def count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(ExchangeRate))).scalar_one()

    async def insert_many(self, fixings: Iterable[Fixing]) -> int:
        """Plain bulk insert of rows known to be new (executemany in batches); returns the row count."""
        total = 0
        batch: list[dict[str, object]] = []
        for day, currency, rate in fixings:
            batch.append({"date": day, "currency": currency, "rate": rate})
            if len(batch) >= _BATCH_ROWS:
                await self.session.execute(insert(_TABLE), batch)
                total += len(batch)
                batch = []
        if batch:
            await self.session.execute(insert(_TABLE), batch)
            total += len(batch)
        return total

    async def upsert_many(self, fixings: Iterable[Fixing]) -> int:
        """Insert or replace fixings (a refresh may correct a day already stored); returns the row count."""
        dialect = self.session.get_bind().dialect.name
        dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
        rows = [{"date": day, "currency": currency, "rate": rate} for day, currency, rate in fixings]
        for start in range(0, len(rows), _BATCH_ROWS):
            statement = dialect_insert(_TABLE)
            statement = statement.on_conflict_do_update(
                index_elements=[ExchangeRate.date, ExchangeRate.currency],
                set_={"rate": statement.excluded.rate},
            )
            await self.session.execute(statement, rows[start:start + _BATCH_ROWS])
        return len(rows)

    async def delete_after(self, day: date) -> int:
        result = await self.session.execute(delete(ExchangeRate).where(ExchangeRate.date > day))
        return int(getattr(result, "rowcount", 0) or 0)
