"""The response shapes of the portfolio built from positions, cash and prices, wherever those came from
(the stored state or a calculation from the facts): one place that rounds, weighs and totals."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from colony.core import money
from colony.investments import engine
from colony.investments.engine.returns import annualized, as_rate, mwr
from colony.investments.portfolio.schemas import (
    Allocation,
    AllocationBreakdown,
    CashBalance,
    HoldingValue,
    PerformanceRead,
    PortfolioRead,
    PortfolioTotals,
)
from colony.investments.securities.schemas import SecurityRead

ZERO = Decimal(0)
WEIGHT_QUANTUM = Decimal("1e-10")
PERCENT_QUANTUM = Decimal("0.01")


def amount(value: Decimal, currency: str) -> Decimal:
    return money.quantize(value, currency)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN) if whole else None


def weights(values: dict[str, Decimal], currency: str) -> list[Allocation]:
    """Shares of the total that sum to exactly 1: the rounding remainder goes to the largest item."""
    total = sum(values.values(), ZERO)
    items = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    if not total:
        return [Allocation(key=key, market_value=amount(value, currency), weight=ZERO.quantize(WEIGHT_QUANTUM))
                for key, value in items]
    shares = [(value / total).quantize(WEIGHT_QUANTUM, rounding=ROUND_HALF_EVEN) for _, value in items]
    shares[0] += Decimal(1) - sum(shares, ZERO)
    return [Allocation(key=key, market_value=amount(value, currency), weight=share)
            for (key, value), share in zip(items, shares, strict=True)]


def holding(position: engine.Position, security: SecurityRead, currency: str) -> HoldingValue:
    market = amount(position.market_value, currency) if position.market_value is not None else None
    cost = amount(position.cost_basis, currency)
    unrealized = market - cost if market is not None and position.cost_complete else None
    return HoldingValue(
        account_id=position.account_id, security_id=position.security_id, symbol=security.symbol, name=security.name,
        security_type=security.security_type, security_currency=security.currency,
        quantity=money.trimmed(position.quantity), price=position.price, price_date=position.price_date,
        market_value=market, cost_basis=cost, unrealized_gain=unrealized,
        unrealized_gain_percent=percent(unrealized, cost) if unrealized is not None else None,
        realized_gain=amount(position.realized_gain, currency), income=amount(position.income, currency))


def portfolio(day: dt.date, currency: str, method: engine.CostMethod, positions: Sequence[engine.Position],
              cash: Sequence[engine.Cash], securities: dict[uuid.UUID, SecurityRead],
              rate: Callable[[str], Decimal | None]) -> PortfolioRead:
    """Holdings (valued), cash, totals and allocations; `rate` converts a currency into `currency` on `day`."""
    holdings = sorted((holding(p, securities[p.security_id], currency) for p in positions if p.quantity),
                      key=lambda h: (h.symbol, str(h.account_id)))
    cash_values = [(c, rate(c.currency)) for c in cash]
    cash_total = sum((c.amount * r for c, r in cash_values if r is not None), ZERO)
    market = sum((h.market_value or ZERO for h in holdings), ZERO)
    cost = sum((h.cost_basis for h in holdings), ZERO)
    unrealized = sum((h.unrealized_gain or ZERO for h in holdings), ZERO)
    cost_with_gain = sum((h.cost_basis for h in holdings if h.unrealized_gain is not None), ZERO)
    by_type: dict[str, Decimal] = {}
    by_currency: dict[str, Decimal] = {}
    by_account: dict[str, Decimal] = {}

    def add(type_: str, code: str, account_id: uuid.UUID, value: Decimal) -> None:
        by_type[type_] = by_type.get(type_, ZERO) + value
        by_currency[code] = by_currency.get(code, ZERO) + value
        by_account[str(account_id)] = by_account.get(str(account_id), ZERO) + value

    for h in holdings:
        add(h.security_type.value, h.security_currency, h.account_id, h.market_value or ZERO)
    for c, r in cash_values:
        if r is not None and c.amount:
            add("cash", c.currency, c.account_id, c.amount * r)
    return PortfolioRead(
        date=day, currency=currency, cost_method=method, holdings=holdings,
        cash=[CashBalance(account_id=c.account_id, currency=c.currency, amount=amount(c.amount, c.currency))
              for c in cash if c.amount],
        totals=PortfolioTotals(
            market_value=amount(market, currency), cash=amount(cash_total, currency),
            total_value=amount(market + cash_total, currency), cost_basis=amount(cost, currency),
            unrealized_gain=amount(unrealized, currency), unrealized_gain_percent=percent(unrealized, cost_with_gain),
            realized_gain=sum((amount(p.realized_gain, currency) for p in positions), ZERO),
            income=sum((amount(p.income, currency) for p in positions), ZERO)),
        allocation=AllocationBreakdown(by_security_type=weights(by_type, currency),
                                       by_currency=weights(by_currency, currency),
                                       by_account=weights(by_account, currency)),
        missing_prices=sorted(securities[p.security_id].symbol for p in positions
                              if p.quantity and p.price is None))


def performance(start: engine.DayState, end: engine.DayState, flows: Sequence[tuple[dt.date, Decimal, Decimal]],
                currency: str) -> PerformanceRead:
    """A range's figures from the states at its two ends and the external flows between them (exclusive of
    the first day): the cumulative figures subtract, the index divides, the flows give the XIRR."""
    # An index that reached 0 (a day that began with money and ended worth nothing) stays 0: no TWR past it.
    twr = end.index / start.index - 1 if start.index else None
    rate, note = mwr([(start.date, -start.market_value), *((day, out - in_) for day, in_, out in flows),
                      (end.date, end.market_value)])
    return PerformanceRead(
        start_date=start.date, end_date=end.date, currency=currency,
        start_value=amount(start.market_value, currency), end_value=amount(end.market_value, currency),
        deposits=amount(end.cum_inflow - start.cum_inflow, currency),
        withdrawals=amount(end.cum_outflow - start.cum_outflow, currency),
        income=amount(end.income - start.income, currency), fees=amount(end.fees - start.fees, currency),
        taxes=amount(end.taxes - start.taxes, currency),
        realized_gain=amount(end.realized_fifo - start.realized_fifo, currency),
        unrealized_gain=amount(end.unrealized_fifo, currency), twr=as_rate(twr),
        twr_annualized=as_rate(annualized(twr, (end.date - start.date).days)) if twr is not None else None,
        mwr=as_rate(rate), mwr_note=note)
