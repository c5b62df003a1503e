"""Rates of return from a scope's daily values and flows: the day's growth, the time-weighted index, its
annualisation, and the money-weighted rate (XIRR). Ratios are floats; rates leave as Decimals."""

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Context, Decimal

import pyxirr

RATE_QUANTUM = Decimal("1E-10")
# Wide enough for any finite float to 10 places (an XIRR over a few days can be astronomically large).
RATE_CONTEXT = Context(prec=330)
YEAR = 365


def growth(previous_value: Decimal, value: Decimal, inflow: Decimal, outflow: Decimal) -> float:
    """1 + r_t = (MV_t + OUT_t) / (MV_{t-1} + IN_t): inflows work all day, outflows leave at its end; a day
    that starts with nothing (a zero denominator) has no return."""
    denominator = previous_value + inflow
    if not denominator:
        return 1.0
    return float(value + outflow) / float(denominator)


def annualized(twr: float, days: int) -> float | None:
    """Only a period of a year or more is annualised: a shorter one would be extrapolated, not measured."""
    if days < YEAR or 1 + twr < 0:
        return None
    return float((1 + twr) ** (YEAR / days) - 1)


def as_rate(value: float | None) -> Decimal | None:
    if value is None or not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(RATE_QUANTUM, context=RATE_CONTEXT)


def mwr(flows: Iterable[tuple[dt.date, Decimal]]) -> tuple[float | None, str | None]:
    """The annual rate (ACT/365) at which the flows, from the investor's side (paid in negative, value and
    withdrawals positive), are worth nothing; None and the reason when no rate does that."""
    by_day: dict[dt.date, Decimal] = {}
    for day, amount in flows:
        by_day[day] = by_day.get(day, Decimal(0)) + amount
    if len(by_day) < 2:
        return None, "no money-weighted return: the period has no length"
    dates = sorted(day for day, amount in by_day.items() if amount)
    amounts = [float(by_day[day]) for day in dates]
    if not any(a > 0 for a in amounts) or not any(a < 0 for a in amounts):
        return None, "no money-weighted return: the flows and values never change sign"
    try:
        rate = pyxirr.xirr(dates, amounts, silent=True, day_count=pyxirr.DayCount.ACT_365F)
    except (pyxirr.InvalidPaymentsError, ValueError):
        rate = None
    if rate is None or not math.isfinite(rate):
        return None, "no money-weighted return: no rate solves the flows"
    return rate, None
