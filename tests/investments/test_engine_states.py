"""Stored daily states (`daily_states`): a figure over [a, b] from two rows is the figure `performance` gives
over [a, b], and states computed in two pieces (the second continuing the first) are the states computed in
one. Days are 2024-01-01 (a Monday) plus n; the base currency is EUR."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from colony.core.money import quantize
from colony.investments.engine import (
    Activity,
    CostMethod,
    DayState,
    Kind,
    PriceLookup,
    RateLookup,
    Scope,
    daily_states,
    performance,
)
from colony.investments.engine.returns import as_rate
from colony.investments.engine.states import zero_state
from tests.investments.engine_kit import NO_RATES, A, B, D, X, Y, act, buy, closes, day, fx, sell

Z = uuid.UUID(int=103)
ONLY_A, ONLY_B, A_AND_B = Scope(frozenset({A})), Scope(frozenset({B})), Scope(frozenset({A, B}))


def transfer(n: int, source: uuid.UUID, target: uuid.UUID, **fields: Any) -> list[Activity]:
    """Both legs of a transfer (of shares with `security_id` and `quantity`, of cash with `amount`)."""
    return [act(n, Kind.transfer_out, account=source, counter_account_id=target, **fields),
            act(n, Kind.transfer_in, account=target, counter_account_id=source, **fields)]


def states_of(activities: Sequence[Activity], scopes: Sequence[Scope], start: int, end: int, prices: PriceLookup,
              rates: RateLookup = NO_RATES, prior: Mapping[Scope, DayState] | None = None
              ) -> dict[Scope, list[DayState]]:
    return daily_states(activities, scopes, day(start), day(end), base_currency="EUR", prices=prices, rates=rates,
                        prior=prior)


def on(rows: Sequence[DayState], n: int) -> DayState:
    (row,) = [row for row in rows if row.date == day(n)]
    return row


def money(amount: Decimal) -> Decimal:
    return quantize(amount, "EUR")


Figures = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal | None]


def from_rows(rows: Sequence[DayState], a: int, b: int, method: CostMethod) -> Figures:
    """What the API reads from two stored rows."""
    first, last = on(rows, a), on(rows, b)
    fifo = method is CostMethod.fifo
    return (money(first.market_value), money(last.market_value), money(last.cum_inflow - first.cum_inflow),
            money(last.cum_outflow - first.cum_outflow), money(last.income - first.income),
            money(last.fees - first.fees), money(last.taxes - first.taxes),
            money(last.realized_fifo - first.realized_fifo if fifo else last.realized_average - first.realized_average),
            money(last.unrealized_fifo if fifo else last.unrealized_average), as_rate(last.index / first.index - 1))


def from_performance(activities: Sequence[Activity], scope: Scope, a: int, b: int, prices: PriceLookup,
                     rates: RateLookup, method: CostMethod) -> Figures:
    f = performance(activities, scope, day(a), day(b), base_currency="EUR", prices=prices, rates=rates,
                    method=method)
    return (f.start_value, f.end_value, f.deposits, f.withdrawals, f.income, f.fees, f.taxes, f.realized_gain,
            f.unrealized_gain, f.twr)


# Forty days of two accounts with every kind of activity: a security in EUR (X, split on day 10) and one in
# USD (Y, no close before day 3), transfers of shares and of cash between the accounts, an opening lot, an
# implicit deposit, a day with a deposit and a withdrawal, and closes only on weekdays.
X_CLOSES = {n: str(D(100) + n * D("0.75") - (n % 3) * D("1.1")) for n in range(10) if n % 7 not in (5, 6)} | {
    n: str(D(50) + n * D("0.4") - (n % 4) * D("0.65")) for n in range(10, 41) if n % 7 not in (5, 6)}
Y_CLOSES = {n: str(D(50) + n * D("0.3") + (n % 5) * D("0.45")) for n in range(3, 41) if n % 7 not in (5, 6)}
PRICES = closes({X: X_CLOSES, Y: Y_CLOSES})
RATES = fx({"USD": {-5: "0.9", 2: "0.91", 5: "0.92", 9: "0.905", 14: "0.93", 20: "0.915", 30: "0.92"}})
ACTIVITIES = [
    act(0, Kind.deposit, amount=D(10000)), act(0, Kind.deposit, account=B, amount=D(5000)),
    buy(0, "10", "100", fee=D(1)),
    buy(1, "20", "50", security=Y, currency="USD", fee=D(1)),
    buy(2, "5", "101", account=B),
    act(4, Kind.dividend, security_id=X, amount=D(12), tax=D(2)),
    sell(5, "4", "105", fee=D(1), tax=D(1)),
    *transfer(6, A, B, security_id=X, quantity=D(3)),
    act(7, Kind.deposit, amount=D(500)), act(7, Kind.withdrawal, amount=D(200)),
    act(8, Kind.fee, amount=D(5)), act(8, Kind.tax, amount=D(3)),
    act(10, Kind.split, security_id=X, split=(D(2), D(1))),
    sell(12, "5", "55", security=Y, currency="USD", fee=D("0.5")),
    act(13, Kind.interest, account=B, amount=D(7)),
    buy(15, "10", "52"),
    *transfer(16, B, A, amount=D(100)),
    act(18, Kind.withdrawal, account=B, amount=D(1000)),
    sell(20, "6", "54", account=B),
    act(22, Kind.opening, account=B, security_id=Y, currency="USD", quantity=D(3), amount=D(150)),
    buy(25, "4", "57", account=B, security=Y, currency="USD", fee=D(1)),  # B has no USD: an implicit deposit
    act(27, Kind.dividend, security_id=Y, currency="USD", amount=D(3)),
    sell(30, "13", "56", fee=D(1)),
]
START, END = -2, 40
RANGES = [(-2, 40), (-2, -1), (-1, 5), (0, 0), (0, 40), (3, 9), (6, 7), (9, 30), (12, 40), (40, 40)]


@pytest.fixture(scope="module")
def rows() -> dict[Scope, list[DayState]]:
    return states_of(ACTIVITIES, [A_AND_B, ONLY_A, ONLY_B], START, END, PRICES, RATES)


def test_one_row_per_scope_and_day(rows: dict[Scope, list[DayState]]) -> None:
    assert list(rows) == [A_AND_B, ONLY_A, ONLY_B]
    for scope_rows in rows.values():
        assert [row.date for row in scope_rows] == [day(n) for n in range(START, END + 1)]


@pytest.mark.parametrize("method", list(CostMethod))
@pytest.mark.parametrize("scope", [A_AND_B, ONLY_A, ONLY_B], ids=["portfolio", "account A", "account B"])
@pytest.mark.parametrize(("a", "b"), RANGES)
def test_two_rows_give_the_performance_over_their_range(rows: dict[Scope, list[DayState]], scope: Scope,
                                                        method: CostMethod, a: int, b: int) -> None:
    """Values at a and b, flows and totals over (a, b], the unrealised gain at b and the TWR (equal after
    the engine's quantization to 10 places)."""
    assert from_rows(rows[scope], a, b, method) == from_performance(ACTIVITIES, scope, a, b, PRICES, RATES, method)


@pytest.mark.parametrize("scope", [A_AND_B, ONLY_A, ONLY_B], ids=["portfolio", "account A", "account B"])
def test_the_rows_are_the_daily_series(rows: dict[Scope, list[DayState]], scope: Scope) -> None:
    """The values and flows of the rows are those of the performance's series, and the cumulative flows
    add up the rows' flows."""
    series = performance(ACTIVITIES, scope, day(3), day(33), base_currency="EUR", prices=PRICES,
                         rates=RATES).series
    assert [(money(r.market_value), money(r.inflow), money(r.outflow)) for r in rows[scope]
            if day(3) <= r.date <= day(33)] == [(p.market_value, p.inflow, p.outflow) for p in series]
    for row in rows[scope]:
        assert (row.cum_inflow, row.cum_outflow) == (sum((r.inflow for r in rows[scope] if r.date <= row.date), D(0)),
                                                     sum((r.outflow for r in rows[scope] if r.date <= row.date), D(0)))


def test_the_holdings_value_is_the_market_value_without_the_cash() -> None:
    prices = closes({X: {0: "10", 1: "12"}})
    activities = [act(0, Kind.deposit, amount=D(100)), buy(0, "5", "10"), buy(1, "2", "11", account=B)]
    result = states_of(activities, [A_AND_B, ONLY_B], 0, 1, prices)
    assert [(r.market_value, r.holdings_value) for r in result[A_AND_B]] == [(D(100), D(50)), (D(134), D(84))]
    assert [(r.market_value, r.holdings_value) for r in result[ONLY_B]] == [(D(0), D(0)), (D(24), D(24))]
    assert [(r.unrealized_fifo, r.unrealized_average) for r in result[A_AND_B]] == [(D(0), D(0)), (D(12), D(12))]


# Incremental recomputation


@pytest.mark.parametrize("middle", [-1, 0, 5, 6, 11, 29, 39])
def test_two_calls_give_the_rows_of_one(rows: dict[Scope, list[DayState]], middle: int) -> None:
    """The second call continues the first from its last rows; the activities up to `middle` only rebuild
    the books."""
    scopes = [A_AND_B, ONLY_A, ONLY_B]
    first = states_of(ACTIVITIES, scopes, START, middle, PRICES, RATES)
    second = states_of(ACTIVITIES, scopes, middle + 1, END, PRICES, RATES,
                       prior={scope: first[scope][-1] for scope in scopes})
    for scope in scopes:
        assert first[scope] + second[scope] == rows[scope]


@pytest.mark.parametrize("backdated", [
    [buy(12, "7", "53")],
    [sell(9, "2", "105", account=B)],
    [act(3, Kind.withdrawal, account=B, amount=D(300))],
    transfer(14, A, B, security_id=Y, currency="USD", quantity=D(5)),
], ids=["buy", "sell", "withdrawal", "transfer"])
def test_a_backdated_activity_is_recomputed_from_its_day(backdated: list[Activity]) -> None:
    """Rows stored before an activity was entered stay right up to the day before it; from its day on, one
    call from the stored row of the day before (with all the activities) gives the rows of a recomputation
    of everything."""
    scopes = [A_AND_B, ONLY_A, ONLY_B]
    stored = states_of(ACTIVITIES, scopes, START, END, PRICES, RATES)
    after = [*ACTIVITIES, *backdated]
    n = (backdated[0].date - day(0)).days
    recomputed = states_of(after, scopes, n, END, PRICES, RATES, prior={s: on(stored[s], n - 1) for s in scopes})
    everything = states_of(after, scopes, START, END, PRICES, RATES)
    for scope in scopes:
        assert [r for r in stored[scope] if r.date < day(n)] + recomputed[scope] == everything[scope]
    assert any(on(stored[scope], n) != on(everything[scope], n) for scope in scopes)  # it did change the rows


def test_the_prior_must_be_the_day_before_the_start() -> None:
    with pytest.raises(ValueError, match="prior"):
        states_of([], [ONLY_A], 5, 6, closes({}), prior={ONLY_A: zero_state(day(3))})
    with pytest.raises(ValueError, match="after"):
        states_of([], [ONLY_A], 6, 5, closes({}))


def test_the_index_and_the_totals_continue_the_prior() -> None:
    prior = DayState(day(-1), D(200), D(0), D(0), D(0), 1.5, D(1000), D(300), D(10), D(4), D(3), D(20), D(25),
                     D(0), D(0))
    activities = [act(-5, Kind.deposit, amount=D(200)), act(0, Kind.deposit, amount=D(100)),
                  act(0, Kind.interest, amount=D(5), tax=D(1)), act(1, Kind.fee, amount=D(2))]
    (first, second) = states_of(activities, [ONLY_A], 0, 1, closes({}), prior={ONLY_A: prior})[ONLY_A]
    assert (first.market_value, first.inflow, first.cum_inflow, first.cum_outflow) == (D(304), D(100), D(1100),
                                                                                       D(300))
    assert first.index == pytest.approx(1.5 * 304 / 300)
    assert (first.income, first.fees, first.taxes, first.realized_fifo, first.realized_average) == (
        D(15), D(4), D(4), D(20), D(25))
    assert (second.market_value, second.fees, second.index) == (D(302), D(6), first.index * 302 / 304)


# Flows


def test_a_transfer_between_two_accounts_is_a_flow_of_each_not_of_both() -> None:
    prices = closes({X: {0: "10", 1: "11", 2: "12"}})
    activities = [act(0, Kind.deposit, amount=D(150)), buy(0, "10", "10"), *transfer(1, A, B, security_id=X,
                                                                                      quantity=D(10)),
                  *transfer(2, A, B, amount=D(50))]
    result = states_of(activities, [A_AND_B, ONLY_A, ONLY_B], 0, 2, prices)
    flows = {scope: [(r.inflow, r.outflow) for r in result[scope]] for scope in result}
    assert flows[A_AND_B] == [(D(150), D(0)), (D(0), D(0)), (D(0), D(0))]
    assert flows[ONLY_A] == [(D(150), D(0)), (D(0), D(110)), (D(0), D(50))]  # the shares at the day's close
    assert flows[ONLY_B] == [(D(0), D(0)), (D(110), D(0)), (D(50), D(0))]
    assert [r.market_value for r in result[ONLY_A]] == [D(150), D(50), D(0)]
    assert [r.market_value for r in result[ONLY_B]] == [D(0), D(110), D(170)]
    assert [(r.cum_inflow, r.cum_outflow) for r in (result[A_AND_B][-1], result[ONLY_A][-1], result[ONLY_B][-1])
            ] == [(D(150), D(0)), (D(150), D(160)), (D(160), D(0))]
    assert [r.index for r in result[A_AND_B]] == pytest.approx([1.0, 160 / 150, 170 / 150])
    # The lots moved: B's unrealised gain is measured from A's cost.
    assert (result[ONLY_B][-1].unrealized_fifo, result[ONLY_A][-1].unrealized_fifo) == (D(20), D(0))


def test_a_day_with_an_inflow_and_an_outflow() -> None:
    """Inflows at the start of the day, outflows at its end: 1 + r = (MV_t + OUT_t) / (MV_t-1 + IN_t)."""
    prices = closes({X: {0: "10", 1: "11"}})
    activities = [act(0, Kind.deposit, amount=D(100)), buy(0, "10", "10"),
                  act(1, Kind.deposit, amount=D(50)), act(1, Kind.withdrawal, amount=D(30))]
    first, second = states_of(activities, [ONLY_A], 0, 1, prices)[ONLY_A]
    assert (second.market_value, second.inflow, second.outflow) == (D(130), D(50), D(30))
    assert (second.cum_inflow, second.cum_outflow) == (D(150), D(30))
    assert second.index == pytest.approx((130 + 30) / (100 + 50))
    assert as_rate(second.index / first.index - 1) == performance(
        activities, ONLY_A, day(0), day(1), base_currency="EUR", prices=prices, rates=NO_RATES).twr


def test_cumulative_figures_start_from_a_zero_prior() -> None:
    """Without a prior, the day before the start held nothing: the first day's flows and totals count."""
    prices = closes({X: {0: "10", 1: "12"}})
    activities = [act(0, Kind.deposit, amount=D(100)), buy(0, "5", "10", fee=D(1), tax=D(2)),
                  act(0, Kind.dividend, security_id=X, amount=D(4), tax=D(1)), sell(1, "2", "12", fee=D(1))]
    result = states_of(activities, [ONLY_A], 0, 1, prices)[ONLY_A]
    assert result == states_of(activities, [ONLY_A], 0, 1, prices, prior={ONLY_A: zero_state(day(-1))})[ONLY_A]
    first, second = result
    assert (first.inflow, first.cum_inflow, first.income, first.fees, first.taxes) == (D(100), D(100), D(4), D(1),
                                                                                       D(3))
    assert (first.market_value, first.index) == (D(100), 1.0)  # 100 - 53 + 3 in cash, 5 x 10 held
    assert (second.realized_fifo, second.realized_average, second.fees) == (D("2.6"), D("2.6"), D(2))  # 23 - 2 x 10.2
    assert (second.unrealized_fifo, second.market_value) == (D("5.4"), D(109))  # 3 x 12 - 3 x 10.2; 73 + 36
    zero = zero_state(day(-1))
    assert (zero.market_value, zero.index, zero.cum_inflow, zero.realized_fifo) == (D(0), 1.0, D(0), D(0))


# Missing prices and rates


def test_a_security_is_worth_nothing_before_its_first_close() -> None:
    prices = closes({X: {2: "11", 4: "12"}})
    activities = [act(0, Kind.deposit, amount=D(1000)), buy(0, "10", "10"), buy(3, "1", "11", account=B)]
    result = states_of(activities, [A_AND_B, ONLY_A], 0, 4, prices)
    assert [(r.market_value, r.holdings_value) for r in result[ONLY_A]] == [
        (D(900), D(0)), (D(900), D(0)), (D(1010), D(110)), (D(1010), D(110)), (D(1020), D(120))]
    # Left out of the unrealised gain (no value) until its first close, as in performance.
    assert [r.unrealized_fifo for r in result[ONLY_A]] == [D(0), D(0), D(10), D(10), D(20)]
    assert [r.index for r in result[ONLY_A]] == pytest.approx([0.9, 0.9, 1.01, 1.01, 1.02])
    for scope in (A_AND_B, ONLY_A):
        for a, b in [(0, 4), (1, 2), (2, 4)]:
            for method in CostMethod:
                assert from_rows(result[scope], a, b, method) == from_performance(
                    activities, scope, a, b, prices, NO_RATES, method)


def test_a_holding_whose_base_cost_is_incomplete_is_left_out_of_the_unrealised_gain() -> None:
    """Z in GBP: bought in A before the first GBP rate (its base cost unknown), in B after it. Only B's
    holding has a gain; the value of both counts in the market value."""
    prices, rates = closes({Z: {0: "10", 3: "12"}}), fx({"GBP": {2: "1.2"}})
    activities = [buy(0, "10", "10", security=Z, currency="GBP"), buy(2, "5", "10", security=Z, currency="GBP",
                                                                      account=B),
                  sell(4, "4", "12", security=Z, currency="GBP", account=B)]
    result = states_of(activities, [A_AND_B, ONLY_A, ONLY_B], 0, 4, prices, rates)
    assert [(r.market_value, r.unrealized_fifo, r.unrealized_average) for r in result[A_AND_B]] == [
        (D(0), D(0), D(0)), (D(0), D(0), D(0)), (D(180), D(0), D(0)), (D(216), D(12), D(12)),
        (D(216), D("2.4"), D("2.4"))]  # B sold 4 of its 5 for 48 GBP: 1 x 12 x 1.2 less a fifth of 60
    assert [r.unrealized_fifo for r in result[ONLY_A]] == [D(0)] * 5
    for scope in (A_AND_B, ONLY_A, ONLY_B):
        for a, b in [(0, 4), (2, 3), (3, 4)]:
            for method in CostMethod:
                assert from_rows(result[scope], a, b, method) == from_performance(
                    activities, scope, a, b, prices, rates, method)


def test_without_a_rate_only_a_holding_worth_0_counts_in_the_unrealised_gain() -> None:
    """As Meter.unrealized: a value without a rate is unknown, except a value of 0."""
    prices, rates_until_1 = closes({Y: {0: "10"}, Z: {0: "0"}}), fx({"USD": {0: "0.5"}})
    activities = [buy(0, "2", "10", security=Y, currency="USD"), buy(0, "3", "4", security=Z, currency="USD")]

    def missing_from_day_2(currency: str, on: dt.date) -> Decimal | None:
        return None if on >= day(2) else rates_until_1(currency, on)

    result = states_of(activities, [ONLY_A], 0, 2, prices, missing_from_day_2)[ONLY_A]
    assert [(r.market_value, r.unrealized_fifo) for r in result] == [(D(10), D(-6)), (D(10), D(-6)), (D(0), D(-6))]
    assert from_rows(result, 0, 2, CostMethod.fifo) == from_performance(activities, ONLY_A, 0, 2, prices,
                                                                        missing_from_day_2, CostMethod.fifo)


def test_the_state_of_one_security() -> None:
    """A scope with a security: its buys in, its sells and income out; no cash."""
    prices = closes({X: {0: "10", 1: "11", 2: "12"}, Y: {0: "5"}})
    activities = [act(0, Kind.deposit, amount=D(1000)), buy(0, "1", "5", security=Y), buy(1, "10", "10", fee=D(1)),
                  act(2, Kind.dividend, security_id=X, amount=D(5)), sell(2, "4", "12")]
    scope = Scope(frozenset({A}), X)
    result = states_of(activities, [scope], 0, 2, prices)[scope]
    assert [(r.market_value, r.inflow, r.outflow) for r in result] == [(D(0), D(0), D(0)), (D(110), D(101), D(0)),
                                                                      (D(72), D(0), D(53))]
    for method in CostMethod:
        assert from_rows(result, 0, 2, method) == from_performance(activities, scope, 0, 2, prices, NO_RATES, method)
