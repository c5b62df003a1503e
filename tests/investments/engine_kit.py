"""What the engine's tests build their cases from: days numbered from 2024-01-01 (a Monday), activities of
accounts A and B in EUR by default, closes and rates by day number, carried forward."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from colony.investments.engine import Activity, Kind, PriceLookup, RateLookup, locf

D = Decimal
A, B = uuid.UUID(int=1), uuid.UUID(int=2)
X, Y = uuid.UUID(int=101), uuid.UUID(int=102)


def day(n: int) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=n)


def act(n: int, kind: Kind, *, account: uuid.UUID = A, currency: str = "EUR", **fields: Any) -> Activity:
    return Activity(id=uuid.uuid4(), account_id=account, date=day(n), kind=kind, currency=currency, **fields)


def buy(n: int, quantity: str, price: str, *, security: uuid.UUID = X, **fields: Any) -> Activity:
    return act(n, Kind.buy, security_id=security, quantity=D(quantity), price=D(price), **fields)


def sell(n: int, quantity: str, price: str, *, security: uuid.UUID = X, **fields: Any) -> Activity:
    return act(n, Kind.sell, security_id=security, quantity=D(quantity), price=D(price), **fields)


def closes(rows: dict[uuid.UUID, dict[int, str]]) -> PriceLookup:
    """Closes by security and day number, carried forward."""
    lookups = {security: locf({day(n): D(close) for n, close in table.items()}) for security, table in rows.items()}
    return lambda security, on: lookups[security](on) if security in lookups else None


def fx(rows: dict[str, dict[int, str]]) -> RateLookup:
    lookups = {currency: locf({day(n): D(rate) for n, rate in table.items()}) for currency, table in rows.items()}

    def rate(currency: str, on: dt.date) -> Decimal | None:
        found = lookups[currency](on) if currency in lookups else None
        return None if found is None else found[0]

    return rate


NO_RATES = fx({})
