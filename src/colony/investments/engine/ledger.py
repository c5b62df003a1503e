"""The books of every account: cash per currency, lots per security, realised gains and income.

Activities are applied one at a time, in order; each costs work in proportion to the lots it touches,
never to the history. FIFO lots and the moving average are kept side by side, so one pass answers both
cost methods. Base-currency amounts are `Decimal | None`: None when a rate they need is missing, so that
a missing rate is never mistaken for 1.
"""

import datetime as dt
import itertools
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from colony.investments.engine.market import Market
from colony.investments.engine.model import ZERO, Activity, CostMethod, InsufficientQuantity, Kind

Base = Decimal | None  # an amount in base currency, or None when a rate it needs is missing
T = TypeVar("T")


def plus(a: Base, b: Base) -> Base:
    return None if a is None or b is None else a + b


def minus(a: Base, b: Base) -> Base:
    return None if a is None or b is None else a - b


def total(amounts: Iterable[Base]) -> Base:
    result: Base = ZERO
    for amount in amounts:
        result = plus(result, amount)
    return result


@dataclass(slots=True)
class Lot:
    date: dt.date
    order: int  # when it was made: lots of one date leave in the order they came
    quantity: Decimal
    cost: Decimal  # in the security's currency
    cost_base: Base  # at the trade date's rate

    def split_off(self, quantity: Decimal) -> "Lot":
        """Take part of the lot with its share of the cost; what stays keeps the rest exactly."""
        share = quantity / self.quantity
        part = Lot(self.date, self.order, quantity, self.cost * share,
                   None if self.cost_base is None else self.cost_base * share)
        self.quantity -= quantity
        self.cost -= part.cost
        self.cost_base = minus(self.cost_base, part.cost_base)
        return part


@dataclass(slots=True)
class Consumed:
    """What leaves a holding: FIFO lots (with their dates and costs) and its share of the average cost."""

    lots: list[Lot]
    average_cost: Decimal
    average_cost_base: Base  # None when part of it is unknown

    def cost_base(self, method: CostMethod) -> Base:
        if method is CostMethod.fifo:
            return total(lot.cost_base for lot in self.lots)
        return self.average_cost_base


@dataclass(slots=True)
class Holding:
    """One security in one account. `quantity` is the sum of the lots; the moving average keeps only a
    total cost, which it shares out in proportion to the quantity that leaves. Base costs that a missing
    rate made unknown are left out of `average_cost_base` and mark it incomplete."""

    account_id: uuid.UUID
    security_id: uuid.UUID
    currency: str  # the security's
    lots: list[Lot] = field(default_factory=list)
    quantity: Decimal = ZERO
    average_cost: Decimal = ZERO
    average_cost_base: Decimal = ZERO
    average_complete: bool = True
    realized: dict[CostMethod, Decimal] = field(default_factory=lambda: dict.fromkeys(CostMethod, ZERO))
    income: Decimal = ZERO  # dividends and interest, gross, in base currency

    def add(self, lots: list[Lot], average_cost: Decimal, average_cost_base: Base) -> None:
        """Lots keep first-in first-out order by trade date, also when a transfer brings older ones."""
        last = (self.lots[-1].date, self.lots[-1].order) if self.lots else None
        in_order = last is None or all((lot.date, lot.order) >= last for lot in lots)
        self.lots = self.lots + lots if in_order else sorted(self.lots + lots, key=lambda lot: (lot.date, lot.order))
        self.quantity += sum((lot.quantity for lot in lots), ZERO)
        self.average_cost += average_cost
        if average_cost_base is None:
            self.average_complete = False
        else:
            self.average_cost_base += average_cost_base

    def remove(self, quantity: Decimal) -> Consumed:
        """The oldest lots, and the average cost of `quantity`; a closed position starts its average afresh."""
        if quantity >= self.quantity:
            consumed = Consumed(self.lots, self.average_cost, self._average_base(self.average_cost_base))
            self.lots, self.quantity, self.average_cost, self.average_cost_base = [], ZERO, ZERO, ZERO
            self.average_complete = True
            return consumed
        share = quantity / self.quantity
        consumed = Consumed(self._oldest(quantity), self.average_cost * share,
                            self._average_base(self.average_cost_base * share))
        self.quantity -= quantity
        self.average_cost -= consumed.average_cost
        self.average_cost_base -= self.average_cost_base * share
        return consumed

    def _average_base(self, amount: Decimal) -> Base:
        return amount if self.average_complete else None

    def _oldest(self, quantity: Decimal) -> list[Lot]:
        taken: list[Lot] = []
        while quantity > 0 and self.lots:
            lot = self.lots[0]
            if lot.quantity <= quantity:
                taken.append(self.lots.pop(0))
                quantity -= lot.quantity
            else:
                taken.append(lot.split_off(quantity))
                quantity = ZERO
        return taken

    def split(self, new: Decimal, old: Decimal) -> None:
        """new/old times the quantity of every lot; costs stay, so the cost per unit is divided by it."""
        for lot in self.lots:
            lot.quantity = lot.quantity * new / old
        self.quantity = sum((lot.quantity for lot in self.lots), ZERO)

    def cost(self, method: CostMethod) -> tuple[Decimal, Decimal, bool]:
        """Cost of what is held: in the security's currency, the known part in base currency, and whether
        that part is all of it."""
        if method is CostMethod.fifo:
            known = [lot.cost_base for lot in self.lots if lot.cost_base is not None]
            return (sum((lot.cost for lot in self.lots), ZERO), sum(known, ZERO), len(known) == len(self.lots))
        return self.average_cost, self.average_cost_base, self.average_complete


@dataclass(frozen=True, slots=True)
class Effect:
    """What an activity did that the books alone do not show, for the figures of a scope."""

    implicit_deposit: Decimal = ZERO  # the shortfall of a buy, in its currency
    realized: dict[CostMethod, Base] | None = None  # a sell's gain in base currency, by method
    paired: bool = False  # a transfer leg whose other leg is among the activities


NOTHING = Effect()


def _need(value: T | None, what: str, activity: Activity) -> T:
    if value is None:
        raise ValueError(f"{activity.kind} {activity.id} needs {what}")
    return value


def _quantity(activity: Activity) -> Decimal:
    quantity = _need(activity.quantity, "a quantity", activity)
    if quantity <= 0:
        raise ValueError(f"{activity.kind} {activity.id} needs a positive quantity")
    return quantity


LegKey = tuple[dt.date, uuid.UUID, uuid.UUID, uuid.UUID | None, Decimal | None]


def _leg_key(activity: Activity, source: uuid.UUID, target: uuid.UUID) -> LegKey:
    # Cash legs match by day and accounts only: an amount may change currency on the way.
    quantity = activity.quantity if activity.security_id is not None else None
    return activity.date, source, target, activity.security_id, quantity


# Cash moved between two accounts may also come as a withdrawal and a deposit naming each other's account.
OUT_LEGS = frozenset({Kind.transfer_out, Kind.withdrawal})
IN_LEGS = frozenset({Kind.transfer_in, Kind.deposit})


def pair_transfers(activities: Sequence[Activity]) -> dict[uuid.UUID, Activity]:
    """Each transfer leg with its other leg (same day, accounts swapped, same security and quantity), both
    ways. A leg left alone comes from, or goes to, outside the activities."""
    outs: dict[LegKey, deque[Activity]] = defaultdict(deque)
    for a in activities:
        if a.kind in OUT_LEGS and a.counter_account_id is not None:
            outs[_leg_key(a, a.account_id, a.counter_account_id)].append(a)
    partners: dict[uuid.UUID, Activity] = {}
    for a in activities:
        if a.kind in IN_LEGS and a.counter_account_id is not None:
            waiting = outs.get(_leg_key(a, a.counter_account_id, a.account_id))
            if waiting:
                out = waiting.popleft()
                partners[a.id], partners[out.id] = out, a
    return partners


class Ledger:
    """Every account's books; `apply` each activity in (date, sequence) order."""

    def __init__(self, market: Market, activities: Sequence[Activity]) -> None:
        self.market = market
        self.holdings: dict[tuple[uuid.UUID, uuid.UUID], Holding] = {}
        self.by_security: dict[uuid.UUID, list[Holding]] = defaultdict(list)
        self.cash: dict[tuple[uuid.UUID, str], Decimal] = {}
        self.currency_of: dict[uuid.UUID, str] = {}
        self._partners = pair_transfers(activities)
        self._moved: set[uuid.UUID] = set()  # legs whose move their other leg already made
        self._splits: set[tuple[uuid.UUID, dt.date, Decimal, Decimal]] = set()
        self._orders = itertools.count()
        self._handlers: dict[Kind, Callable[[Activity], Effect]] = {
            Kind.buy: self._buy, Kind.sell: self._sell, Kind.dividend: self._income, Kind.interest: self._income,
            Kind.fee: self._cash_event, Kind.tax: self._cash_event, Kind.deposit: self._cash_event,
            Kind.withdrawal: self._cash_event, Kind.split: self._split, Kind.opening: self._opening,
            Kind.transfer_in: self._transfer, Kind.transfer_out: self._transfer,
        }

    def apply(self, activity: Activity) -> Effect:
        return self._handlers[activity.kind](activity)

    def holding(self, account_id: uuid.UUID, security_id: uuid.UUID, currency: str) -> Holding:
        key = (account_id, security_id)
        if key not in self.holdings:
            currency = self.currency_of.setdefault(security_id, currency)
            self.holdings[key] = holding = Holding(account_id, security_id, currency)
            self.by_security[security_id].append(holding)
        return self.holdings[key]

    # Cash

    def _move_cash(self, activity: Activity, principal: Decimal) -> None:
        """Every activity that touches cash pays its own fee and tax in its currency (a transfer of shares
        without either opens no cash balance)."""
        if not (principal or activity.fee or activity.tax):
            return
        key = (activity.account_id, activity.currency)
        self.cash[key] = self.cash.get(key, ZERO) + principal - activity.fee - activity.tax

    def _cash_event(self, a: Activity) -> Effect:
        amount = _need(a.amount, "an amount", a)
        self._move_cash(a, amount if a.kind is Kind.deposit else -amount)
        return Effect(paired=True) if a.id in self._partners else NOTHING

    def _income(self, a: Activity) -> Effect:
        amount = _need(a.amount, "an amount", a)
        self._move_cash(a, amount)
        if a.security_id is not None:
            income = self.market.to_base(amount, a.currency, a.date)
            self.holding(a.account_id, a.security_id, a.currency).income += income or ZERO
        return NOTHING

    # Lots

    def _new_lot(self, a: Activity, quantity: Decimal, cost: Decimal) -> Lot:
        return Lot(a.date, next(self._orders), quantity, cost, self.market.to_base(cost, a.currency, a.date))

    def _receive(self, holding: Holding, lot: Lot) -> None:
        holding.add([lot], lot.cost, lot.cost_base)

    def _buy(self, a: Activity) -> Effect:
        security_id, quantity = _need(a.security_id, "a security", a), _quantity(a)
        gross = quantity * _need(a.price, "a price", a)
        cost = gross + a.fee
        balance = self.cash.get((a.account_id, a.currency), ZERO)
        shortfall = max(cost + a.tax - max(balance, ZERO), ZERO)  # what the account's cash does not cover
        self._move_cash(a, shortfall - gross)
        self._receive(self.holding(a.account_id, security_id, a.currency), self._new_lot(a, quantity, cost))
        return Effect(implicit_deposit=shortfall)

    def _take(self, a: Activity, holding: Holding, quantity: Decimal) -> Consumed:
        if quantity > holding.quantity:
            raise InsufficientQuantity(a.id, holding.quantity, quantity)
        return holding.remove(quantity)

    def _sell(self, a: Activity) -> Effect:
        security_id, quantity = _need(a.security_id, "a security", a), _quantity(a)
        gross = quantity * _need(a.price, "a price", a)
        holding = self.holding(a.account_id, security_id, a.currency)
        consumed = self._take(a, holding, quantity)
        self._move_cash(a, gross)
        proceeds = self.market.to_base(gross - a.fee, a.currency, a.date)
        realized = {method: minus(proceeds, consumed.cost_base(method)) for method in CostMethod}
        for method, gain in realized.items():
            holding.realized[method] += gain or ZERO
        return Effect(realized=realized)

    def _opening(self, a: Activity) -> Effect:
        security_id, quantity = _need(a.security_id, "a security", a), _quantity(a)
        cost = a.amount if a.amount is not None else quantity * _need(a.price, "an amount or a price", a) + a.fee
        self._receive(self.holding(a.account_id, security_id, a.currency), self._new_lot(a, quantity, cost))
        return NOTHING

    def _split(self, a: Activity) -> Effect:
        """A corporate event of the security: every account's holding splits once, however many accounts
        record it."""
        security_id = _need(a.security_id, "a security", a)
        new, old = _need(a.split, "a ratio", a)
        if new <= 0 or old <= 0:
            raise ValueError(f"split {a.id} needs a positive ratio")
        if (security_id, a.date, new, old) not in self._splits:
            self._splits.add((security_id, a.date, new, old))
            for holding in self.by_security.get(security_id, ()):
                holding.split(new, old)
        return NOTHING

    # Transfers

    def _transfer(self, a: Activity) -> Effect:
        partner = self._partners.get(a.id)
        if a.security_id is None:
            amount = _need(a.amount, "an amount or a security", a)
            self._move_cash(a, -amount if a.kind is Kind.transfer_out else amount)
            return Effect(paired=partner is not None)
        self._move_cash(a, ZERO)
        if partner is None:
            self._transfer_alone(a, a.security_id)
            return NOTHING
        if a.id not in self._moved:  # the first leg reached moves the lots for both
            out, into = (a, partner) if a.kind is Kind.transfer_out else (partner, a)
            source = self.holding(out.account_id, a.security_id, a.currency)
            consumed = self._take(out, source, _quantity(out))
            self.holding(into.account_id, a.security_id, source.currency).add(
                consumed.lots, consumed.average_cost, consumed.average_cost_base)
            self._moved.add(partner.id)
        return Effect(paired=True)

    def _transfer_alone(self, a: Activity, security_id: uuid.UUID) -> None:
        """A leg whose other account is not among the activities: shares leave the books, or arrive at
        their price (else `amount`, else the day's close) as a new lot."""
        quantity = _quantity(a)
        holding = self.holding(a.account_id, security_id, a.currency)
        if a.kind is Kind.transfer_out:
            self._take(a, holding, quantity)
            return
        if a.price is not None:
            cost = quantity * a.price + a.fee
        elif a.amount is not None:
            cost = a.amount
        else:
            quote = self.market.close(security_id, a.date)
            cost = ZERO if quote is None else quantity * quote[0]
        self._receive(holding, self._new_lot(a, quantity, cost))
