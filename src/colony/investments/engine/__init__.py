# ruff: noqa: RUF002  (the definitions below use the signs of arithmetic: minus and times)
"""The portfolio engine: pure calculations over investment activity, prices and exchange rates (no I/O).

This module is the contract between the database side (services load the facts) and the figures the
API returns. Definitions (the API contract, after Portfolio Performance):

- Days are calendar days; a position is valued at the close of the day: the last close on or before the
  day (carried forward, never taken from a later day; before a security's first price it is worth
  nothing and counted in `missing_prices`), converted at the last exchange rate on or before the day
  (never at 1 when missing: the value is left out and counted in `missing_rates`).
- Cash is kept per account and currency. buy: cash − (quantity × price + fee + tax); sell: cash +
  (quantity × price − fee − tax); dividend, interest: cash + (amount − tax); fee: cash − amount; tax:
  cash − amount; deposit: cash + amount; withdrawal: cash − amount. A buy the cash of its currency in its
  account does not cover is funded by an implicit deposit of the shortfall on its date (an external inflow).
- Lots: a buy (and an opening lot, `Kind.opening`) adds a lot of `quantity` at cost `quantity × price + fee`
  (taxes are reported apart, not in the cost), in the security's currency and, at the trade date's rate,
  in the base currency. A sell consumes lots: FIFO (oldest first, per account) or moving average (the
  average cost of what is held; it resets when the position closes); both are kept in the same pass. It
  realises quantity × price − fee − the cost of what it consumed. A split "new:old" multiplies the quantity
  held from its date on by new/old and divides the cost per unit by it (total cost unchanged); prices are
  stored as quoted on their day, so values before the split are unchanged. transfer_out / transfer_in
  move quantity and lots (with their dates and costs) to another account of the tenant. Selling or
  transferring more than is held raises `InsufficientQuantity`.
- External flows. For a set of accounts (the portfolio, or one account): deposits (implicit ones too) and
  withdrawals, and transfers whose other account is outside the set (securities valued at the close of
  the transfer day, cash at its amount); a transfer between two accounts of the set is not a flow. For one
  security: its buys (in: quantity × price + fee), sells (out: quantity × price − fee), dividends and
  interest (out, gross), transfers in and out of the set; its value is quantity × close.
- Daily return: 1 + r_t = (MV_t + OUT_t) / (MV_{t-1} + IN_t) (inflows at the start of the day, outflows at
  its end); r_t = 0 when the denominator is 0. Index I_t = I_{t-1} × (1 + r_t), 1 at the start.
  TWR over [a, b] = I_b / I_a − 1 (values at the close of a, so flows on day a are before the period);
  annualised (1 + TWR)^(365 / (b − a)) − 1 only when b − a ≥ 365 days, else None.
- MWR: the annual XIRR (ACT/365) of −MV_a at a, −IN_t and +OUT_t for a < t ≤ b, +MV_b at b (pyxirr);
  None with a reason (`mwr_note`) when it has no solution (no sign change, no root).
- Money figures are Decimal in the base currency, rounded once, at the end, to its minor unit; rates of
  return are Decimal quantized to 10 places. Ratios may use floats internally.


Where the definitions above leave a choice, the engine takes these (and the tests hold it to them):

- Activities are applied in (date, sequence) order; ties keep the order they were given in.
- Every activity that touches cash pays its own `fee` and `tax` from it, in its currency (a dividend's too),
  and they count as fees and taxes; the realised gain of a sell deducts only its fee.
- The shortfall of a buy is what its cash (taken as 0 when overdrawn) does not cover: an overdraft left by
  a fee or a withdrawal stays, only buys are funded implicitly.
- A split is a corporate event of its security: it applies once to every account's holding of it,
  however many accounts record it (same security, day and ratio).
- The two legs of a transfer are paired by day, swapped accounts, security and quantity (cash legs by day
  and accounts, the amount may change currency); the first leg reached moves the lots (with their dates;
  FIFO lots for FIFO, the average cost of the quantity for the average method). A leg without its pair
  comes from or goes to outside the activities: shares leave, or arrive as a lot at its price (else
  `amount`, else the day's close), and it is an external flow for every scope.
- A deposit and a withdrawal that name each other's account (`counter_account_id`) are cash moved between
  two accounts: paired like transfer legs, and not a flow when both accounts are in the set.
- An opening lot is an external inflow (securities valued at the close of its day), like a transfer in
  from outside: its value comes from outside, not from performance.
- Over [start, end], deposits, withdrawals, income, fees, taxes and realised gains add up what happened in
  (start, end], like the flows; the unrealised gain is that of what the scope holds at the close of end,
  by the chosen method.
- A base cost that a missing rate at its trade date made unknown is left out of `cost_basis`, makes the
  position's `unrealized_gain` None, and a sell's realised gain that needs it is left out.
- The snapshot lists the positions held (quantity not 0) and every account's cash in each currency it
  used, zero included, each rounded to its currency's minor unit.
- The MWR is the annual XIRR whatever the period's length (it is a rate per year by construction).
- Stored daily states (`daily_states`): one row per scope and day, continuing the row of the day before the
  first (a zero row with index 1 when none is given); every activity from the first day on is in the
  period, so over [a, b] within the rows: TWR = I_b / I_a − 1, deposits = cum_inflow_b − cum_inflow_a (and
  so on for withdrawals, income, fees, taxes and realised gains), values and unrealised gains read at a and
  at b, as `performance` gives them when the rows began before the first activity.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from colony.core.money import quantize
from colony.investments.engine.ledger import Holding, Ledger
from colony.investments.engine.market import Market, carried_forward
from colony.investments.engine.model import (
    ZERO,
    Activity,
    Cash,
    CostMethod,
    DayPoint,
    InsufficientQuantity,
    Kind,
    Performance,
    Position,
    PriceLookup,
    RateLookup,
    Scope,
    Snapshot,
)
from colony.investments.engine.returns import annualized, as_rate, growth, mwr
from colony.investments.engine.scope import Meter
from colony.investments.engine.states import DayState, daily_states

__all__ = [
    "ZERO", "Activity", "Cash", "CostMethod", "DayPoint", "DayState", "InsufficientQuantity", "Kind",
    "Performance", "Position", "PriceLookup", "RateLookup", "Scope", "Snapshot", "daily_series", "daily_states",
    "locf", "performance", "snapshot",
]


def snapshot(activities: Iterable[Activity], on: dt.date, *, base_currency: str, prices: PriceLookup,
             rates: RateLookup, method: CostMethod = CostMethod.fifo) -> Snapshot:
    """Holdings and cash of every account in `activities` at the close of `on` (later activities ignored)."""
    market = Market(base_currency, prices, rates)
    ordered = _in_order(activities, on)
    ledger = Ledger(market, ordered)
    for activity in ordered:
        ledger.apply(activity)
    held = sorted((h for h in ledger.holdings.values() if h.quantity),
                  key=lambda h: (h.account_id, h.security_id))
    positions = [_position(holding, on, market, method) for holding in held]
    cash = [Cash(account_id, currency, quantize(amount, currency))
            for (account_id, currency), amount in sorted(ledger.cash.items())]
    return Snapshot(on, positions, cash, frozenset(market.missing_prices), frozenset(market.missing_rates))


def daily_series(activities: Iterable[Activity], scope: Scope, start: dt.date, end: dt.date, *,
                 base_currency: str, prices: PriceLookup, rates: RateLookup) -> list[DayPoint]:
    """One point per calendar day from `start` to `end` (both included); the index is 1.0 at `start`."""
    market = Market(base_currency, prices, rates)
    days, _ = _walk(activities, scope, start, end, market)
    return [_rounded(day, base_currency) for day in days]


def performance(activities: Iterable[Activity], scope: Scope, start: dt.date, end: dt.date, *,
                base_currency: str, prices: PriceLookup, rates: RateLookup,
                method: CostMethod = CostMethod.fifo) -> Performance:
    """Every figure of GET /portfolio/performance for `scope` over [start, end] (see the module docstring)."""
    market = Market(base_currency, prices, rates)
    days, meter = _walk(activities, scope, start, end, market)
    first, last = days[0], days[-1]
    twr = last.index / first.index - 1
    rate, note = mwr([(start, -first.market_value), *((d.date, d.outflow - d.inflow) for d in days[1:]),
                      (end, last.market_value)])

    def money(amount: Decimal) -> Decimal:
        return quantize(amount, base_currency)

    return Performance(
        start_date=start, end_date=end, start_value=money(first.market_value), end_value=money(last.market_value),
        deposits=money(sum((d.inflow for d in days[1:]), ZERO)),
        withdrawals=money(sum((d.outflow for d in days[1:]), ZERO)),
        income=money(meter.income), fees=money(meter.fees), taxes=money(meter.taxes),
        realized_gain=money(meter.realized[method]), unrealized_gain=money(meter.unrealized(end, method)),
        twr=as_rate(twr), twr_annualized=as_rate(annualized(twr, (end - start).days)), mwr=as_rate(rate),
        mwr_note=note, series=[_rounded(day, base_currency) for day in days],
        missing_prices=frozenset(market.missing_prices), missing_rates=frozenset(market.missing_rates))


def locf(points: Mapping[dt.date, Decimal] | Sequence[tuple[dt.date, Decimal]]
         ) -> Callable[[dt.date], tuple[Decimal, dt.date] | None]:
    """A carried-forward lookup over dated values: the last value on or before a day, never a later one."""
    return carried_forward(points)


# The pass


def _in_order(activities: Iterable[Activity], until: dt.date) -> list[Activity]:
    """Activities up to `until`, by day and then `sequence` (a stable sort: ties keep their given order)."""
    return sorted((a for a in activities if a.date <= until), key=lambda a: (a.date, a.sequence))


def _walk(activities: Iterable[Activity], scope: Scope, start: dt.date, end: dt.date, market: Market
          ) -> tuple[list[DayPoint], Meter]:
    """One pass: the activities before `start` build the books; then each day applies its own activities
    (recording the scope's flows) and values the scope at its close. Points are unrounded."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    ordered = _in_order(activities, end)
    ledger = Ledger(market, ordered)
    meter = Meter(scope, ledger, market)
    upcoming = iter(ordered)
    activity = next(upcoming, None)
    while activity is not None and activity.date < start:
        ledger.apply(activity)
        activity = next(upcoming, None)
    meter.track_all()
    days: list[DayPoint] = []
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        while activity is not None and activity.date == day:
            meter.record(activity, ledger.apply(activity), in_period=day > start)
            activity = next(upcoming, None)
        value, inflow, outflow = meter.close(day)
        index = days[-1].index * growth(days[-1].market_value, value, inflow, outflow) if days else 1.0
        days.append(DayPoint(day, value, inflow, outflow, index))
    return days, meter


def _rounded(day: DayPoint, base_currency: str) -> DayPoint:
    return DayPoint(day.date, quantize(day.market_value, base_currency), quantize(day.inflow, base_currency),
                    quantize(day.outflow, base_currency), day.index)


def _position(holding: Holding, on: dt.date, market: Market, method: CostMethod) -> Position:
    base = market.base_currency
    quote, value = market.value(holding.security_id, holding.currency, holding.quantity, on)
    cost, cost_base, complete = holding.cost(method)
    unrealized = value - cost_base if value is not None and complete else None
    return Position(
        account_id=holding.account_id, security_id=holding.security_id, quantity=holding.quantity,
        price=None if quote is None else quote[0], price_date=None if quote is None else quote[1],
        market_value=None if value is None else quantize(value, base), cost_basis=quantize(cost_base, base),
        cost_basis_native=quantize(cost, holding.currency),
        unrealized_gain=None if unrealized is None else quantize(unrealized, base),
        realized_gain=quantize(holding.realized[method], base), income=quantize(holding.income, base),
        cost_complete=complete)
