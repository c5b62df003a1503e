"""Recurrence arithmetic of expense templates: pure functions over dates, no I/O.

A schedule starts on `start_date` and ends on `end_date` (inclusive) if it has one.
- once: `start_date` only.
- weekly / biweekly: `start_date` plus multiples of 7 / 14 days.
- monthly / quarterly / yearly: every 1 / 3 / 12 months counted from the month of `start_date`, on
  `day_of_month` (default: the day of `start_date`), clamped to the month's last day (31 → 30 April,
  29 February in 2024, 28 February in 2025). The clamp is per month: a 31 schedule is back on the 31st
  in March. Dates before `start_date` are skipped (start 20 January, day 5 → first 5 February).
"""

import calendar
from collections.abc import Iterator
from datetime import MAXYEAR, date
from enum import StrEnum


class Frequency(StrEnum):
    weekly = "weekly"
    biweekly = "biweekly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"
    once = "once"


_DAYS = {Frequency.weekly: 7, Frequency.biweekly: 14}
_MONTHS = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.yearly: 12}
MONTHLY_KINDS = frozenset(_MONTHS)


def clamped(year: int, month: int, day: int) -> date:
    """`day` of that month, or the month's last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def occurrences(frequency: Frequency, start_date: date, end_date: date | None, day_of_month: int | None,
                range_start: date, range_end: date) -> list[date]:
    """Every date of the schedule in [range_start, range_end], ascending."""
    return list(iter_occurrences(frequency, start_date, end_date, day_of_month, range_start, range_end))


def iter_occurrences(frequency: Frequency, start_date: date, end_date: date | None, day_of_month: int | None,
                     range_start: date, range_end: date) -> Iterator[date]:
    low = max(range_start, start_date)
    high = range_end if end_date is None else min(range_end, end_date)
    if low > high:
        return
    if frequency is Frequency.once:
        if low <= start_date <= high:
            yield start_date
        return
    if frequency in _DAYS:
        step = _DAYS[frequency]
        k = -(-(low - start_date).days // step)  # the first multiple of the step on or after `low`
        # Day numbers, not dates: the step after the last one may lie past 9999-12-31.
        for ordinal in range(start_date.toordinal() + k * step, high.toordinal() + 1, step):
            yield date.fromordinal(ordinal)
        return
    step = _MONTHS[frequency]
    anchor = day_of_month or start_date.day
    # Jump straight to the step just before `low` (whole years of a weekly search are never walked).
    months_to_low = (low.year - start_date.year) * 12 + (low.month - start_date.month)
    k = max(0, months_to_low // step - 1)
    while True:
        year, month = add_months(start_date.year, start_date.month, k * step)
        if year > MAXYEAR:  # the calendar ends with 9999
            return
        day = clamped(year, month, anchor)
        if day > high:
            return
        if day >= low:
            yield day
        k += 1
