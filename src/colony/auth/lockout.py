"""The login lockout: five failed logins in a row from one client address for one email lock that address out
of that email for 15 minutes.

Counted per (address, email) and never per account: an email with no account is counted and locked exactly
like one with an account, so the answers tell nothing about which emails exist, and guesses from one address
never lock the owner out at another. The counts live in the database, which every instance shares.
"""

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth.repository import LoginFailureRepository
from colony.users import service as user_service

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


def pair_key(client_address: str, email: str) -> str:
    """The row of one (client address, email): a sha256, so neither is stored."""
    return hashlib.sha256(f"{client_address}\n{user_service.normalize_email(email)}".encode()).hexdigest()


async def seconds_locked(session: AsyncSession, key: str, now: datetime) -> int | None:
    """How long the pair stays locked (whole seconds, at least 1), or None when it may try."""
    row = await LoginFailureRepository(session).get(key)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return max(1, math.ceil((row.locked_until - now).total_seconds()))


async def record_failure(session: AsyncSession, key: str, now: datetime) -> None:
    """Count a failure; the fifth in a row locks the pair and starts a new count. Failures more than LOCKOUT
    apart are not in a row."""
    repository = LoginFailureRepository(session)
    if await repository.count_failure(key, now, counted_since=now - LOCKOUT) >= MAX_FAILURES:
        await repository.lock(key, now + LOCKOUT)


async def record_success(session: AsyncSession, key: str) -> None:
    """A successful login ends the pair's run of failures."""
    await LoginFailureRepository(session).forget(key)


async def purge(session: AsyncSession, now: datetime) -> int:
    """Delete the rows that no longer count: last failure (and so any lock) over LOCKOUT ago; how many."""
    return await LoginFailureRepository(session).delete_older_than(now - LOCKOUT)
