"""The facts the engine computes from, loaded for some accounts up to a day: their investment activity,
the money booked to them, the closes of their securities and the exchange rates into one currency."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.errors import ValidationFailed
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import PORTFOLIOS
from colony.investments.accounts.schemas import AccountRead
from colony.investments.activities import service as activity_service
from colony.investments.securities import service as security_service
from colony.investments.securities.schemas import SecurityRead
from colony.transactions import service as transaction_service

# No figure is computed day by day from before this day: older activity only builds the opening books (a
# transaction may be dated in year 1; a walk from there to today would take millions of days).
EARLIEST_DAY = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Book:
    activities: list[engine.Activity]
    securities: dict[uuid.UUID, SecurityRead]
    prices: engine.PriceLookup
    rates: engine.RateLookup
    first_date: dt.date | None  # of the first activity


async def load(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], end: dt.date, currency: str,
               *, opening: dt.date | None = None, prices_from: dt.date | None = None,
               security_id: uuid.UUID | None = None) -> Book:
    """Everything up to `end`. Closes from `prices_from` on (and the last one before it), when the caller
    values nothing earlier; only the activity of `security_id`, when the figures are about it alone."""
    account_ids = [account.id for account in accounts]
    facts = await activity_service.facts(session, tenant.tenant_id, account_ids, opening=opening)
    activities = [a for a in facts if a.date <= end]
    if security_id is not None:
        activities = [a for a in activities if a.security_id == security_id]
    else:
        bookings = await transaction_service.bookings(session, tenant.tenant_id, account_ids, until=end)
        activities += [_cash(booking, index) for index, booking in enumerate(bookings)]
    activities.sort(key=lambda a: (a.date, a.kind is not engine.Kind.opening, a.sequence))
    held = {a.security_id for a in activities if a.security_id is not None}
    securities = await security_service.by_ids(session, held)
    closes = await security_service.closes(session, held, end, since=prices_from)
    price_lookups = {security_id: engine.locf(series) for security_id, series in closes.items()}
    first = min((a.date for a in activities), default=None)
    currencies = {a.currency for a in activities} | {s.currency for s in securities.values()} | {currency}
    table = await rate_service.rate_table(session, currencies, first or end, end, tenant_id=tenant.tenant_id)

    def prices(security_id: uuid.UUID, day: dt.date) -> tuple[Decimal, dt.date] | None:
        lookup = price_lookups.get(security_id)
        return lookup(day) if lookup is not None else None

    def rates(code: str, day: dt.date) -> Decimal | None:
        conversion = table.get(code, currency, day)
        return conversion.rate if conversion is not None else None

    return Book(activities, securities, prices, rates, first)


def _cash(booking: transaction_service.Booking, index: int) -> engine.Activity:
    """A transaction booked to an investment account moves its cash: income deposits, an expense withdraws."""
    kind = engine.Kind.deposit if booking.amount > 0 else engine.Kind.withdrawal
    return engine.Activity(id=booking.id, account_id=booking.account_id, date=booking.date, kind=kind,
                           currency=booking.currency, amount=abs(booking.amount),
                           counter_account_id=booking.counter_account_id, sequence=1_000_000 + index)


async def portfolio_accounts(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID | None = None
                             ) -> list[AccountRead]:
    """The tenant's investment and retirement accounts, or the one asked for (422 if it is not one)."""
    if account_id is not None:
        account = await account_service.require(session, tenant, account_id, field="query.account_id")
        if account.type not in PORTFOLIOS:
            raise ValidationFailed("query.account_id", "not an investment or retirement account")
        return [account]
    return [a for a in await account_service.all_accounts(session, tenant.tenant_id) if a.type in PORTFOLIOS]
