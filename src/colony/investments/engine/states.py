# ruff: noqa: RUF002  (the definitions below use the signs of arithmetic: minus and times)
"""Stored daily state: every scope at the close of every day, with cumulative figures, so that a figure over
any range [a, b] is two rows (TWR = I_b / I_a − 1, deposits = cum_inflow_b − cum_inflow_a, ...).

One pass over the activities with one ledger and one meter per scope. A state continues the state of the
day before its first day (a zero state when none is given), so it can be recomputed from any day on: the
activities before that day only rebuild the books.

A close costs work in proportion to what the scopes hold, not to the books: each scope keeps, per security
it holds, the quantity and the base cost (FIFO and average, of the holdings whose base cost is complete),
recounted only for the securities an activity touched; each held security is priced once a day for every
scope, and its value serves the market value, the holdings value and both unrealised gains. Sums run in
an order that does not depend on the day the state began (securities by id), so that a state computed in
two pieces is the state computed in one, to the last digit.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from operator import mul

from colony.investments.engine.ledger import Effect, Ledger
from colony.investments.engine.market import Market
from colony.investments.engine.model import ZERO, Activity, CostMethod, PriceLookup, RateLookup, Scope
from colony.investments.engine.returns import growth
from colony.investments.engine.scope import Meter

INDEX_PLACES = 12  # of a stored state's index


@dataclass(frozen=True, slots=True)
class DayState:
    """One scope at the close of one day, in base currency, unrounded. Cumulative figures run from the
    beginning of the state (the day before `start` when no prior state is given)."""

    date: dt.date
    market_value: Decimal  # MV_t: holdings at market + cash (as Meter.close computes it)
    holdings_value: Decimal  # the securities part of market_value (no cash)
    inflow: Decimal  # IN_t of the day
    outflow: Decimal  # OUT_t of the day
    index: float  # cumulative TWR index I_t, continuing the prior state's
    cum_inflow: Decimal  # sum of IN over the state
    cum_outflow: Decimal
    income: Decimal  # cumulative, as Meter.income counts it
    fees: Decimal
    taxes: Decimal
    realized_fifo: Decimal  # cumulative realised gain, FIFO
    realized_average: Decimal  # cumulative realised gain, moving average
    unrealized_fifo: Decimal  # at this close: what Meter.unrealized(day, fifo) returns
    unrealized_average: Decimal


def zero_state(on: dt.date) -> DayState:
    """The state of a scope that has nothing on `on`: where a state starts when no prior is given."""
    return DayState(on, ZERO, ZERO, ZERO, ZERO, 1.0, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)


def daily_states(activities: Iterable[Activity], scopes: Sequence[Scope], start: dt.date, end: dt.date, *,
                 base_currency: str, prices: PriceLookup, rates: RateLookup,
                 prior: Mapping[Scope, DayState] | None = None,
                 quantum: Decimal | None = None) -> dict[Scope, list[DayState]]:
    """One state per scope and calendar day from `start` to `end` (both included).

    Every activity from `start` on is in the period (its flows and totals count, the first day's too); the
    activities before `start` only build the books, so pass them ALL. `prior[scope]` is the scope's state
    on the day before `start`; without one a scope starts from `zero_state` (nothing held, index 1).

    With `quantum` (the precision states are stored at), every amount of a state is rounded to it, and the
    index to 12 places, before the next day goes on from them: a state continued from a stored one is then
    exactly the state computed in one go."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    before = start - dt.timedelta(days=1)
    given = prior or {}
    for scope, state in given.items():
        if state.date != before:
            raise ValueError(f"the prior state of {scope} is of {state.date}, not of the day before {start}")
    market = Market(base_currency, prices, rates)
    # As the other functions of the engine: by day, then sequence; ties keep the order they were given in.
    ordered = sorted((a for a in activities if a.date <= end), key=lambda a: (a.date, a.sequence))
    ledger = Ledger(market, ordered)
    upcoming = iter(ordered)
    activity = next(upcoming, None)
    while activity is not None and activity.date < start:
        ledger.apply(activity)
        activity = next(upcoming, None)
    securities = _Securities()
    meters = [_StateMeter(scope, ledger, market, given.get(scope) or zero_state(before), securities, quantum)
              for scope in dict.fromkeys(scopes)]
    for meter in meters:
        meter.track_all()
    priced: list[int] = []  # the securities some scope holds, priced at every close
    currencies: list[str] = []  # of what is held and of the cash
    last: tuple[list[Decimal | None], list[Decimal | None]] | None = None  # the last close's prices and rates
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        moved = activity is not None and activity.date == day
        while activity is not None and activity.date == day:
            effect = ledger.apply(activity)
            for meter in meters:
                meter.record(activity, effect, in_period=True)
            activity = next(upcoming, None)
        if any([meter.refresh() for meter in meters]):
            priced = sorted(set().union(*(meter.numbers for meter in meters)))
            moved = True
        if moved:
            currencies = sorted({ledger.currency_of[securities.ids[n]] for n in priced}
                                | {currency for _, currency in ledger.cash})
        closes = _Day(market, prices, day, securities, priced)
        seen = (closes.closes, [market.rate(currency, day) for currency in currencies])
        if not moved and seen == last:  # a weekend, a holiday: nothing happened and nothing was repriced
            for meter in meters:
                meter.repeat(day)
        else:
            for meter in meters:
                meter.close_state(closes)
        last = seen
    return {meter.scope: meter.states for meter in meters}


class _Securities:
    """A small number for every security, so that a day's closes are a list."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []
        self._numbers: dict[uuid.UUID, int] = {}

    def number(self, security_id: uuid.UUID) -> int:
        number = self._numbers.get(security_id)
        if number is None:
            number = self._numbers[security_id] = len(self.ids)
            self.ids.append(security_id)
        return number


class _Day:
    """One close: the closes of the securities held (asked of the market once, whatever the number of
    scopes), and the day's rates."""

    __slots__ = ("_market", "_rates", "closes", "date", "incomplete")

    def __init__(self, market: Market, prices: PriceLookup, day: dt.date, securities: _Securities,
                 priced: list[int]) -> None:
        self.date, self._market = day, market
        self.closes: list[Decimal | None] = [None] * len(securities.ids)
        self.incomplete = False  # some security held has no close yet
        ids = securities.ids
        for number in priced:
            # As Market.close (without its cache: each security is asked once a day here), the hot spot.
            quote = prices(ids[number], day)
            if quote is None or quote[1] > day:
                self.incomplete = True
                market.missing_prices.add(ids[number])
            else:
                self.closes[number] = quote[0]
        self._rates: dict[str, Decimal | None] = {}

    def to_base(self, amount: Decimal, currency: str) -> Decimal | None:
        """As Market.to_base: None without a rate, and a zero is converted without asking for one."""
        if not amount:
            return amount
        if currency in self._rates:
            rate = self._rates[currency]
        else:
            rate = self._rates[currency] = self._market.rate(currency, self.date)
        return None if rate is None else amount * rate


@dataclass(slots=True)
class _Held:
    """One security the scope holds (quantity not 0): the base cost of its holdings whose base cost is
    complete, by method, and the quantity of those when it is not all of it (Meter.unrealized leaves the
    other holdings out)."""

    security_id: uuid.UUID
    number: int
    quantity: Decimal
    fifo: Decimal
    average: Decimal
    fifo_quantity: Decimal | None = None  # None: all of `quantity` (the usual case)
    average_quantity: Decimal | None = None

    def cost(self, method: CostMethod) -> Decimal:
        return self.fifo if method is CostMethod.fifo else self.average

    def counted(self, method: CostMethod) -> Decimal:
        counted = self.fifo_quantity if method is CostMethod.fifo else self.average_quantity
        return self.quantity if counted is None else counted


@dataclass(slots=True)
class _Group:
    """What the scope holds in one currency, by security id."""

    currency: str
    held: list[_Held]
    numbers: list[int] = field(init=False)
    quantities: list[Decimal] = field(init=False)
    fifo: Decimal = field(init=False)  # total base costs
    average: Decimal = field(init=False)
    partial: bool = field(init=False)  # some holding is left out of an unrealised gain

    def __post_init__(self) -> None:
        self.numbers = [h.number for h in self.held]
        self.quantities = [h.quantity for h in self.held]
        self.fifo = sum((h.fifo for h in self.held), ZERO)
        self.average = sum((h.average for h in self.held), ZERO)
        self.partial = any(h.fifo_quantity is not None or h.average_quantity is not None for h in self.held)


def _by_id(held: _Held) -> int:
    return held.security_id.int


class _StateMeter(Meter):
    """A meter that closes each day into a `DayState`, continuing `prior`."""

    def __init__(self, scope: Scope, ledger: Ledger, market: Market, prior: DayState, securities: _Securities,
                 quantum: Decimal | None) -> None:
        super().__init__(scope, ledger, market)
        self._quantum = quantum
        self._recorded = False  # an activity of the day was recorded
        self.income, self.fees, self.taxes = prior.income, prior.fees, prior.taxes
        self.realized = {CostMethod.fifo: prior.realized_fifo, CostMethod.average: prior.realized_average}
        self.states: list[DayState] = []
        self._last = prior
        self._securities = securities
        self._held: dict[str, dict[uuid.UUID, _Held]] = {}  # per currency
        self._groups: list[_Group] = []  # by currency
        self.numbers: set[int] = set()  # of the securities held
        self._partial = False  # some holding is left out of an unrealised gain

    def record(self, a: Activity, effect: Effect, *, in_period: bool) -> None:
        super().record(a, effect, in_period=in_period)
        self._recorded = True

    def refresh(self) -> bool:
        """Bring what the scope holds up to date with the books (only the securities an activity touched);
        whether the set of securities held changed."""
        wanted, currency_of = self.scope.security_id, self.ledger.currency_of
        touched: set[str] = set()
        held_before = self.numbers
        for security_id in self._stale:
            if (wanted is None or security_id == wanted) and security_id in currency_of:
                currency = currency_of[security_id]
                if self._recount(security_id, currency):
                    touched.add(currency)
        if touched:
            groups = {group.currency: group for group in self._groups}
            for currency in touched:
                held = sorted(self._held.get(currency, {}).values(), key=_by_id)
                groups[currency] = _Group(currency, held)
            self._groups = [groups[currency] for currency in sorted(groups) if groups[currency].held]
            self.numbers = {held.number for group in self._groups for held in group.held}
            self._partial = any(group.partial for group in self._groups)
        self._stale.clear()  # the meter's own quantities are not used here: only its cash is refreshed
        self._refresh()
        return self.numbers != held_before

    def _recount(self, security_id: uuid.UUID, currency: str) -> bool:
        """The quantity and costs of one security in the scope; whether they changed."""
        quantity = fifo_quantity = average_quantity = fifo = average = ZERO
        for holding in self.ledger.by_security.get(security_id, ()):
            if holding.quantity and holding.account_id in self._accounts:
                quantity += holding.quantity
                _, cost, complete = holding.cost(CostMethod.fifo)
                if complete:
                    fifo_quantity += holding.quantity
                    fifo += cost
                _, cost, complete = holding.cost(CostMethod.average)
                if complete:
                    average_quantity += holding.quantity
                    average += cost
        in_currency = self._held.setdefault(currency, {})
        old = in_currency.get(security_id)
        if not quantity:
            return in_currency.pop(security_id, None) is not None
        new = _Held(security_id, self._securities.number(security_id), quantity, fifo, average,
                    None if fifo_quantity == quantity else fifo_quantity,
                    None if average_quantity == quantity else average_quantity)
        in_currency[security_id] = new
        return new != old

    def close_state(self, day: _Day) -> None:
        """Value the scope at the close of the day, take the day's flows, and append the day's state."""
        closes, to_base = day.closes, day.to_base
        natives = dict(self._cash)  # per currency, as Meter.close adds up the market value
        holdings_value = fifo = average = ZERO
        in_detail = self._partial
        for group in self._groups:
            prices = [closes[number] for number in group.numbers]
            if day.incomplete and None in prices:
                in_detail = True
                value = sum((q * p for q, p in zip(group.quantities, prices, strict=True) if p is not None), ZERO)
            else:
                value = sum(map(mul, group.quantities, prices), ZERO)
            currency = group.currency
            natives[currency] = natives.get(currency, ZERO) + value
            in_base = to_base(value, currency)
            if in_base is not None:
                holdings_value += in_base
                fifo += in_base - group.fifo
                average += in_base - group.average
            elif not in_detail:
                fifo -= self._worthless(group, day, CostMethod.fifo)
                average -= self._worthless(group, day, CostMethod.average)
        if in_detail:
            fifo, average = (self._unrealized_in_detail(day, method) for method in CostMethod)
        market_value = ZERO
        for currency, amount in natives.items():
            market_value += to_base(amount, currency) or ZERO
        inflow, outflow = self._flows(day.date)
        if (quantum := self._quantum) is not None:  # as stored: the next day goes on from what is kept
            market_value, holdings_value, inflow, outflow, fifo, average = (
                amount.quantize(quantum, rounding=ROUND_HALF_EVEN)
                for amount in (market_value, holdings_value, inflow, outflow, fifo, average))
            if self._recorded:  # the running totals only move on a day with activity
                self.income, self.fees, self.taxes = (amount.quantize(quantum, rounding=ROUND_HALF_EVEN)
                                                      for amount in (self.income, self.fees, self.taxes))
                self.realized = {method: gain.quantize(quantum, rounding=ROUND_HALF_EVEN)
                                 for method, gain in self.realized.items()}
        self._recorded = False
        last = self._last
        index = last.index * growth(last.market_value, market_value, inflow, outflow)
        self._last = state = DayState(
            day.date, market_value, holdings_value, inflow, outflow,
            round(index, INDEX_PLACES) if quantum is not None else index,
            last.cum_inflow + inflow, last.cum_outflow + outflow, self.income, self.fees, self.taxes,
            self.realized[CostMethod.fifo], self.realized[CostMethod.average], fifo, average)
        self.states.append(state)

    def repeat(self, day: dt.date) -> None:
        """The state of a day like the one before (no activity, the same prices and rates): the same values
        and totals, no flows, the index unchanged (its return is 0)."""
        self._last = state = replace(self._last, date=day, inflow=ZERO, outflow=ZERO)
        self.states.append(state)

    def _flows(self, day: dt.date) -> tuple[Decimal, Decimal]:
        """(IN, OUT) of the day, as Meter.close takes them; the day's flows are then done with."""
        if not (self._inflows or self._outflows or self._deliveries):
            return ZERO, ZERO
        inflow = self._in_base(self._inflows, day) + self._delivered(day, 1)
        outflow = self._in_base(self._outflows, day) + self._delivered(day, -1)
        self._inflows.clear()
        self._outflows.clear()
        self._deliveries.clear()
        return inflow, outflow

    @staticmethod
    def _worthless(group: _Group, day: _Day, method: CostMethod) -> Decimal:
        """Without a rate only a value of 0 is known (a close of 0): those holdings count, at 0 less their
        cost, as in Meter.unrealized."""
        return sum((held.cost(method) for held in group.held if day.closes[held.number] == 0), ZERO)

    def _unrealized_in_detail(self, day: _Day, method: CostMethod) -> Decimal:
        """The unrealised gain by `method` when a held security has no close yet (it is left out) or some
        holding's base cost is incomplete (its quantity is left out with its cost)."""
        gain = ZERO
        for group in self._groups:
            value = cost = ZERO
            for held in group.held:
                price = day.closes[held.number]
                if price is not None:
                    value += held.counted(method) * price
                    cost += held.cost(method)
            in_base = day.to_base(value, group.currency)
            gain += in_base - cost if in_base is not None else -self._worthless(group, day, method)
        return gain
