"""Lookups: exact fixing days, weekends and holidays, cross rates through EUR, the window, the batch API."""

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.exchange_rates import service
from colony.exchange_rates.errors import RateNotAvailable
from colony.exchange_rates.models import ExchangeRate
from colony.exchange_rates.repository import ExchangeRateRepository
from colony.exchange_rates.service import Conversion


async def stored(session: AsyncSession, currency: str, day: date) -> Decimal:
    return (await session.execute(select(ExchangeRate.rate).where(
        ExchangeRate.currency == currency, ExchangeRate.date == day))).scalar_one()


def expected_cross(from_per_eur: Decimal, to_per_eur: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return (to_per_eur / from_per_eur).quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)


async def test_exact_fixing_day_from_eur(session: AsyncSession) -> None:
    conversion = await service.rate_on(session, "EUR", "USD", date(2024, 1, 5), tenant_id=None)
    assert conversion == Conversion(Decimal("1.0921"), date(2024, 1, 5))


async def test_exact_fixing_day_to_eur(session: AsyncSession) -> None:
    conversion = await service.rate_on(session, "USD", "EUR", date(2024, 1, 5), tenant_id=None)
    assert conversion.date == date(2024, 1, 5)
    assert conversion.rate == Decimal("0.9156670635")  # 1 / 1.0921, half-even at 10 decimals


@pytest.mark.parametrize("day", [date(2024, 1, 6), date(2024, 1, 7)])
async def test_weekend_uses_friday(session: AsyncSession, day: date) -> None:
    conversion = await service.rate_on(session, "EUR", "JPY", day, tenant_id=None)
    assert conversion == Conversion(Decimal("158.57"), date(2024, 1, 5))


@pytest.mark.parametrize(("day", "fixing"), [
    (date(2024, 12, 25), date(2024, 12, 24)),  # Christmas (TARGET holiday)
    (date(2024, 12, 26), date(2024, 12, 24)),
    (date(2024, 3, 29), date(2024, 3, 28)),  # Good Friday
    (date(2024, 4, 1), date(2024, 3, 28)),  # Easter Monday
])
async def test_holiday_uses_closest_earlier_fixing(session: AsyncSession, day: date, fixing: date) -> None:
    conversion = await service.rate_on(session, "USD", "EUR", day, tenant_id=None)
    assert conversion.date == fixing
    assert conversion.rate == expected_cross(await stored(session, "USD", fixing), Decimal(1))


async def test_cross_rate_through_eur(session: AsyncSession) -> None:
    day = date(2024, 1, 5)
    usd, jpy = await stored(session, "USD", day), await stored(session, "JPY", day)
    assert (usd, jpy) == (Decimal("1.0921"), Decimal("158.57"))
    conversion = await service.rate_on(session, "USD", "JPY", day, tenant_id=None)
    assert conversion == Conversion(expected_cross(usd, jpy), day)
    assert conversion.rate == Decimal("145.1973262522")
    reverse = await service.rate_on(session, "JPY", "USD", date(2024, 1, 7), tenant_id=None)
    assert reverse == Conversion(expected_cross(jpy, usd), day)


async def test_same_currency_is_one_on_the_date_itself(session: AsyncSession) -> None:
    same = await service.rate_on(session, "USD", "USD", date(2024, 1, 6), tenant_id=None)
    assert same == Conversion(Decimal(1), date(2024, 1, 6))
    # no data is needed, even before the ECB's first fixing
    early = await service.rate_on(session, "GBP", "GBP", date(1990, 1, 1), tenant_id=None)
    assert early == Conversion(Decimal(1), date(1990, 1, 1))


async def test_before_the_data_is_not_available(session: AsyncSession) -> None:
    with pytest.raises(RateNotAvailable) as caught:
        await service.rate_on(session, "USD", "EUR", date(1998, 12, 31), tenant_id=None)
    assert caught.value.code == "RATE_NOT_AVAILABLE"
    assert caught.value.status_code == 422
    assert caught.value.details == {"from": "USD", "to": "EUR", "date": "1998-12-31"}


async def test_ceased_currency_only_within_the_window(session: AsyncSession) -> None:
    # Croatia adopted the euro: the ECB's last HRK fixing is 2022-12-30.
    last = await service.rate_on(session, "HRK", "EUR", date(2023, 1, 10), tenant_id=None)
    assert last.date == date(2022, 12, 30)
    with pytest.raises(RateNotAvailable):
        await service.rate_on(session, "HRK", "EUR", date(2023, 1, 14), tenant_id=None)  # 15 days after the last fixing
    with pytest.raises(RateNotAvailable):
        await service.rate_on(session, "HRK", "USD", date(2024, 6, 3), tenant_id=None)


async def test_currency_never_quoted_is_not_available(session: AsyncSession) -> None:
    with pytest.raises(RateNotAvailable):
        await service.rate_on(session, "CYP", "USD", date(2024, 1, 5), tenant_id=None)  # CYP ended in 2007


async def test_date_after_the_data_uses_the_newest_fixing(session: AsyncSession) -> None:
    newest = await ExchangeRateRepository(session).newest_date()
    assert newest is not None
    conversion = await service.rate_on(session, "EUR", "USD", newest + timedelta(days=400), tenant_id=None)
    assert conversion.date == newest
    assert conversion.rate == await stored(session, "USD", newest)


async def test_both_legs_use_the_same_fixing_day(session: AsyncSession) -> None:
    # Remove JPY on a Friday: USD→JPY that day must fall back to Thursday for both legs.
    friday, thursday = date(2024, 1, 5), date(2024, 1, 4)
    row = await session.get(ExchangeRate, (friday, "JPY"))
    assert row is not None
    await session.delete(row)
    await session.flush()
    conversion = await service.rate_on(session, "USD", "JPY", friday, tenant_id=None)
    assert conversion.date == thursday
    assert conversion.rate == expected_cross(await stored(session, "USD", thursday),
                                             await stored(session, "JPY", thursday))


async def test_rate_on_takes_two_queries(session: AsyncSession) -> None:
    statements: list[str] = []
    sync_engine = session.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        await service.rate_on(session, "USD", "GBP", date(2024, 5, 5), tenant_id=None)
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


async def test_batch_lookups_match_single_lookups(session: AsyncSession) -> None:
    days = [date(2024, 3, 20) + timedelta(days=n) for n in range(20)]
    batch = await service.rate_table(session, {"USD", "JPY", "EUR", "GBP", "CYP"}, days[0], days[-1], tenant_id=None)
    for currency in ("USD", "JPY", "EUR", "GBP"):
        for day in days:
            single = await service.rate_on(session, currency, "GBP", day, tenant_id=None)
            assert batch.rate_on(currency, "GBP", day) == single
    assert all(batch.get("CYP", "GBP", day) is None for day in days)  # no rate: None, not an error

    table = await service.rate_table(session, {"USD", "CHF"}, days[0], days[-1], tenant_id=None)
    assert table.rate_on("USD", "CHF", days[3]) == await service.rate_on(session, "USD", "CHF", days[3], tenant_id=None)
    with pytest.raises(RateNotAvailable):
        table.rate_on("USD", "CHF", date(2019, 1, 1))  # outside what the table holds
    assert table.get("USD", "CHF", date(2019, 1, 1)) is None


async def test_rates_of_day(session: AsyncSession) -> None:
    day = await service.rates_of_day(session, "USD", date(2024, 1, 6))
    assert (day.base, day.date) == ("USD", date(2024, 1, 5))
    assert "USD" not in day.rates
    assert day.rates["EUR"] == Decimal("0.9156670635")
    assert day.rates["JPY"] == Decimal("145.1973262522")
    eur = await service.rates_of_day(session, "EUR", date(2024, 1, 6))
    assert eur.rates["USD"] == Decimal("1.0921")
    assert "EUR" not in eur.rates
    with pytest.raises(RateNotAvailable):
        await service.rates_of_day(session, "USD", date(1999, 1, 1))


@pytest.mark.parametrize(("amount", "rate", "currency", "expected"), [
    ("0.05", "1.5", "USD", "0.08"),  # 0.075 → half-even → 0.08
    ("0.05", "1.7", "USD", "0.08"),  # 0.085 → half-even → 0.08
    ("1", "2.5", "JPY", "2"),  # 2.5 → 2 (even)
    ("1", "3.5", "JPY", "4"),  # 3.5 → 4 (even)
    ("10.00", "0.1234567891", "KRW", "1"),
    ("1.005", "1", "EUR", "1.00"),
    ("999999999.99", "12345.6789012345", "USD", "12345678901111.04"),  # exact beyond 28 digits
    ("999999999.99", "0.0000005372", "EUR", "537.20"),
])
def test_conversion_apply_rounds_half_even(amount: str, rate: str, currency: str, expected: str) -> None:
    result = Conversion(Decimal(rate), date(2024, 1, 5)).apply(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


async def test_load_is_idempotent(session: AsyncSession) -> None:
    from tests.conftest import TEST_RATES_SINCE

    repository = ExchangeRateRepository(session)
    before = await repository.count()
    again = await service.load_bundled(session, since=TEST_RATES_SINCE)
    assert again.rows == 0
    assert await repository.count() == before

    removed = await repository.delete_after(date(2024, 6, 28))
    assert removed > 0
    loaded = await service.load_bundled(session, since=TEST_RATES_SINCE)
    assert loaded.rows == removed
    assert await repository.count() == before
    assert (await service.load_bundled(session, since=TEST_RATES_SINCE)).rows == 0
    assert await stored(session, "USD", date(2024, 7, 1)) == Decimal("1.0745")
