"""The portfolio engine on small hand-checked cases: every activity kind, both cost methods, splits,
transfers, implicit deposits, missing prices and rates, same-day order, the daily return convention and
the rates of return. Days are 2024-01-01 (a Monday) plus n; the base currency is EUR."""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from colony.investments.engine import (
    Activity,
    Cash,
    CostMethod,
    InsufficientQuantity,
    Kind,
    Performance,
    PriceLookup,
    RateLookup,
    Scope,
    Snapshot,
    daily_series,
    locf,
    performance,
    snapshot,
)
from tests.investments.engine_kit import NO_RATES, A, B, D, X, Y, act, buy, closes, day, fx, sell

OUTSIDE = uuid.UUID(int=3)
ONLY_A, A_AND_B = Scope(frozenset({A})), Scope(frozenset({A, B}))


def transfer(n: int, quantity: str, source: uuid.UUID, target: uuid.UUID, **fields: Any) -> list[Activity]:
    """Both legs of a transfer of X."""
    return [act(n, Kind.transfer_out, account=source, counter_account_id=target, security_id=X,
                quantity=D(quantity), **fields),
            act(n, Kind.transfer_in, account=target, counter_account_id=source, security_id=X,
                quantity=D(quantity), **fields)]


def snap(activities: Sequence[Activity], n: int, prices: PriceLookup, rates: RateLookup = NO_RATES,
         method: CostMethod = CostMethod.fifo) -> Snapshot:
    return snapshot(activities, day(n), base_currency="EUR", prices=prices, rates=rates, method=method)


def perf(activities: Sequence[Activity], start: int, end: int, prices: PriceLookup, *, scope: Scope = ONLY_A,
         rates: RateLookup = NO_RATES, method: CostMethod = CostMethod.fifo, base: str = "EUR") -> Performance:
    return performance(activities, scope, day(start), day(end), base_currency=base, prices=prices, rates=rates,
                       method=method)


def series_of(result: Performance) -> list[tuple[Decimal, Decimal, Decimal]]:
    return [(p.market_value, p.inflow, p.outflow) for p in result.series]


# Carried forward


def test_locf_takes_the_last_value_on_or_before_a_day_never_a_later_one() -> None:
    lookup = locf({day(4): D(12), day(1): D(10)})
    assert lookup(day(0)) is None
    assert [lookup(day(n)) for n in (1, 3, 4, 9)] == [(D(10), day(1)), (D(10), day(1)), (D(12), day(4)),
                                                      (D(12), day(4))]
    assert locf([(day(4), D(12)), (day(1), D(10)), (day(1), D(11))])(day(2)) == (D(11), day(1))  # later wins


# Cash, lots and income


def test_cash_follows_every_kind_of_activity() -> None:
    prices = closes({X: {1: "55"}})
    activities = [
        act(0, Kind.deposit, amount=D(1000)),
        buy(1, "10", "50", fee=D(2), tax=D(1)),  # - 503
        sell(2, "4", "60", fee=D(2), tax=D(3)),  # + 235
        act(3, Kind.dividend, security_id=X, amount=D(20), tax=D(5)),  # + 15
        act(4, Kind.interest, amount=D(10), tax=D(2)),  # + 8
        act(5, Kind.fee, amount=D(7)), act(6, Kind.tax, amount=D(4)), act(7, Kind.withdrawal, amount=D(100)),
    ]
    result = snap(activities, 7, prices)
    assert result.cash == [Cash(A, "EUR", D("644.00"))]
    (position,) = result.positions
    # 6 of the 10 bought for 502 (taxes are not cost); the sell realises 240 - 2 - 4 x 50.20.
    assert (position.quantity, position.cost_basis, position.market_value) == (D(6), D("301.20"), D("330.00"))
    assert (position.realized_gain, position.unrealized_gain, position.income) == (D("37.20"), D("28.80"), D(20))
    figures = perf(activities, -1, 7, prices)
    assert (figures.deposits, figures.withdrawals, figures.end_value) == (D(1000), D(100), D(974))
    assert (figures.income, figures.fees, figures.taxes) == (D(30), D(11), D(15))
    assert (figures.realized_gain, figures.unrealized_gain) == (D("37.20"), D("28.80"))


def test_a_buy_the_cash_does_not_cover_is_funded_by_an_implicit_deposit() -> None:
    prices = closes({X: {0: "15"}})
    activities = [act(0, Kind.deposit, amount=D(100)), buy(1, "10", "15", fee=D(1))]
    assert snap(activities, 1, prices).cash == [Cash(A, "EUR", D(0))]
    figures = perf(activities, -1, 1, prices)
    assert figures.deposits == D(151)
    assert series_of(figures)[1:] == [(D(100), D(100), D(0)), (D(150), D(51), D(0))]


def test_an_overdraft_is_not_funded_only_the_buy_is() -> None:
    activities = [act(0, Kind.withdrawal, amount=D(20)), buy(1, "10", "1")]
    assert snap(activities, 1, closes({X: {0: "1"}})).cash == [Cash(A, "EUR", D(-20))]
    figures = perf(activities, -1, 1, closes({X: {0: "1"}}))
    assert (figures.deposits, figures.withdrawals) == (D(10), D(20))


def test_an_opening_lot_costs_its_amount_and_arrives_from_outside() -> None:
    prices = closes({X: {0: "55", 1: "60"}})
    activities = [act(0, Kind.opening, security_id=X, quantity=D(10), amount=D(500))]
    (position,) = snap(activities, 0, prices).positions
    assert (position.cost_basis, position.market_value, position.unrealized_gain) == (D(500), D(550), D(50))
    figures = perf(activities, -1, 1, prices)
    assert figures.deposits == D(550)  # valued at the close of its day: no return from nothing
    assert figures.twr == D("0.0909090909")


# Cost methods


SAME_LOTS = [buy(0, "10", "10"), buy(1, "10", "20"), sell(2, "10", "30"), sell(3, "10", "30"),
             buy(4, "5", "40"), sell(5, "5", "50")]


@pytest.mark.parametrize(("start", "end", "fifo", "average"), [
    (1, 2, "200", "150"),  # oldest lot (100) vs average (150)
    (2, 3, "100", "150"),
    (-1, 3, "300", "300"),  # the same in all
    (3, 5, "50", "50"),  # the average restarts at 40 once the position closed
])
def test_fifo_and_moving_average_realise_from_one_pass(start: int, end: int, fifo: str, average: str) -> None:
    prices = closes({X: {0: "10"}})
    realized = [perf(SAME_LOTS, start, end, prices, method=m).realized_gain for m in CostMethod]
    assert realized == [D(fifo), D(average)]
    (held,) = snap(SAME_LOTS, 2, prices, method=CostMethod.fifo).positions
    (average_held,) = snap(SAME_LOTS, 2, prices, method=CostMethod.average).positions
    assert (held.cost_basis, average_held.cost_basis) == (D(200), D(150))
    (reopened,) = snap(SAME_LOTS, 4, prices, method=CostMethod.average).positions
    assert (reopened.cost_basis, reopened.realized_gain) == (D(200), D(300))


def test_fifo_is_per_account() -> None:
    activities = [buy(0, "10", "10"), buy(1, "10", "20", account=B), sell(2, "5", "30", account=B)]
    result = snap(activities, 2, closes({X: {0: "30"}}))
    assert [(p.account_id, p.quantity, p.cost_basis, p.realized_gain) for p in result.positions] == [
        (A, D(10), D(100), D(0)), (B, D(5), D(100), D(50))]


# Splits


def test_a_split_multiplies_the_quantity_from_its_date_and_keeps_the_cost() -> None:
    prices = closes({X: {0: "100", 1: "102", 2: "51", 3: "55"}})
    activities = [buy(0, "10", "100"), buy(0, "4", "100", account=B),
                  act(2, Kind.split, security_id=X, split=(D(2), D(1))),
                  act(2, Kind.split, account=B, security_id=X, split=(D(2), D(1))),  # the same event, once
                  sell(3, "15", "55")]
    before, after = snap(activities, 1, prices).positions[0], snap(activities, 2, prices).positions[0]
    assert (before.quantity, before.market_value) == (D(10), D(1020))
    assert (after.quantity, after.market_value, after.cost_basis_native) == (D(20), D(1020), D(1000))
    assert snap(activities, 2, prices).positions[1].quantity == D(8)
    assert perf(activities, 2, 3, prices).realized_gain == D(75)  # 825 - 15 x 50
    assert perf(activities, 0, 2, prices, scope=A_AND_B).twr == D("0.02")  # no return made by the split


# Transfers


@pytest.mark.parametrize("in_leg_first", [False, True])
def test_a_transfer_keeps_the_lots_dates_and_costs(in_leg_first: bool) -> None:
    out_leg, in_leg = transfer(2, "10", A, B)
    legs = [in_leg, out_leg] if in_leg_first else [out_leg, in_leg]
    activities = [buy(0, "10", "10"), buy(1, "10", "20", account=B), *legs, sell(3, "10", "30", account=B)]
    prices = closes({X: {0: "30"}})
    moved = snap(activities, 2, prices)
    assert [(p.account_id, p.quantity, p.cost_basis) for p in moved.positions] == [(B, D(20), D(300))]
    # FIFO sells the lot bought on day 0 in account A first; the average is 15.
    assert [perf(activities, 2, 3, prices, scope=A_AND_B, method=m).realized_gain for m in CostMethod] == [
        D(200), D(150)]


def test_a_transfer_moves_the_average_cost_under_the_average_method() -> None:
    activities = [buy(0, "10", "10"), buy(1, "10", "30"), *transfer(2, "5", A, B)]
    by_method = [[p.cost_basis for p in snap(activities, 2, closes({}), method=m).positions] for m in CostMethod]
    assert by_method == [[D(350), D(50)], [D(300), D(100)]]  # FIFO moves the 5 bought at 10


def test_transfers_are_flows_only_across_the_edge_of_the_scope() -> None:
    prices = closes({X: {0: "10", 1: "11", 2: "12"}})
    activities = [buy(0, "10", "10"), *transfer(1, "10", A, B)]
    both = perf(activities, 0, 2, prices, scope=A_AND_B)
    assert series_of(both)[1:] == [(D(110), D(0), D(0)), (D(120), D(0), D(0))]
    assert both.twr == D("0.2")
    sender = perf(activities, 0, 2, prices, scope=ONLY_A)  # out at the close of the day: 110
    assert (sender.withdrawals, sender.twr, sender.end_value) == (D(110), D("0.1"), D(0))
    receiver = perf(activities, 0, 2, prices, scope=Scope(frozenset({B})))
    assert (receiver.deposits, receiver.twr) == (D(110), D("0.0909090909"))


def test_cash_moved_between_accounts_is_a_flow_only_across_the_scope() -> None:
    activities = [act(0, Kind.deposit, amount=D(50)),
                  act(1, Kind.transfer_out, counter_account_id=B, amount=D(50)),
                  act(1, Kind.transfer_in, account=B, counter_account_id=A, amount=D(50))]
    prices = closes({})
    assert (perf(activities, 0, 1, prices, scope=A_AND_B).withdrawals, perf(activities, 0, 1, prices).withdrawals,
            perf(activities, 0, 1, prices, scope=Scope(frozenset({B}))).deposits) == (D(0), D(50), D(50))
    assert snap(activities, 1, prices).cash == [Cash(A, "EUR", D(0)), Cash(B, "EUR", D(50))]


def test_a_withdrawal_and_a_deposit_naming_each_others_account_move_cash_between_them() -> None:
    activities = [act(0, Kind.deposit, amount=D(80)),
                  act(1, Kind.withdrawal, counter_account_id=B, amount=D(50)),
                  act(1, Kind.deposit, account=B, counter_account_id=A, amount=D(50)),
                  act(1, Kind.deposit, account=B, counter_account_id=OUTSIDE, amount=D(5))]
    portfolio, sender = perf(activities, 0, 1, closes({}), scope=A_AND_B), perf(activities, 0, 1, closes({}))
    assert [(f.deposits, f.withdrawals, f.end_value) for f in (portfolio, sender)] == [(D(5), D(0), D(85)),
                                                                                      (D(0), D(50), D(30))]


def test_a_transfer_from_outside_the_activities_arrives_at_its_price_and_is_a_flow() -> None:
    prices = closes({X: {0: "11"}})
    activities = [act(1, Kind.transfer_in, counter_account_id=OUTSIDE, security_id=X, quantity=D(5), price=D(12))]
    (position,) = snap(activities, 1, prices).positions
    assert (position.cost_basis, position.market_value) == (D(60), D(55))
    assert perf(activities, 0, 1, prices, scope=A_AND_B).deposits == D(55)  # valued at the close


def test_selling_or_transferring_more_than_held_is_refused() -> None:
    too_much = sell(1, "11", "10")
    with pytest.raises(InsufficientQuantity) as refused:
        snap([buy(0, "10", "10"), too_much], 1, closes({}))
    assert (refused.value.activity_id, refused.value.held, refused.value.wanted) == (too_much.id, D(10), D(11))
    with pytest.raises(InsufficientQuantity):
        snap([buy(0, "10", "10"), *transfer(1, "11", A, B)], 1, closes({}))
    with pytest.raises(InsufficientQuantity):
        perf([sell(1, "1", "10", security=Y)], 0, 1, closes({}))


# Same-day order


def test_activities_of_a_day_follow_their_sequence() -> None:
    with pytest.raises(InsufficientQuantity):
        snap([sell(0, "1", "10", sequence=1), buy(0, "1", "10", sequence=2)], 0, closes({}))
    assert len(snap([sell(0, "1", "10", sequence=2), buy(0, "1", "10", sequence=1)], 0, closes({})).positions) == 0
    prices = closes({X: {0: "10"}})
    funded_later = [buy(0, "10", "10", sequence=1), act(0, Kind.deposit, amount=D(100), sequence=2)]
    funded_first = [buy(0, "10", "10", sequence=2), act(0, Kind.deposit, amount=D(100), sequence=1)]
    assert [perf(a, -1, 0, prices).deposits for a in (funded_later, funded_first)] == [D(200), D(100)]
    assert [snap(a, 0, prices).cash[0].amount for a in (funded_later, funded_first)] == [D(100), D(0)]


# Missing prices and rates


def test_a_missing_close_is_carried_forward_and_before_the_first_close_a_holding_is_worth_nothing() -> None:
    prices = closes({X: {2: "11", 4: "12"}})
    activities = [buy(0, "10", "10")]
    early = snap(activities, 1, prices)
    (position,) = early.positions
    assert (position.price, position.market_value, position.unrealized_gain) == (None, None, None)
    assert (position.cost_basis, early.missing_prices) == (D(100), frozenset({X}))
    (carried,) = snap(activities, 3, prices).positions
    assert (carried.price, carried.price_date, carried.market_value) == (D(11), day(2), D(110))
    figures = perf(activities, 0, 4, prices)
    assert [p.market_value for p in figures.series] == [D(0), D(0), D(110), D(110), D(120)]
    assert [round(p.index, 10) for p in figures.series] == [1.0, 1.0, 1.0, 1.0, round(12 / 11, 10)]
    assert figures.missing_prices == frozenset({X})


def test_a_close_dated_after_the_day_is_never_used() -> None:
    def from_tomorrow(security: uuid.UUID, on: dt.date) -> tuple[Decimal, dt.date]:
        return D(99), on + dt.timedelta(days=1)

    result = snap([buy(0, "1", "10")], 0, from_tomorrow)
    assert (result.positions[0].market_value, result.missing_prices) == (None, frozenset({X}))


def test_rates_are_carried_forward_and_a_missing_one_is_left_out_never_1() -> None:
    usd = [buy(0, "10", "10", security=Y, currency="USD")]
    prices, rates = closes({Y: {0: "10"}}), fx({"USD": {0: "0.9", 2: "0.8"}})
    assert [snap(usd, n, prices, rates).positions[0].market_value for n in (1, 2)] == [D(90), D(80)]
    gbp = [buy(0, "10", "10", security=Y, currency="GBP"), act(1, Kind.deposit, currency="GBP", amount=D(50))]
    result = snap(gbp, 1, prices, rates)
    (position,) = result.positions
    assert (position.market_value, position.unrealized_gain, position.cost_basis_native) == (None, None, D(100))
    assert result.missing_rates == frozenset({"GBP"})
    figures = perf(gbp, -1, 1, prices, rates=rates)
    assert (figures.end_value, figures.deposits, figures.missing_rates) == (D(0), D(0), frozenset({"GBP"}))


def test_gains_in_base_currency_take_each_dates_rate() -> None:
    prices, rates = closes({Y: {0: "10", 2: "11"}}), fx({"USD": {0: "0.9", 1: "0.8", 2: "0.85"}})
    activities = [buy(0, "10", "10", security=Y, currency="USD"), sell(1, "5", "12", security=Y, currency="USD"),
                  act(2, Kind.dividend, currency="USD", security_id=Y, amount=D(10))]
    (position,) = snap(activities, 2, prices, rates).positions
    # Proceeds 60 USD at 0.8 = 48 less half the cost (90 at 0.9) = 3; what is left: 5 x 11 x 0.85 - 45.
    assert (position.realized_gain, position.cost_basis, position.cost_basis_native) == (D(3), D(45), D(50))
    assert (position.market_value, position.unrealized_gain, position.income) == (D("46.75"), D("1.75"), D("8.50"))


# Returns


def test_inflows_count_from_the_start_of_their_day_and_outflows_from_its_end() -> None:
    prices = closes({X: {0: "10", 1: "11", 3: "12"}})
    activities = [buy(0, "10", "10"), act(1, Kind.deposit, amount=D(50)), act(2, Kind.withdrawal, amount=D(60))]
    figures = perf(activities, 0, 3, prices)
    assert series_of(figures) == [(D(100), D(100), D(0)), (D(160), D(50), D(0)), (D(100), D(0), D(60)),
                                  (D(110), D(0), D(0))]
    assert [p.index for p in figures.series] == pytest.approx([1.0, 160 / 150, 160 / 150, 160 / 150 * 1.1])
    assert figures.twr == D("0.1733333333")
    assert figures.series == daily_series(activities, ONLY_A, day(0), day(3), base_currency="EUR", prices=prices,
                                          rates=NO_RATES)
    assert figures.mwr is not None  # it solves -100 at the start, -50, +60, +110 at the end:
    npv = sum(cf / (1 + float(figures.mwr)) ** (n / 365) for n, cf in [(0, -100), (1, -50), (2, 60), (3, 110)])
    assert npv == pytest.approx(0, abs=1e-6)


def test_flows_on_the_first_day_are_before_the_period() -> None:
    prices = closes({X: {0: "10"}})
    activities = [act(0, Kind.deposit, amount=D(100))]
    assert (perf(activities, 0, 1, prices).deposits, perf(activities, 0, 1, prices).start_value) == (D(0), D(100))
    assert perf(activities, -1, 1, prices).deposits == D(100)


def test_a_day_that_starts_with_nothing_has_no_return() -> None:
    empty = perf([], 0, 3, closes({}))
    assert (empty.twr, empty.twr_annualized, empty.mwr) == (D(0), None, None)
    assert empty.mwr_note is not None and "sign" in empty.mwr_note
    assert [p.index for p in empty.series] == [1.0] * 4


@pytest.mark.parametrize(("days", "annualized"), [(364, None), (365, "0.21"), (730, "0.1")])
def test_the_twr_is_annualised_only_over_a_year_or_more(days: int, annualized: str | None) -> None:
    prices = closes({X: {0: "100", days: "121"}})
    figures = perf([buy(0, "1", "100")], 0, days, prices)
    assert figures.twr == D("0.21")
    assert figures.twr_annualized == (None if annualized is None else D(annualized))


def test_the_mwr_is_none_with_a_reason_without_a_sign_change() -> None:
    figures = perf([buy(0, "1", "100")], 0, 5, closes({X: {0: "100", 5: "0"}}))
    assert (figures.twr, figures.mwr) == (D(-1), None)
    assert figures.mwr_note is not None and "sign" in figures.mwr_note
    same_day = perf([buy(0, "1", "100")], 0, 0, closes({X: {0: "100"}}))
    assert (same_day.mwr, same_day.mwr_note) == (None, "no money-weighted return: the period has no length")


def test_the_performance_of_one_security() -> None:
    """Its buys flow in with their fees, its sells out net of theirs, its income out gross; the rest of the
    account (cash, another security) is not part of it."""
    prices = closes({X: {1: "10", 2: "11", 3: "12"}, Y: {0: "5"}})
    activities = [act(0, Kind.deposit, amount=D(1000)), buy(0, "1", "5", security=Y), buy(1, "10", "10", fee=D(1)),
                  act(2, Kind.dividend, security_id=X, amount=D(5), tax=D(1)), sell(3, "4", "12", fee=D(1)),
                  act(3, Kind.dividend, security_id=Y, amount=D(7))]
    figures = perf(activities, 0, 3, prices, scope=Scope(frozenset({A}), X))
    assert series_of(figures)[1:] == [(D(100), D(101), D(0)), (D(110), D(0), D(5)), (D(72), D(0), D(47))]
    assert (figures.deposits, figures.withdrawals, figures.income) == (D(101), D(52), D(5))
    assert (figures.fees, figures.taxes, figures.realized_gain) == (D(2), D(1), D("6.60"))  # 47 - 4 x 10.10
    assert float(figures.twr or 0) == pytest.approx(100 / 101 * 115 / 100 * 119 / 110 - 1, abs=1e-10)


def test_money_is_rounded_once_to_the_base_currencys_minor_unit() -> None:
    prices = closes({X: {0: "0.005"}})
    activities = [buy(0, "1", "0.005"), buy(0, "1", "0.005", account=B)]
    assert [p.market_value for p in snap(activities, 0, prices).positions] == [D("0.00"), D("0.00")]
    assert perf(activities, -1, 0, prices, scope=A_AND_B).end_value == D("0.01")  # not 0.00 + 0.00
    yen = perf([buy(0, "3", "3.3333", currency="USD")], -1, 0, closes({X: {0: "3.3333"}}),
               rates=fx({"USD": {0: "151.237"}}), base="JPY")
    assert (yen.end_value, yen.deposits) == (D(1512), D(1512))
    assert yen.twr is not None and yen.twr.as_tuple().exponent == -10


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="after"):
        perf([], 1, 0, closes({}))


def test_every_day_applies_its_own_activities_once() -> None:
    """A quick guard on the single pass: the books at the end of a series are those of a snapshot."""
    prices = closes({X: {0: "10", 5: "12"}, Y: {0: "20"}})
    activities = [buy(n, "1", "10") for n in range(6)] + [buy(3, "2", "20", security=Y), sell(5, "3", "12")]
    books = snap(activities, 5, prices)
    assert perf(activities, 2, 5, prices).end_value == sum(
        [*(p.market_value or D(0) for p in books.positions), *(c.amount for c in books.cash)], D(0)) == D(112)
