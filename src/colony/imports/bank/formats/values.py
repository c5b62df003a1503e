"""Dates and amounts as banks write them, and how to tell which way a whole file writes them.

A file is read one way from its first row to its last: the date order (day first, month first, year
first) and the decimal separator are decided over every row of the file (or given), never row by row,
so `03/04/2024` can't be March in one row and April in the next.
"""

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class DateFormat(StrEnum):
    """How a file writes its dates (any separator is accepted where these show one; a time after it is ignored)."""

    day_month_year_dots = "DD.MM.YYYY"
    day_month_year_slashes = "DD/MM/YYYY"
    day_month_year_dashes = "DD-MM-YYYY"
    month_day_year_slashes = "MM/DD/YYYY"
    month_day_year_dashes = "MM-DD-YYYY"
    iso = "YYYY-MM-DD"
    year_month_day_slashes = "YYYY/MM/DD"
    compact = "YYYYMMDD"

    @property
    def order(self) -> str:
        """"dmy", "mdy" or "ymd"."""
        return "".join(part[0].lower() for part in re.findall(r"DD|MM|YYYY", self.value))


_BY_ORDER = {"dmy": DateFormat.day_month_year_dots, "mdy": DateFormat.month_day_year_slashes,
             "ymd": DateFormat.iso}
_SEPARATED = re.compile(r"\s*(\d{1,4})[./\-' ](\d{1,2})[./\-' ](\d{1,4})(?!\d)")
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?!\d)")
TWO_DIGIT_PIVOT = 70  # "24" is 2024, "98" is 1998


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < TWO_DIGIT_PIVOT else 1900
    return year


def parse_date(text: str, order: str) -> dt.date:
    """A date written in `order` ("dmy", "mdy", "ymd"); raises ValueError."""
    day = _date_or_none(text, order)
    if day is None:
        raise ValueError(text)
    return day


@functools.lru_cache(maxsize=8_192)
def _date_or_none(text: str, order: str) -> dt.date | None:
    """A bank file writes the same few hundred days over and over: each is read once per order."""
    try:
        return _read_date(text, order)
    except ValueError:
        return None


def _read_date(text: str, order: str) -> dt.date:
    compact = _COMPACT.match(text)
    if compact is not None and order == "ymd":
        return dt.date(int(compact[1]), int(compact[2]), int(compact[3]))
    match = _SEPARATED.match(text)
    if match is None:
        raise ValueError(text)
    first, second, third = match.groups()
    if order == "dmy":
        return dt.date(_year(third), int(second), int(first)) if len(first) <= 2 else _fail(text)
    if order == "mdy":
        return dt.date(_year(third), int(first), int(second)) if len(first) <= 2 else _fail(text)
    return dt.date(int(first), int(second), int(third)) if len(first) == 4 else _fail(text)


def _fail(text: str) -> dt.date:
    raise ValueError(text)


def _separator(samples: Sequence[str]) -> str:
    for sample in samples:
        match = _SEPARATED.match(sample)
        if match is not None:
            return sample[match.end(1)]
    return "."


@dataclass(slots=True)
class _Reading:
    """What one date order makes of a file's dates, one at a time: how many it reads, and whether they run
    in one direction (nothing kept per row)."""

    order: str
    read: int = 0
    last: dt.date | None = None
    rising: bool = True
    falling: bool = True

    def add(self, sample: str) -> None:
        try:
            day = parse_date(sample, self.order)
        except ValueError:
            return
        self.read += 1
        if self.last is not None:
            self.rising = self.rising and self.last <= day
            self.falling = self.falling and self.last >= day
        self.last = day

    @property
    def in_sequence(self) -> bool:
        return self.rising or self.falling


class DateFormatDetector:
    """`detect_date_format` fed one sample at a time, so that a file's dates and amounts are looked at in one
    pass over it (nothing kept per sample)."""

    __slots__ = ("first", "readings")

    def __init__(self) -> None:
        self.readings = [_Reading(order) for order in ("ymd", "dmy", "mdy")]
        self.first: str | None = None

    def add(self, sample: str) -> None:
        if not sample.strip():
            return
        self.first = self.first or sample
        for reading in self.readings:
            reading.add(sample)

    def result(self, *, prefer_month_first: bool = False) -> DateFormat | None:
        readings, first = self.readings, self.first
        most = max(reading.read for reading in readings)
        if first is None or most == 0:
            return None
        readable = [reading for reading in readings if reading.read == most]
        if len(readable) > 1:
            in_sequence = [reading for reading in readable if reading.in_sequence]
            if len(in_sequence) == 1:
                readable = in_sequence
        orders = [reading.order for reading in readable]
        if len(orders) > 1 and "ymd" in orders:
            order = "ymd"
        elif len(orders) > 1:  # dotted dates are day first wherever they are written
            order = "mdy" if prefer_month_first and _separator([first]) != "." else "dmy"
        else:
            order = orders[0]
        return _named(order, first)


def detect_date_format(samples: Iterable[str], *, prefer_month_first: bool = False) -> DateFormat | None:
    """The format that reads the most samples (empty ones aside; the ones it can't read are those rows'
    errors), or None when none reads any. When several read as many (`03/04/2024` reads both ways), the
    one under which the dates run in order, as a statement's do; if that still leaves both, month first
    only when `prefer_month_first` (a US dollar file) and the dates are not dotted. One pass, nothing kept
    per sample."""
    detector = DateFormatDetector()
    for sample in samples:
        detector.add(sample)
    return detector.result(prefer_month_first=prefer_month_first)


def _named(order: str, sample: str) -> DateFormat:
    if order == "ymd" and _COMPACT.match(sample) and not _SEPARATED.match(sample):
        return DateFormat.compact
    separator = _separator([sample])
    for candidate in DateFormat:
        if candidate.order == order and separator in candidate.value:
            return candidate
    return _BY_ORDER[order]


# ---- amounts ----

_GROUPING = str.maketrans("", "", " '\u00a0\u202f\u2009")
_NUMBER = re.compile(r"[0-9][0-9.,]*")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_CURRENCY = r"(?:[A-Za-z]{3}|[€$£¥])"
_AMOUNT = re.compile(
    rf"\s*{_CURRENCY}?\s*(?P<sign>[-+\u2212(]?)\s*{_CURRENCY}?\s*(?P<number>[0-9][0-9.,' \u00a0\u202f\u2009]*?)"
    rf"\s*(?P<trailing>[-\u2212)]?)\s*{_CURRENCY}?\s*(?P<side>CR|DR)?\s*", re.IGNORECASE)


def decimal_votes(text: str) -> str | None:
    """Which decimal separator one amount shows unambiguously ("," or "."), or None."""
    match = _NUMBER.search(text.translate(_GROUPING))
    if match is None:
        return None
    number = match.group()
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        return "," if number.rfind(",") > number.rfind(".") else "."
    for mark, other in ((",", "."), (".", ",")):
        count = number.count(mark)
        if count > 1:
            return other  # only a thousands separator repeats
        if count == 1 and len(number) - number.index(mark) - 1 != 3:
            return mark  # 12,5 or 12,50: decimals (three digits after it could be thousands)
    return None


class DecimalDetector:
    """`detect_decimal_separator` fed one sample at a time."""

    __slots__ = ("votes",)

    def __init__(self) -> None:
        self.votes = {",": 0, ".": 0}

    def add(self, sample: str) -> None:
        vote = decimal_votes(sample)
        if vote is not None:
            self.votes[vote] += 1

    def result(self, *, prefer_comma: bool = False) -> str:
        votes = self.votes
        if votes[","] != votes["."]:
            return "," if votes[","] > votes["."] else "."
        return "," if prefer_comma else "."


def detect_decimal_separator(samples: Iterable[str], *, prefer_comma: bool = False) -> str:
    """The decimal separator most amounts show unambiguously; `prefer_comma` decides when none does."""
    detector = DecimalDetector()
    for sample in samples:
        detector.add(sample)
    return detector.result(prefer_comma=prefer_comma)


def parse_amount(text: str, decimal_separator: str) -> Decimal:
    """A signed amount as banks write it: `-1.234,56`, `1,234.56`, `(12.50)`, `12,50-`, `€ -3`, `12.00 CR`,
    `45.10 DR`. Raises ValueError (with a message fit for the row's report)."""
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not an amount")
    sign, trailing, side = match["sign"], match["trailing"], (match["side"] or "").upper()
    if (sign == "(") != (trailing == ")"):
        raise ValueError(f"{text!r} is not an amount")
    negative = sign in ("-", "\u2212", "(") or trailing in ("-", "\u2212") or side == "DR"
    thousands = "." if decimal_separator == "," else ","
    number = match["number"].translate(_GROUPING).replace(thousands, "").replace(decimal_separator, ".")
    if not _PLAIN.fullmatch(number):
        raise ValueError(f"{text!r} is not an amount with {decimal_separator!r} as its decimal separator")
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    return -amount if negative else amount
