"""What a write of transactions adds to, and takes from, the monthly totals (models.MonthlyTotal).

A transaction counts when it is paid and no leg of a transfer (what the reports count), in the month of its
date, under its type, the base currency of its `amount_base` and its category. A write nets the contributions
of the rows it removes and adds per key (`Deltas`); the repository then applies each net change with one
upsert, keys in order, so that concurrent writers lock the same rows in the same order.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from colony.transactions.models import NO_CATEGORY, Transaction, TransactionStatus, TransactionType

ZERO = Decimal(0)


class TotalKey(NamedTuple):
    month: dt.date  # its first day
    type: TransactionType
    base_currency: str
    category_id: uuid.UUID  # NO_CATEGORY for none


@dataclass(frozen=True, slots=True)
class Change:
    key: TotalKey
    total: Decimal
    count: int


def key_of(day: dt.date, tx_type: str, status: str, transfer_id: uuid.UUID | None, base_currency: str,
           category_id: uuid.UUID | None) -> TotalKey | None:
    """Where a row with these values counts; None when the reports leave it out."""
    if status != TransactionStatus.paid or transfer_id is not None:
        return None
    return TotalKey(day.replace(day=1), TransactionType(tx_type), base_currency, category_id or NO_CATEGORY)


class Deltas:
    """Net changes per key: what to add to each total and count."""

    def __init__(self) -> None:
        self._net: dict[TotalKey, tuple[Decimal, int]] = {}

    def add(self, key: TotalKey | None, total: Decimal, count: int) -> None:
        if key is not None:
            seen_total, seen_count = self._net.get(key, (ZERO, 0))
            self._net[key] = (seen_total + total, seen_count + count)

    def add_row(self, tx: Transaction, sign: int) -> None:
        """A transaction as it stands now: +1 as it is written, -1 as it is removed or before it changes."""
        key = key_of(tx.date, tx.type, tx.status, tx.transfer_id, tx.base_currency, tx.category_id)
        self.add(key, tx.amount_base * sign, sign)

    def changes(self) -> list[Change]:
        """The net changes that change something, in key order."""
        return [Change(key, total, count) for key, (total, count) in sorted(self._net.items())
                if total or count]


_KEY_COLUMNS = ("date", "type", "status", "transfer_id", "base_currency", "category_id", "amount_base")


def counting(deltas: Deltas, columns: Sequence[str], records: Iterable[Sequence[Any]],
             same: Mapping[str, Any] | None = None) -> Iterator[Sequence[Any]]:
    """`records` (tuples of `columns`, with the values of `same` too, as a bulk insert takes them) passed on
    unchanged, each added to `deltas` on its way: a bulk insert reads them once, as a stream. A column given
    nowhere is NULL, as the insert leaves it."""
    shared = dict(same or {})
    names = [*columns, *shared]
    extra = (*shared.values(), None)  # a column given nowhere: the None after the shared values
    pick = itemgetter(*(names.index(name) if name in names else len(names) for name in _KEY_COLUMNS))
    net: dict[TotalKey, list[Any]] = {}
    months: dict[dt.date, dt.date] = {}  # most rows share a few months: one replace() per day seen
    for record in records:
        day, tx_type, status, transfer_id, base_currency, category_id, amount_base = pick((*record, *extra))
        if status == TransactionStatus.paid and transfer_id is None:
            month = months.get(day) or months.setdefault(day, day.replace(day=1))
            key = TotalKey(month, tx_type, base_currency, category_id or NO_CATEGORY)
            sums = net.get(key)
            if sums is None:
                net[key] = [amount_base, 1]
            else:
                sums[0] += amount_base
                sums[1] += 1
        yield record
    for key, (total, count) in net.items():
        deltas.add(TotalKey(key.month, TransactionType(key.type), key.base_currency, key.category_id), total, count)
