"""A scope's side of the pass: its external flows of each day, its value at each close, and its totals over
the period. It reads the ledger after each activity and keeps per-security quantities of the scope up to
date only for the securities an activity touched, so a day costs work in proportion to what is held."""

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from colony.investments.engine.ledger import Effect, Ledger
from colony.investments.engine.market import Market
from colony.investments.engine.model import ZERO, Activity, CostMethod, Kind, Scope

HOLDING_KINDS = frozenset({Kind.buy, Kind.sell, Kind.split, Kind.opening, Kind.transfer_in, Kind.transfer_out})


class Meter:
    """The figures of one scope, fed activity by activity and read at each close."""

    def __init__(self, scope: Scope, ledger: Ledger, market: Market) -> None:
        self.scope, self.ledger, self.market = scope, ledger, market
        self._accounts = scope.account_ids
        self._quantities: dict[uuid.UUID, tuple[str, Decimal]] = {}  # currency and quantity held, per security
        self._stale: set[uuid.UUID] = set()
        self._cash: dict[str, Decimal] = {}
        self._cash_stale = True
        # The day's flows: cash per currency, and deliveries of securities valued at the close.
        self._inflows: dict[str, Decimal] = defaultdict(Decimal)
        self._outflows: dict[str, Decimal] = defaultdict(Decimal)
        self._deliveries: list[tuple[uuid.UUID, Decimal]] = []  # (security, quantity: + in, - out)
        # Totals over the period, in base currency.
        self.income = self.fees = self.taxes = ZERO
        self.realized: dict[CostMethod, Decimal] = dict.fromkeys(CostMethod, ZERO)

    def _covers(self, a: Activity) -> bool:
        return a.account_id in self._accounts and (self.scope.security_id in (None, a.security_id))

    def track_all(self) -> None:
        """Recount every quantity at the next close (the books changed without being recorded here)."""
        self._stale.update(self.ledger.by_security)
        self._cash_stale = True

    def record(self, a: Activity, effect: Effect, *, in_period: bool) -> None:
        """After the ledger applied `a`: what changed for the scope, its flows, and (within the period) its
        totals. A split or a transfer recorded elsewhere can change the scope's quantities, hence the first
        line."""
        if a.security_id is not None and a.kind in HOLDING_KINDS:
            self._stale.add(a.security_id)
        if not self._covers(a):
            return
        self._cash_stale = True
        if self.scope.security_id is None:
            self._account_flows(a, effect)
        else:
            self._security_flows(a, effect)
        if in_period:
            self._add_totals(a, effect)

    def _external(self, a: Activity, effect: Effect) -> bool:
        return not effect.paired or a.counter_account_id not in self._accounts

    def _account_flows(self, a: Activity, effect: Effect) -> None:
        """Money or securities crossing the edge of the set of accounts."""
        if a.kind in (Kind.deposit, Kind.withdrawal):
            if a.amount is not None and self._external(a, effect):
                (self._inflows if a.kind is Kind.deposit else self._outflows)[a.currency] += a.amount
        elif a.kind is Kind.buy:
            self._inflows[a.currency] += effect.implicit_deposit
        else:
            self._delivery_flows(a, effect)

    def _security_flows(self, a: Activity, effect: Effect) -> None:
        """Money into the security (buys, fees included) and out of it (sells net of fees, gross income)."""
        if a.kind is Kind.buy and a.quantity is not None and a.price is not None:
            self._inflows[a.currency] += a.quantity * a.price + a.fee
        elif a.kind is Kind.sell and a.quantity is not None and a.price is not None:
            self._outflows[a.currency] += a.quantity * a.price - a.fee
        elif a.kind in (Kind.dividend, Kind.interest) and a.amount is not None:
            self._outflows[a.currency] += a.amount
        else:
            self._delivery_flows(a, effect)

    def _delivery_flows(self, a: Activity, effect: Effect) -> None:
        """An opening lot arrives from outside; a transfer is a flow when its other account is outside."""
        if a.kind is Kind.opening and a.security_id is not None and a.quantity is not None:
            self._deliveries.append((a.security_id, a.quantity))
        elif a.kind in (Kind.transfer_in, Kind.transfer_out) and self._external(a, effect):
            sign = 1 if a.kind is Kind.transfer_in else -1
            if a.security_id is not None and a.quantity is not None:
                self._deliveries.append((a.security_id, sign * a.quantity))
            elif a.amount is not None:
                (self._inflows if sign > 0 else self._outflows)[a.currency] += a.amount

    def _add_totals(self, a: Activity, effect: Effect) -> None:
        to_base = self.market.to_base
        if a.kind in (Kind.dividend, Kind.interest) and a.amount is not None:
            self.income += to_base(a.amount, a.currency, a.date) or ZERO
        principal = a.amount if a.amount is not None and a.kind in (Kind.fee, Kind.tax) else ZERO
        own_fee, own_tax = (principal, ZERO) if a.kind is Kind.fee else (ZERO, principal)
        self.fees += to_base(a.fee + own_fee, a.currency, a.date) or ZERO
        self.taxes += to_base(a.tax + own_tax, a.currency, a.date) or ZERO
        for method, gain in (effect.realized or {}).items():
            self.realized[method] += gain or ZERO

    # At the close

    def _refresh(self) -> None:
        wanted = self.scope.security_id
        for security_id in self._stale:
            if (wanted is None or security_id == wanted) and security_id in self.ledger.currency_of:
                holdings = self.ledger.by_security.get(security_id, ())
                self._quantities[security_id] = (self.ledger.currency_of[security_id], sum(
                    (h.quantity for h in holdings if h.account_id in self._accounts), ZERO))
        self._stale.clear()
        if self._cash_stale and wanted is None:
            cash: dict[str, Decimal] = defaultdict(Decimal)
            for (account_id, currency), amount in self.ledger.cash.items():
                if account_id in self._accounts:
                    cash[currency] += amount
            self._cash = cash
        self._cash_stale = False

    def close(self, day: dt.date) -> tuple[Decimal, Decimal, Decimal]:
        """(MV, IN, OUT) of the day in base currency; the day's flows are then done with."""
        self._refresh()
        natives: dict[str, Decimal] = defaultdict(Decimal, self._cash)
        for security_id, (currency, quantity) in self._quantities.items():
            if quantity:
                quote = self.market.close(security_id, day)
                if quote is not None:
                    natives[currency] += quantity * quote[0]
        value = self._in_base(natives, day)
        inflow = self._in_base(self._inflows, day) + self._delivered(day, 1)
        outflow = self._in_base(self._outflows, day) + self._delivered(day, -1)
        self._inflows.clear()
        self._outflows.clear()
        self._deliveries.clear()
        return value, inflow, outflow

    def _in_base(self, natives: dict[str, Decimal], day: dt.date) -> Decimal:
        return sum((self.market.to_base(amount, currency, day) or ZERO for currency, amount in natives.items()), ZERO)

    def _delivered(self, day: dt.date, sign: int) -> Decimal:
        result = ZERO
        for security_id, quantity in self._deliveries:
            if quantity * sign > 0:
                currency = self.ledger.currency_of[security_id]
                result += self.market.value(security_id, currency, abs(quantity), day)[1] or ZERO
        return result

    def unrealized(self, day: dt.date, method: CostMethod) -> Decimal:
        """Market value less cost of what the scope holds at the close of `day` (holdings whose value or
        base cost is unknown are left out)."""
        result = ZERO
        for holding in self.ledger.holdings.values():
            if holding.quantity and holding.account_id in self._accounts and (
                    self.scope.security_id in (None, holding.security_id)):
                value = self.market.value(holding.security_id, holding.currency, holding.quantity, day)[1]
                _, cost, complete = holding.cost(method)
                if value is not None and complete:
                    result += value - cost
        return result
