"""Portfolio Performance's published worked examples, with their own data, held to their published figures
(at the precision they are published with).

The pages are in github.com/portfolio-performance/portfolio-help (English, docs/en/; the German pages
docs/de/grundlagen/performance/zeit-gewichtet.md and geld-gewichtet.md are empty stubs, and
docs/de/grundlagen/einstandspreis.md only a title):

- concepts/cost-methodology.md: the FIFO and moving-average examples 1 and 2.
- concepts/performance/time-weighted.md: the introduction (1 %, 1 %, 2.01 %), the TTWROR of demo-portfolio-03
  at portfolio level (25.58 %, holding periods -9.94 %, 8.31 %, 28.73 %) and at security level (share-2
  69.33 %; share-1 14.98 % as PP reports it, the page's own 14.80 % uses Eq 1, not PP's daily Eq 3), the
  figure "Security Performance" (TTWROR p.a. 7.23 % and 30.13 %, IRR 14.07 % and 112.53 %), and TTWROR p.a.
  (30 % over 730 days is 14.02 % p.a.; the 2 % January example is not annualised by this engine, on purpose).
- concepts/performance/money-weighted.md: the future-value example (10 %) and examples 1 to 6 (0 %, 8.85 %,
  15.60 %, 20.28 %, 17.63 %, 112.53 %, 18.00 %). Examples 7 and 8 are IRRs of trades (a lot from its buy to
  its sale, fees and taxes included), which the engine does not compute.
- getting-started/measure-performance.md and the dashboard it shows (reference/view/reports/performance/
  images/performance-dashboard-2yrs.png): demo-portfolio-03 over 2021-06-12..2023-06-12. Its "Capital
  Gains" (68.85) and "Realized Capital Gains" (23.03) value the lots held at the start at that day's close
  and leave fees out; the contract measures gains from the lots' costs (fees in), so those two are not
  compared (the engine's own figures for them are checked by hand below).

demo-portfolio-03 is docs/en/assets/demo-portfolio-03.xml: one deposit account and one securities account,
which are one account here (it holds both cash and shares). Its closes of share-1 and share-2 are copied
below, unchanged, for every trading day on which a share is held (weekends and holidays are carried
forward, as in PP: the close "on 2023-04-11" is that of 2023-04-06, Easter).
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from colony.investments.engine import (
    Activity,
    CostMethod,
    Kind,
    Performance,
    Scope,
    locf,
    performance,
    snapshot,
)

D = Decimal
EUR = "EUR"
ACCOUNT = uuid.UUID(int=1)
SHARE_1, SHARE_2, STOCK = uuid.UUID(int=101), uuid.UUID(int=102), uuid.UUID(int=103)
PORTFOLIO = Scope(frozenset({ACCOUNT}))
TWO_YEARS = (dt.date(2021, 6, 12), dt.date(2023, 6, 12))
THREE_YEARS = (dt.date(2020, 6, 12), dt.date(2023, 6, 12))


def pct(rate: Decimal | None, places: int = 2) -> Decimal:
    """A rate as PP shows it: a percentage with `places` decimals."""
    assert rate is not None
    return (rate * 100).quantize(Decimal(1).scaleb(-places))


def act(when: str, kind: Kind, **fields: Any) -> Activity:
    return Activity(id=uuid.uuid4(), account_id=ACCOUNT, date=dt.date.fromisoformat(when), kind=kind,
                    currency=EUR, **fields)


def closes_of(table: str) -> list[tuple[dt.date, Decimal]]:
    """Lines of "YYYY-MM day=close ..." as dated closes."""
    points = []
    for line in table.split("\n"):
        month, *entries = line.split()
        for entry in entries:
            day, close = entry.split("=")
            points.append((dt.date.fromisoformat(f"{month}-{day}"), Decimal(close)))
    return points


def no_rates(currency: str, day: dt.date) -> Decimal | None:
    return None  # everything is in EUR, the base currency


# The transactions of demo-portfolio-03 (amounts as its XML holds them: a dividend's gross is its net
# 20 plus its tax 10; the sell's net 105 is 5 x 22.40 less fee 5 and tax 2).
DEPOSIT_1 = act("2021-01-15", Kind.deposit, amount=D(155), sequence=1)
BUY_1 = act("2021-01-15", Kind.buy, security_id=SHARE_1, quantity=D(10), price=D(15), fee=D(3), tax=D(2), sequence=2)
DEPOSIT_2 = act("2022-01-14", Kind.deposit, amount=D(84), sequence=1)
BUY_2 = act("2022-01-14", Kind.buy, security_id=SHARE_1, quantity=D(5), price=D(16), fee=D(3), tax=D(1), sequence=2)
DEPOSIT_3 = act("2022-09-30", Kind.deposit, amount=D(67), sequence=1)
BUY_3 = act("2022-09-30", Kind.buy, security_id=SHARE_2, quantity=D(8), price=D(8), fee=D(2), tax=D(1), sequence=2)
DIVIDEND = act("2022-12-15", Kind.dividend, security_id=SHARE_1, amount=D(30), tax=D(10))
SELL = act("2023-04-12", Kind.sell, security_id=SHARE_1, quantity=D(5), price=D("22.40"), fee=D(5), tax=D(2))
DEMO = [DEPOSIT_1, BUY_1, DEPOSIT_2, BUY_2, DEPOSIT_3, BUY_3, DIVIDEND, SELL]


def demo_prices(security_id: uuid.UUID, day: dt.date) -> tuple[Decimal, dt.date] | None:
    return DEMO_CLOSES[security_id](day)


def demo(period: tuple[dt.date, dt.date], activities: Sequence[Activity] = DEMO,
         security_id: uuid.UUID | None = None) -> Performance:
    return performance(activities, Scope(frozenset({ACCOUNT}), security_id), *period, base_currency=EUR,
                       prices=demo_prices, rates=no_rates)


def value_on(result: Performance, day: str) -> Decimal:
    return next(point.market_value for point in result.series if point.date == dt.date.fromisoformat(day))


def index_on(result: Performance, day: str) -> float:
    return next(point.index for point in result.series if point.date == dt.date.fromisoformat(day))


# concepts/cost-methodology.md


def cost_example(*trades: tuple[int, str]) -> list[Activity]:
    """Buys (positive quantity) and sells (negative) of one stock on consecutive days, no fees."""
    return [act((dt.date(2024, 1, 1) + dt.timedelta(days=i)).isoformat(), Kind.buy if quantity > 0 else Kind.sell,
                security_id=STOCK, quantity=D(abs(quantity)), price=D(price))
            for i, (quantity, price) in enumerate(trades)]


EXAMPLE_1 = [(100, "95"), (200, "105"), (100, "107"), (-150, "110")]
EXAMPLE_2 = [*EXAMPLE_1, (50, "100"), (300, "107.5"), (-200, "108")]


@pytest.mark.parametrize(("trades", "price", "method", "realized", "unrealized", "cost_per_share"), [
    (EXAMPLE_1, "110", CostMethod.average, "1050", "1750", "103"),
    (EXAMPLE_1, "110", CostMethod.fifo, "1750", "1050", "105.8"),
    (EXAMPLE_2, "108", CostMethod.average, "1650", "1200", "105"),
    (EXAMPLE_2, "108", CostMethod.fifo, "2250", "600", "106.5"),
])
def test_cost_methodology(trades: list[tuple[int, str]], price: str, method: CostMethod, realized: str,
                          unrealized: str, cost_per_share: str) -> None:
    """Realised and unrealised gains of both methods (the last sell's price values what is left); the
    total gain is the same either way (2,850 in example 2)."""
    activities = cost_example(*trades)
    on = activities[-1].date
    (position,) = snapshot(activities, on, base_currency=EUR, prices=lambda s, d: (D(price), d),
                           rates=no_rates, method=method).positions
    assert (position.realized_gain, position.unrealized_gain) == (D(realized), D(unrealized))
    assert position.cost_basis / position.quantity == D(cost_per_share)
    result = performance(activities, PORTFOLIO, on - dt.timedelta(days=len(trades)), on, base_currency=EUR,
                         prices=lambda s, d: (D(price), d), rates=no_rates, method=method)
    assert (result.realized_gain, result.unrealized_gain) == (D(realized), D(unrealized))


# concepts/performance/time-weighted.md


def test_ttwror_introduction() -> None:
    """100 EUR earns 1 % and 9 EUR are deposited; a few days later 110 EUR earn 1 % (1.10 EUR) and 8.9 EUR
    arrive on the last day: 1 % twice, 2.01 % in all, not 20 %. Inflows count from the start of their day,
    so the 9 EUR arrive the day after the 1 % (on the same day they would share it: 110/109 - 1)."""
    prices = locf([(dt.date(2024, 1, 1), D(100)), (dt.date(2024, 1, 2), D(101)), (dt.date(2024, 1, 5), D("102.1"))])
    activities = [act("2024-01-01", Kind.buy, security_id=STOCK, quantity=D(1), price=D(100)),
                  act("2024-01-03", Kind.deposit, amount=D(9)), act("2024-01-08", Kind.deposit, amount=D("8.9"))]
    result = performance(activities, PORTFOLIO, dt.date(2024, 1, 1), dt.date(2024, 1, 8), base_currency=EUR,
                         prices=lambda s, d: prices(d), rates=no_rates)
    assert [value_on(result, day) for day in ("2024-01-01", "2024-01-03", "2024-01-07", "2024-01-08")] == [
        D(100), D(110), D("111.10"), D(120)]
    assert pct(D(index_on(result, "2024-01-03") - 1)) == D("1.00")
    assert pct(D(index_on(result, "2024-01-08") / index_on(result, "2024-01-03") - 1)) == D("1.00")
    assert pct(result.twr) == D("2.01")
    same_day = performance([activities[0], act("2024-01-02", Kind.deposit, amount=D(9))], PORTFOLIO,
                           dt.date(2024, 1, 1), dt.date(2024, 1, 2), base_currency=EUR,
                           prices=lambda s, d: prices(d), rates=no_rates)
    assert same_day.twr == (D(110) / D(109) - 1).quantize(D("1E-10"))


def test_demo_portfolio_ttwror_and_its_holding_periods() -> None:
    """2021-06-12..2023-06-12: 177.94 -> 160.26 (HP1, -9.94 %), + 84 -> 264.57 (HP2, 8.31 %), + 67 -> 426.82
    (HP3, 28.73 %): 25.58 %. Daily returns between flows chain into exactly these."""
    result = demo(TWO_YEARS)
    assert [value_on(result, day) for day in ("2021-06-12", "2022-01-13", "2022-09-29", "2023-06-12")] == [
        D("177.94"), D("160.26"), D("264.57"), D("426.82")]
    hp1 = index_on(result, "2022-01-13")
    hp2 = index_on(result, "2022-09-29") / hp1
    hp3 = index_on(result, "2023-06-12") / index_on(result, "2022-09-29")
    assert [pct(D(r - 1)) for r in (hp1, hp2, hp3)] == [D("-9.94"), D("8.31"), D("28.73")]
    assert pct(result.twr) == D("25.58")


def test_demo_portfolio_dashboard() -> None:
    """The dashboard over two years: TTWROR 25.58 %, IRR 17.63 %, absolute change 248.88, delta 97.88,
    initial value 177.94, earnings 30.00, fees 10.00, taxes 14.00, performance neutral transfers 151.00,
    final value 426.82."""
    result = demo(TWO_YEARS)
    assert (pct(result.twr), pct(result.mwr)) == (D("25.58"), D("17.63"))
    assert (result.start_value, result.end_value) == (D("177.94"), D("426.82"))
    assert result.end_value - result.start_value == D("248.88")
    assert result.end_value - result.start_value - (result.deposits - result.withdrawals) == D("97.88")
    assert (result.income, result.fees, result.taxes) == (D("30.00"), D("10.00"), D("14.00"))
    assert (result.deposits, result.withdrawals) == (D("151.00"), D(0))
    # By the contract's definitions (from the lots' costs, fees in), not PP's (from the start's closes):
    # the sell realises 112 - 5 - 76.50 (half of the first lot's 153); what is left cost 76.50 + 83.
    assert result.realized_gain == D("30.50")
    assert result.unrealized_gain == D("190.06") - D("159.50") + D("111.76") - D(66)


@pytest.mark.parametrize(("security_id", "twr", "twr_pa", "irr", "end_value", "income", "absolute"), [
    (SHARE_1, "14.98", "7.23", "14.07", "190.06", "30.00", "53.12"),
    (SHARE_2, "69.33", "30.13", "112.53", "111.76", "0.00", "44.76"),
])
def test_demo_security_performance(security_id: uuid.UUID, twr: str, twr_pa: str, irr: str, end_value: str,
                                   income: str, absolute: str) -> None:
    """Reports > Performance > Securities over two years (TTWROR, TTWROR p.a., IRR, market value, ∑Div,
    Abs.Perf.). Flows: buys with fees (153, 83; 66), the dividend gross (30), the sell net of its fee (107);
    taxes left out. PP's absolute performance is the end value and what flowed out, less the start value,
    what flowed in and the taxes."""
    result = demo(TWO_YEARS, security_id=security_id)
    assert (pct(result.twr), pct(result.twr_annualized), pct(result.mwr)) == (D(twr), D(twr_pa), D(irr))
    assert (result.end_value, result.income) == (D(end_value), D(income))
    gain = result.end_value + result.withdrawals - result.start_value - result.deposits - result.taxes
    assert gain == D(absolute)


def test_demo_share_1_holding_periods() -> None:
    """The values of share-1 in the page's table: 177.94, 160.26 (2022-01-13), 287.49 (2022-12-14), 339
    (2023-04-11), 190.06; flows 83 in, 30 and 107 out."""
    result = demo(TWO_YEARS, security_id=SHARE_1)
    days = ("2021-06-12", "2022-01-13", "2022-12-14", "2023-04-11", "2023-06-12")
    assert [value_on(result, day) for day in days] == [D("177.94"), D("160.26"), D("287.49"), D("339.00"),
                                                         D("190.06")]
    flows = {(p.date.isoformat(), p.inflow, p.outflow) for p in result.series if p.inflow or p.outflow}
    assert flows == {("2022-01-14", D(83), D(0)), ("2022-12-15", D(0), D(30)), ("2023-04-12", D(0), D(107))}


@pytest.mark.parametrize(("end", "growth", "published"), [
    (dt.date(2023, 1, 1), "1.3", "14.02"),  # 30 % over 730 days
    (dt.date(2021, 1, 1) + dt.timedelta(days=31), "1.02", None),  # 2 % in 31 days: PP shows 26.26 % p.a.
])
def test_ttwror_per_annum(end: dt.date, growth: str, published: str | None) -> None:
    """TTWROR p.a. = (1 + TTWROR)^(365 / days) - 1 over a year or more; under a year the engine gives none
    (the contract), where PP would extrapolate 2 % in January to 26.26 %."""
    start = dt.date(2021, 1, 1)
    prices = locf([(start, D(100)), (end, D(100) * D(growth))])
    result = performance([act("2021-01-01", Kind.buy, security_id=STOCK, quantity=D(1), price=D(100))], PORTFOLIO,
                         start, end, base_currency=EUR, prices=lambda s, d: prices(d), rates=no_rates)
    assert result.twr == D(growth) - 1
    assert (None if result.twr_annualized is None else str(pct(result.twr_annualized))) == published


# concepts/performance/money-weighted.md


def test_irr_future_value() -> None:
    """1,000 EUR on 2024-01-01, 500 a year later and 1,000 a year after, at 10 % a year: 1,331 + 605 +
    1,100 = 3,036 EUR on 2027-01-01. A fund that grows 10 % a year, bought with each payment, reproduces it;
    the IRR is 10 % (to the page's precision: its years are 365 days, 2024 has 366)."""
    days = [dt.date(2024 + i, 1, 1) for i in range(4)]
    unit_prices = [D(100), D(110), D(121), D("133.1")]
    prices = locf(list(zip(days, unit_prices, strict=True)))
    activities = [act(days[i].isoformat(), Kind.buy, security_id=STOCK, quantity=amount / unit_prices[i],
                      price=unit_prices[i]) for i, amount in ((0, D(1000)), (1, D(500)), (2, D(1000)))]
    result = performance(activities, PORTFOLIO, days[0], days[3], base_currency=EUR,
                         prices=lambda s, d: prices(d), rates=no_rates)
    assert (result.start_value, result.end_value, result.deposits) == (D(1000), D(3036), D(1500))
    assert pct(result.mwr, 0) == D(10)


@pytest.mark.parametrize(("example", "activities", "period", "end_value", "irr"), [
    ("1: one deposit", [DEPOSIT_1], THREE_YEARS, "155.00", "0.00"),
    ("1: a deposit and a buy", [DEPOSIT_1, BUY_1], THREE_YEARS, "190.06", "8.85"),
    ("2: three deposits and buys", [DEPOSIT_1, BUY_1, DEPOSIT_2, BUY_2, DEPOSIT_3, BUY_3], THREE_YEARS, "396.85",
     "15.60"),
    ("3: buys, dividend, sell", DEMO, THREE_YEARS, "426.82", "20.28"),
    ("4: MVB > 0", DEMO, TWO_YEARS, "426.82", "17.63"),
])
def test_irr_at_portfolio_level(example: str, activities: Sequence[Activity], period: tuple[dt.date, dt.date],
                                end_value: str, irr: str) -> None:
    """Only deposits (and withdrawals) are portfolio flows: a dividend or a sell stays in the portfolio."""
    result = demo(period, activities)
    assert result.end_value == D(end_value)
    assert pct(result.mwr) == D(irr)


@pytest.mark.parametrize(("example", "security_id", "irr"), [
    ("5: a security with one buy", SHARE_2, "112.53"),
    ("6: a security with multiple transactions", SHARE_1, "18.00"),
])
def test_irr_at_security_level(example: str, security_id: uuid.UUID, irr: str) -> None:
    """Three years: buys with fees in (153, 83; 66), the dividend gross out (30), the sell out net of its
    fee (107), taxes out of it; the end values 190.06 and 111.76."""
    assert pct(demo(THREE_YEARS, security_id=security_id).mwr) == D(irr)


# The closes of demo-portfolio-03 ("YYYY-MM day=close ..."), from its first buy of each share to 2023-06-12.

SHARE_1_CLOSES = """\
2021-01 15=15.05 18=14.94 19=15.065 20=15.14 21=15.105 22=15.065 25=14.92 26=14.99 27=15.085 28=14.975 29=14.7
2021-02 01=14.835 02=14.985 03=15.255 04=15.295 05=15.065 08=15.03 09=14.895 10=14.87 11=14.795 12=14.845
2021-02 15=14.915 16=14.79 17=14.76 18=14.7 19=14.83 22=14.805 23=14.72 24=14.77 25=14.97 26=15.03
2021-03 01=15.025 02=15 03=14.905 04=14.985 05=15 08=15.315 09=15.415 10=16.2 11=16.22 12=16.485 15=16.625
2021-03 16=16.485 17=16.625 18=16.755 19=16.47 22=16.445 23=16.75 24=16.725 25=16.735 26=16.84 29=17.135
2021-03 30=17.115 31=17.17
2021-04 01=17.25 06=16.57 07=16.574 08=16.638 09=16.452 12=16.302 13=16.096 14=16.07 15=15.992 16=16.124
2021-04 19=16.194 20=16.048 21=16.032 22=16.152 23=16.082 26=16.044 27=15.998 28=15.98 29=15.95 30=16
2021-05 03=16.098 04=16.092 05=16.412 06=16.532 07=16.534 10=16.648 11=16.35 12=16.712 13=16.618 14=16.812
2021-05 17=17.272 18=17.068 19=16.592 20=17.008 21=17.17 25=17.17 26=17.092 27=17.014 28=17.084 31=16.994
2021-06 01=17.176 02=17.246 03=17.26 04=17.282 07=17.442 08=17.42 09=17.386 10=17.696 11=17.794 14=17.788
2021-06 15=17.872 16=17.81 17=17.758 18=17.596 21=17.812 22=17.976 23=17.74 24=17.872 25=17.878 28=17.916
2021-06 29=17.998 30=17.812
2021-07 01=17.872 02=17.97 05=17.934 06=17.822 07=18.002 08=17.792 09=18 12=18.272 13=18.416 14=18.312 15=18.22
2021-07 16=18.344 19=17.542 20=17.534 21=17.886 22=17.67 23=17.884 26=17.834 27=17.836 28=17.806 29=17.684
2021-07 30=17.506
2021-08 02=17.428 03=17.602 04=17.532 05=17.548 06=17.686 09=17.832 10=17.88 11=17.902 12=18.404 13=18.552
2021-08 16=18.598 17=18.746 18=18.916 19=18.574 20=18.814 23=18.82 24=18.614 25=18.58 26=18.444 27=18.47
2021-08 30=18.404 31=18.008
2021-09 01=18.064 02=17.954 03=17.804 06=17.904 07=17.914 08=17.976 09=17.732 10=17.342 13=17.516 14=17.416
2021-09 15=17.404 16=17.42 17=17.352 20=16.962 21=17.22 22=17.408 23=17.666 24=17.45 27=17.57 28=17.31 29=17.536
2021-09 30=17.396
2021-10 01=17.362 04=17.38 05=17.608 06=16.662 07=16.864 08=16.766 11=16.716 12=16.38 13=16.38 14=16.53
2021-10 15=16.526 18=16.486 19=16.394 20=16.53 21=16.51 22=16.394 25=16.282 26=16.38 27=16.252 28=16.032
2021-10 29=16.078
2021-11 01=16.246 02=16.382 03=16.638 04=16.612 05=16.832 08=16.602 09=16.538 10=16.718 11=16.702 12=17.036
2021-11 15=16.738 16=16.72 17=16.81 18=16.714 19=16.482 22=16.91 23=16.934 24=16.87 25=16.85 26=16.148 29=16.04
2021-11 30=15.588
2021-12 01=15.982 02=15.588 03=15.462 06=15.876 07=15.876 08=16.07 09=15.916 10=15.852 13=15.998 14=16.154
2021-12 15=16.05 16=16.158 17=16.05 20=15.698 21=15.924 22=15.944 23=16.204 27=16.248 28=16.486 29=16.218
2021-12 30=16.3
2022-01 03=16.546 04=16.53 05=16.47 06=16.464 07=16.178 10=15.528 11=15.858 12=16.016 13=16.026 14=15.962
2022-01 17=15.946 18=15.958 19=16.198 20=16.32 21=16.086 24=15.72 25=15.96 26=16.208 27=16.722 28=16.686
2022-01 31=16.672
2022-02 01=16.8 02=16.876 03=17.31 04=17.028 07=17.086 08=17.35 09=17.71 10=17.554 11=17.766 14=17.338 15=17.542
2022-02 16=17.5 17=17.236 18=17.076 21=16.75 22=16.63 23=16.476 24=15.586 25=16.18 28=16.03
2022-03 01=15.57 02=16.06 03=15.826 04=15.354 07=15.262 08=15.1 09=16.066 10=15.794 11=16.056 14=16.444 15=16.57
2022-03 16=16.8 17=16.914 18=16.7 21=16.596 22=16.69 23=16.598 24=16.744 25=16.926 28=17.08 29=17.314 30=17.21
2022-03 31=16.932
2022-04 01=17.244 04=17.368 05=17.592 06=17.61 07=17.564 08=17.13 11=17.14 12=17.056 13=17.3 14=17.3 19=17.136
2022-04 20=17.3 21=17.3 22=17.3 25=17.152 26=17.19 27=17.19 28=17.708 29=17.57
2022-05 02=17.29 03=17.376 04=17.53 05=17.592 06=17.592 09=17.142 10=17.28 11=17.51 12=17.948 13=17.948
2022-05 16=18.078 17=18.126 18=18.1 19=18.08 20=18.32 23=18.49 24=18.6 25=18.6 26=18.936 27=18.936 30=18.936
2022-05 31=19.124
2022-06 01=19.118 02=19.118 03=19.118 06=19.25 07=19.15 08=18.68 09=18.56 10=18.15 13=17.812 14=17.818 15=18
2022-06 16=17.804 17=18.096 20=18.524 21=18.352 22=18.666 23=18.658 24=18.88 27=18.842 28=19.068 29=19.034
2022-06 30=18.946
2022-07 01=19.216 04=19.266 05=18.864 06=19.016 07=19.202 08=19.216 11=19.222 12=19.222 13=19.19 14=18.762
2022-07 15=19.082 18=18.94 19=19.082 20=18.864 21=18.734 22=18.164 25=18.182 26=18.13 27=18.496 28=18.392
2022-07 29=18.506
2022-08 01=18.652 02=18.858 03=18.66 04=18.618 05=18.782 08=18.774 09=18.986 10=18.856 11=18.938 12=18.684
2022-08 15=18.758 16=19.112 17=18.866 18=18.796 19=18.896 22=18.988 23=18.77 24=18.73 25=18.878 26=18.676
2022-08 29=18.772 30=18.848 31=18.788
2022-09 01=18.698 02=18.984 05=18.902 06=18.828 07=18.89 08=18.824 09=19.55 12=19.382 13=19.248 14=19.05
2022-09 15=19.086 16=18.87 19=18.986 20=18.738 21=18.688 22=18.578 23=18.316 26=17.834 27=17.812 28=17.884
2022-09 29=17.638 30=17.492
2022-10 03=17.856 04=18.406 05=17.952 06=17.646 07=17.602 10=17.71 11=17.704 12=17.728 13=17.566 14=17.836
2022-10 17=18.094 18=18.072 19=18.23 20=18.19 21=18.056 24=18.306 25=18.522 26=18.642 27=18.668 28=19.3
2022-10 31=19.164
2022-11 01=19.35 02=19.5 03=19.404 04=19.608 07=19.646 08=19.672 09=19.71 10=19.408 11=18.86 14=18.878 15=18.962
2022-11 16=19.018 17=18.908 18=19.332 21=19.53 22=19.602 23=19.56 24=19.702 25=19.766 28=19.694 29=19.464
2022-11 30=19.406
2022-12 01=19.67 02=19.648 05=19.522 06=19.4 07=19.368 08=19.3 09=19.324 12=19.134 13=19.204 14=19.166 15=18.898
2022-12 16=18.85 19=18.946 20=18.884 21=19.098 22=18.958 23=18.868 27=18.94 28=18.928 29=19.084 30=18.638
2023-01 02=18.934 03=19.04 04=19.224 05=19.534 06=19.78 09=19.856 10=19.97 11=20.11 12=20.31 13=20.355 16=20.57
2023-01 17=20.585 18=20.295 19=20.185 20=20.17 23=20.28 24=20.125 25=20.32 26=20.295 27=20.295 30=20.355
2023-01 31=20.45
2023-02 01=20.465 02=20.56 03=20.155 06=20.135 07=20.09 08=20.155 09=20.16 10=20.145 13=20.335 14=20.51
2023-02 15=20.585 16=20.52 17=20.76 20=20.805 21=20.91 22=21.105 23=21.2 24=20.945 27=21.265 28=21.235
2023-03 01=21.145 02=21.205 03=21.26 06=21.46 07=21.41 08=21.52 09=21.57 10=21.53 13=21.37 14=21.625 15=21.67
2023-03 16=21.735 17=21.48 20=21.88 21=21.995 22=21.79 23=21.84 24=21.72 27=21.83 28=21.905 29=22.11 30=22.13
2023-03 31=22.35
2023-04 03=22.355 04=22.375 05=23.045 06=22.6 12=22.4 13=22.305 14=22.215 17=22.345 18=22.455 19=22.505 20=22.48
2023-04 21=22.38 24=22.06 25=22.23 26=22.23 27=22.26 28=21.88
2023-05 02=21.37 03=21.28 04=21.365 05=21.41 08=21.3 09=21.385 10=21.25 11=21.54 12=21.66 15=21.84 16=22.01
2023-05 17=21.835 18=21.79 19=21.855 22=21.73 24=21.74 25=21.14 26=21.04 29=21.055 30=20.77 31=20.745
2023-06 02=19.138 05=19.436 06=19.254 07=19 08=18.858 09=19.046 12=19.006"""

SHARE_2_CLOSES = """\
2022-09 30=8
2022-10 03=8.012 04=8.452 05=8.04 06=8.066 07=7.878 10=7.814 11=8.04 12=8.076 13=8.296 14=8.382 17=8.702 18=8.88
2022-10 19=8.754 20=8.918 21=8.846 24=8.894 25=9.314 26=9.514 27=9.508 28=9.518 31=9.734
2022-11 01=9.726 02=11.025 03=10.255 04=10.43 07=10.28 08=10.605 09=10.47 10=10.935 11=11.13 14=11.045 15=10.985
2022-11 16=10.7 17=10.955 18=10.965 21=11.19 22=12.155 23=12.01 24=12.065 25=12.41 28=12.155 29=12.175 30=12.295
2022-12 01=12.645 02=12.75 05=12.705 06=12.57 07=12.565 08=12.62 09=12.85 12=12.485 13=12.765 14=12.755 15=12.1
2022-12 16=12.2 19=12.18 20=12.08 21=12.355 22=12.09 23=12.01 27=11.98 28=11.915 29=12.115 30=12.045
2023-01 02=12.05 03=12.19 04=12.455 05=12.56 06=12.615 09=12.85 10=13 11=12.945 12=13.26 13=13.26 16=13.725
2023-01 17=13.61 18=13.695 19=13.27 20=13.3 23=13.42 24=13.36 25=13.015 26=13.075 27=13.075 30=13.1 31=12.88
2023-02 01=12.17 02=12.42 03=12.375 06=12.23 07=14.4 08=14.835 09=14.87 10=14.595 13=14.825 14=14.81 15=15.18
2023-02 16=15.35 17=15.39 20=15.55 21=15.405 22=15.24 23=15.4 24=15.335 27=15.18 28=15.275
2023-03 01=15.265 02=15.27 03=15.28 06=15.65 07=15.355 08=15.275 09=15.44 10=15 13=14.385 14=14.975 15=14.75
2023-03 16=14.81 17=14.925 20=15.03 21=14.955 22=14.835 23=15.185 24=14.665 27=14.875 28=14.715 29=15.155
2023-03 30=15.585 31=15.655
2023-04 03=15.54 04=15.58 05=15.36 06=15.37 12=15.265 13=15.43 14=15.31 17=16.07 18=15.89 19=15.795 20=15.705
2023-04 21=15.77 24=15.58 25=16.05 26=15.925 27=16.36 28=16.675
2023-05 02=16.75 03=15.035 04=14.71 05=14.775 08=15.22 09=15.085 10=15.585 11=15.71 12=15.71 15=15.745 16=15.59
2023-05 17=15.42 18=15.445 19=15.59 22=15.435 24=14.39 25=14.45 26=14.685 29=14.59 30=14.565 31=14.635
2023-06 02=14.675 05=14.515 06=14.43 07=13.965 08=13.85 09=13.83 12=13.97"""

DEMO_CLOSES = {SHARE_1: locf(closes_of(SHARE_1_CLOSES)), SHARE_2: locf(closes_of(SHARE_2_CLOSES))}
