"""Recurrence arithmetic: month ends, leap years, steps, bounds (examples and properties)."""

import calendar
import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from colony.templates.recurrence import Frequency, clamped, occurrences

FAR = date(2100, 12, 31)


def test_day_31_clamps_to_short_months_and_comes_back() -> None:
    dates = occurrences(Frequency.monthly, date(2024, 1, 31), None, None, date(2024, 1, 1), date(2024, 5, 31))
    assert dates == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]


def test_february_in_a_common_year() -> None:
    assert occurrences(Frequency.monthly, date(2025, 1, 1), None, 31, date(2025, 2, 1), date(2025, 2, 28)) \
        == [date(2025, 2, 28)]
    assert occurrences(Frequency.monthly, date(2025, 1, 1), None, 29, date(2025, 2, 1), date(2025, 3, 31)) \
        == [date(2025, 2, 28), date(2025, 3, 29)]


def test_day_of_month_before_start_day_begins_next_month() -> None:
    assert occurrences(Frequency.monthly, date(2024, 1, 20), None, 5, date(2024, 1, 1), date(2024, 3, 31)) \
        == [date(2024, 2, 5), date(2024, 3, 5)]


def test_weekly_biweekly_and_range_bounds() -> None:
    start = date(2024, 1, 1)  # a Monday
    assert occurrences(Frequency.weekly, start, None, None, date(2024, 1, 10), date(2024, 1, 31)) \
        == [date(2024, 1, 15), date(2024, 1, 22), date(2024, 1, 29)]
    assert occurrences(Frequency.biweekly, start, None, None, date(2024, 1, 1), date(2024, 2, 1)) \
        == [date(2024, 1, 1), date(2024, 1, 15), date(2024, 1, 29)]


def test_quarterly_yearly_and_leap_day() -> None:
    assert occurrences(Frequency.quarterly, date(2023, 11, 30), None, None, date(2023, 1, 1), date(2024, 12, 31)) \
        == [date(2023, 11, 30), date(2024, 2, 29), date(2024, 5, 30), date(2024, 8, 30), date(2024, 11, 30)]
    assert occurrences(Frequency.yearly, date(2024, 2, 29), None, None, date(2024, 1, 1), date(2028, 12, 31)) \
        == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_once_and_end_date() -> None:
    assert occurrences(Frequency.once, date(2024, 3, 3), None, None, date(2024, 1, 1), FAR) == [date(2024, 3, 3)]
    assert occurrences(Frequency.once, date(2024, 3, 3), None, None, date(2024, 3, 4), FAR) == []
    assert occurrences(Frequency.weekly, date(2024, 1, 1), date(2024, 1, 15), None, date(2024, 1, 1), FAR) \
        == [date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)]
    assert occurrences(Frequency.monthly, date(2024, 1, 1), date(2023, 1, 1), None, date(2020, 1, 1), FAR) == []


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
monthly_kinds = st.sampled_from([Frequency.monthly, Frequency.quarterly, Frequency.yearly])
STEP = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.yearly: 12}


@given(start=dates, day=st.integers(1, 31), kind=monthly_kinds, span=st.integers(0, 2000))
def test_monthly_kinds_land_on_the_day_or_the_months_last_day(start: date, day: int, kind: Frequency,
                                                              span: int) -> None:
    end = start + timedelta(days=span)
    result = occurrences(kind, start, None, day, start, end)
    for d in result:
        last = calendar.monthrange(d.year, d.month)[1]
        assert d.day == min(day, last)
        assert start <= d <= end
    for a, b in itertools.pairwise(result):  # consecutive dates are exactly one step apart
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == STEP[kind]
    assert result == sorted(set(result))


@given(start=dates, day=st.integers(1, 31), span=st.integers(0, 800))
def test_monthly_has_one_date_in_every_month_of_the_range(start: date, day: int, span: int) -> None:
    end = start + timedelta(days=span)
    result = occurrences(Frequency.monthly, start, None, day, start, end)
    months = {(d.year, d.month) for d in result}
    assert len(months) == len(result)
    first_due = clamped(start.year, start.month, day)
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        due = clamped(y, m, day)
        if start <= due <= end:
            assert (y, m) in months
        m += 1
        if m == 13:
            y, m = y + 1, 1
    assert first_due >= start or (start.year, start.month) not in months


@given(year=st.integers(1990, 2090), day=st.integers(29, 31))
def test_february_end_follows_leap_years(year: int, day: int) -> None:
    february_end = date(year, 2, 28 + calendar.isleap(year))
    result = occurrences(Frequency.monthly, date(year, 1, 1), None, day, date(year, 2, 1), february_end)
    assert result == [date(year, 2, 29 if calendar.isleap(year) else 28)]


@given(start=dates, kind=st.sampled_from([Frequency.weekly, Frequency.biweekly]), low=st.integers(-100, 400),
       span=st.integers(0, 400))
def test_weekly_kinds_are_whole_steps_from_the_start(start: date, kind: Frequency, low: int, span: int) -> None:
    range_start = start + timedelta(days=low)
    range_end = range_start + timedelta(days=span)
    step = 7 if kind is Frequency.weekly else 14
    result = occurrences(kind, start, None, None, range_start, range_end)
    expected = [start + timedelta(days=k * step) for k in range(0, (400 + 400) // step + 2)]
    assert result == [d for d in expected if max(start, range_start) <= d <= range_end]


@given(start=dates, kind=st.sampled_from(list(Frequency)), a=st.integers(0, 1500), b=st.integers(0, 1500),
       end_after=st.integers(0, 3000) | st.none())
def test_splitting_a_range_changes_nothing(start: date, kind: Frequency, a: int, b: int,
                                           end_after: int | None) -> None:
    low, mid = start + timedelta(days=min(a, b)), start + timedelta(days=max(a, b))
    high = mid + timedelta(days=400)
    end = None if end_after is None else start + timedelta(days=end_after)
    whole = occurrences(kind, start, end, None, low, high)
    assert whole == occurrences(kind, start, end, None, low, mid) + occurrences(
        kind, start, end, None, mid + timedelta(days=1), high)
    assert all(end is None or d <= end for d in whole)
