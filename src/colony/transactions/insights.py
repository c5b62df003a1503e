"""What a tenant's own history says about a new transaction, computed without I/O: which category it
probably belongs to, and which payments come back on a schedule. The service reads the history and
hands it in; nothing here touches a database or a model server.

Both start from the merchant name that `normalise_description` extracts from a description (bank exports
write the same shop many ways: "CARD PAYMENT TESCO STORES 3321 LONDON", "Tesco Stores").

- **Category suggestions** (`rank_categories`): the normalised description is compared with every
  normalised description of the tenant's categorised history of the same type using rapidfuzz's
  `token_set_ratio` (0..100; a description whose words are a subset of the other's scores 100, so extra
  words such as a town don't hurt). A category scores its best match; an amount inside the range the
  matching history had (widened by `AMOUNT_FIT`) adds `AMOUNT_BONUS`, capped at 100. Only matches of at
  least `MIN_SCORE` count. Scores are whole numbers. Ties: an amount that fits, then more past uses, then
  the category id (for a stable order).
- **Recurring series** (`detect_series`): transactions grouped by normalised description, currency and
  type. A group's series is its latest run of at least 3 occurrences (one per day) whose every gap fits
  one interval of `INTERVALS` and whose amounts all lie within `AMOUNT_TOLERANCE` of the run's median (the
  run is shortened from its oldest end until they do, so that after a price rise the old prices give way
  instead of hiding the series). It is alive while its last occurrence is at most two of its interval's
  longest gaps old.
"""

import calendar
import re
import statistics
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from rapidfuzz import fuzz, process

from colony.transactions.models import TransactionType

# ---- merchant names ----

# Words that say how or when a payment was made, or what legal form the payee has, not who it is.
NOISE_WORDS = frozenset({
    # the payment channel
    "pos", "card", "payment", "purchase", "contactless", "debit", "credit", "visa", "mastercard", "maestro",
    "amex", "sepa", "dd", "txn", "transaction", "ref", "online", "www", "com",
    # legal forms
    "ltd", "llc", "inc", "plc", "gmbh", "sarl",
    # months (the period a bill is for)
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
    "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
})
_APOSTROPHES = re.compile("['\u2019`]")  # also the typographic one
_SEPARATORS = re.compile(r"[\W_]+")


def normalise_description(description: str) -> str:
    """The merchant name in a description, as lower-case words: accents, apostrophes and punctuation
    gone; words holding a digit (dates, card numbers, store numbers, references) and `NOISE_WORDS`
    dropped; then trailing words of one or two letters (country and state codes: "GB", "NY") while
    another word remains. "" when nothing is left."""
    text = unicodedata.normalize("NFKD", description.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = [word for word in _SEPARATORS.split(_APOSTROPHES.sub("", text))
             if word and word not in NOISE_WORDS and not any(char.isdigit() for char in word)]
    while len(words) > 1 and len(words[-1]) <= 2:
        words.pop()
    return " ".join(words)


# ---- category suggestions ----

MIN_SCORE = 70  # below it, unrelated names that share one word ("tesco london" / "london underground": 67)
AMOUNT_BONUS = 5
AMOUNT_FIT = Decimal("0.2")  # an amount fits a range widened by 20% on each side
MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class PastUse:
    """The tenant's transactions with one description in one category: how many and their amounts' range."""

    description: str
    category_id: uuid.UUID
    count: int
    min_amount: Decimal
    max_amount: Decimal


@dataclass(frozen=True, slots=True)
class Suggestion:
    category_id: uuid.UUID
    score: int  # 0..100
    uses: int  # past transactions behind the matches


@dataclass(slots=True)
class _Candidate:
    category_id: uuid.UUID
    match: float = 0.0
    uses: int = 0
    amount_fits: bool = False

    @property
    def score(self) -> int:
        return min(100, round(self.match) + (AMOUNT_BONUS if self.amount_fits else 0))


def _fits(amount: Decimal | None, use: PastUse) -> bool:
    return amount is not None and (use.min_amount * (1 - AMOUNT_FIT) <= amount <= use.max_amount * (1 + AMOUNT_FIT))


class CategoryIndex:
    """A tenant's categorised history, normalised once, to rank many descriptions against (an import)."""

    def __init__(self, history: Iterable[PastUse]) -> None:
        self._uses_by_name: dict[str, list[PastUse]] = defaultdict(list)
        for use in history:
            if name := normalise_description(use.description):
                self._uses_by_name[name].append(use)
        self._names = list(self._uses_by_name)

    def __bool__(self) -> bool:
        return bool(self._names)

    def rank(self, description: str, amount: Decimal | None, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """See `rank_categories`."""
        query = normalise_description(description)
        if not query or not self._names:
            return []
        candidates: dict[uuid.UUID, _Candidate] = {}
        for name, match, _ in process.extract(query, self._names, scorer=fuzz.token_set_ratio, limit=None,
                                              score_cutoff=MIN_SCORE):
            for use in self._uses_by_name[name]:
                candidate = candidates.setdefault(use.category_id, _Candidate(use.category_id))
                candidate.match = max(candidate.match, match)
                candidate.uses += use.count
                candidate.amount_fits = candidate.amount_fits or _fits(amount, use)
        ranked = sorted(candidates.values(),
                        key=lambda c: (-c.score, not c.amount_fits, -c.uses, str(c.category_id)))
        return [Suggestion(c.category_id, c.score, c.uses) for c in ranked[:limit]]


def rank_categories(description: str, amount: Decimal | None, history: Iterable[PastUse], *,
                    limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """The categories of `history` whose descriptions match `description`, best first, at most `limit`
    (see the module docstring for the score). An empty history, or a description with no merchant name
    left after normalising, suggests nothing."""
    if not normalise_description(description):
        return []
    return CategoryIndex(history).rank(description, amount, limit=limit)


# ---- recurring series ----

class RecurrenceInterval(StrEnum):
    weekly = "weekly"
    biweekly = "biweekly"
    monthly = "monthly"
    quarterly = "quarterly"
    yearly = "yearly"


@dataclass(frozen=True, slots=True)
class Cadence:
    """The gaps in days that count as one interval, and the step to the next date (days or months)."""

    min_gap: int
    max_gap: int
    days: int = 0
    months: int = 0


INTERVALS: dict[RecurrenceInterval, Cadence] = {
    RecurrenceInterval.weekly: Cadence(5, 9, days=7),
    RecurrenceInterval.biweekly: Cadence(11, 17, days=14),
    RecurrenceInterval.monthly: Cadence(28, 33, months=1),
    RecurrenceInterval.quarterly: Cadence(85, 95, months=3),
    RecurrenceInterval.yearly: Cadence(355, 375, months=12),
}
MIN_OCCURRENCES = 3
AMOUNT_TOLERANCE = Decimal("0.15")  # every amount of a series within 15% of its median
LOOKBACK_DAYS = 4 * 375  # three yearly occurrences, the last up to two years old


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One paid transaction of the history."""

    description: str
    currency: str
    type: TransactionType
    date: date
    amount: Decimal
    category_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Series:
    """A detected series; description, amount and category are its latest occurrence's."""

    description: str
    type: TransactionType
    category_id: uuid.UUID | None
    amount: Decimal
    currency: str
    interval: RecurrenceInterval
    occurrences: int
    last_date: date
    next_date: date


def add_months(day: date, months: int, day_of_month: int) -> date:
    """`months` calendar months after `day`, on `day_of_month` or the month's last day if shorter."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def next_date(dates: Sequence[date], interval: RecurrenceInterval) -> date:
    """The date after the last of `dates` (ascending): a fixed number of days later, or for the monthly
    intervals on the day of the month the series falls on most often (the latest of equally frequent
    days), so that a payment moved off a weekend or clamped to February does not shift the next one."""
    cadence = INTERVALS[interval]
    if cadence.days:
        return dates[-1] + timedelta(days=cadence.days)
    counts = Counter(day.day for day in dates)
    usual_day = max(reversed(dates), key=lambda day: counts[day.day]).day
    return add_months(dates[-1], cadence.months, usual_day)


def _interval_of(gap: int) -> RecurrenceInterval | None:
    return next((interval for interval, c in INTERVALS.items() if c.min_gap <= gap <= c.max_gap), None)


def _amounts_agree(amounts: Sequence[Decimal]) -> bool:
    median = statistics.median(amounts)
    return all(abs(amount - median) <= median * AMOUNT_TOLERANCE for amount in amounts)


def _latest_run(occurrences: Sequence[Occurrence]) -> tuple[RecurrenceInterval, Sequence[Occurrence]] | None:
    """The latest run of `occurrences` (ascending, one per day) that makes a series, and its interval."""
    if len(occurrences) < MIN_OCCURRENCES:
        return None
    interval = _interval_of((occurrences[-1].date - occurrences[-2].date).days)
    if interval is None:
        return None
    cadence = INTERVALS[interval]
    start = len(occurrences) - 1
    while start > 0 and cadence.min_gap <= (occurrences[start].date - occurrences[start - 1].date).days \
            <= cadence.max_gap:
        start -= 1
    run = occurrences[start:]
    while len(run) >= MIN_OCCURRENCES and not _amounts_agree([o.amount for o in run]):
        run = run[1:]
    return (interval, run) if len(run) >= MIN_OCCURRENCES else None


def detect_series(history: Iterable[Occurrence], today: date) -> list[Series]:
    """The live series of `history` (any order), by next date then description (see the module docstring)."""
    groups: dict[tuple[str, str, TransactionType], dict[date, Occurrence]] = defaultdict(dict)
    for occurrence in sorted(history, key=lambda o: (o.date, o.amount)):
        name = normalise_description(occurrence.description) or occurrence.description.casefold().strip()
        groups[(name, occurrence.currency, occurrence.type)].setdefault(occurrence.date, occurrence)
    found = []
    for by_day in groups.values():
        detected = _latest_run(list(by_day.values()))
        if detected is None:
            continue
        interval, run = detected
        last = run[-1]
        if (today - last.date).days > 2 * INTERVALS[interval].max_gap:
            continue  # it stopped
        found.append(Series(description=last.description, type=last.type, category_id=last.category_id,
                            amount=last.amount, currency=last.currency, interval=interval, occurrences=len(run),
                            last_date=last.date, next_date=next_date([o.date for o in run], interval)))
    found.sort(key=lambda series: (series.next_date, series.description))
    return found
