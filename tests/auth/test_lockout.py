"""The login lockout: per (client address, email), alike for emails with and without an account."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import jobs, lockout
from colony.auth.models import LoginFailure
from colony.core import passwords
from colony.core.clock import utcnow
from colony.core.jobs import JobContext
from tests.auth.helpers import client_at, random_address
from tests.factories import TEST_PASSWORD, V1, error_code, register, unique_email

WRONG = "wrong password"

Attempt = Callable[[str, str], Awaitable[httpx.Response]]


@pytest.fixture
def attacker_address() -> str:
    return random_address()


@pytest.fixture
async def attacker(app: FastAPI, client: httpx.AsyncClient, attacker_address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client at an address of its own (not `client`'s), inside the test's transaction (set up by `client`)."""
    async with client_at(app, attacker_address) as http:
        yield http


def login_from(http: httpx.AsyncClient) -> Attempt:
    async def attempt(email: str, password: str) -> httpx.Response:
        return await http.post(f"{V1}/auth/login", json={"email": email, "password": password})
    return attempt


async def _row(session: AsyncSession, address: str, email: str) -> LoginFailure | None:
    key = lockout.pair_key(address, email)
    return (await session.execute(select(LoginFailure).where(LoginFailure.key == key)
                                  .execution_options(populate_existing=True))).scalar_one_or_none()


async def test_an_unknown_email_locks_at_the_sixth_attempt_like_a_known_one(
        client: httpx.AsyncClient, attacker: httpx.AsyncClient) -> None:
    known = (await register(client))["email"]
    unknown = unique_email("nobody")
    attempt = login_from(attacker)
    answers = {}
    for email, last_password in ((known, TEST_PASSWORD), (unknown, TEST_PASSWORD)):
        failures = [await attempt(email, WRONG) for _ in range(5)]
        assert [(r.status_code, error_code(r)) for r in failures] == [(401, "INVALID_CREDENTIALS")] * 5
        answers[email] = locked = await attempt(email, last_password)  # the right password, for the known one
        assert locked.status_code == 423 and error_code(locked) == "ACCOUNT_LOCKED"
        assert 15 * 60 - 5 <= int(locked.headers["retry-after"]) <= 15 * 60

    known_answer, unknown_answer = answers[known], answers[unknown]
    assert known_answer.json() == unknown_answer.json()
    assert set(known_answer.headers) == set(unknown_answer.headers)


async def test_the_owner_at_another_address_still_signs_in(client: httpx.AsyncClient,
                                                           attacker: httpx.AsyncClient) -> None:
    email = (await register(client))["email"]
    for _ in range(6):
        await login_from(attacker)(email, WRONG)
    assert (await login_from(attacker)(email, TEST_PASSWORD)).status_code == 423

    owner = await login_from(client)(email, TEST_PASSWORD)
    assert owner.status_code == 200, owner.text
    # ... and the owner's success does not unlock the attacker's address
    assert (await login_from(attacker)(email, TEST_PASSWORD)).status_code == 423


async def test_known_and_unknown_emails_cost_the_same_hash_work(
        client: httpx.AsyncClient, attacker: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Time is spent on Argon2: counting verifications compares the cost of each answer without a stopwatch."""
    verify = passwords.verify_password
    verifications = 0

    async def counting(password: str, password_hash: str) -> bool:
        nonlocal verifications
        verifications += 1
        return await verify(password, password_hash)

    known = (await register(client))["email"]
    monkeypatch.setattr(passwords, "verify_password", counting)
    attempt = login_from(attacker)

    async def costs(email: str) -> list[tuple[int, int]]:
        nonlocal verifications
        spent = []
        for _ in range(7):
            verifications = 0
            status = (await attempt(email, WRONG)).status_code
            spent.append((status, verifications))
        return spent

    expected = [(401, 1)] * 5 + [(423, 0)] * 2  # locked: answered before any lookup or hash
    assert await costs(known) == expected
    assert await costs(unique_email("nobody")) == expected


async def test_the_form_login_counts_towards_the_same_lockout(client: httpx.AsyncClient,
                                                              attacker: httpx.AsyncClient) -> None:
    email = unique_email("nobody")
    for _ in range(4):
        await login_from(attacker)(email, WRONG)
    form = await attacker.post(f"{V1}/auth/token", data={"username": email.upper(), "password": WRONG})
    assert form.status_code == 401
    assert (await login_from(attacker)(email, WRONG)).status_code == 423


async def test_a_success_ends_the_run_of_failures(client: httpx.AsyncClient, attacker: httpx.AsyncClient,
                                                  attacker_address: str, session: AsyncSession) -> None:
    email = (await register(client))["email"]
    attempt = login_from(attacker)
    for _ in range(4):
        await attempt(email, WRONG)
    row = await _row(session, attacker_address, email)
    assert row is not None and row.failures == 4
    assert (await attempt(email, TEST_PASSWORD)).status_code == 200
    assert await _row(session, attacker_address, email) is None
    for _ in range(4):
        await attempt(email, WRONG)
    assert (await attempt(email, TEST_PASSWORD)).status_code == 200


async def test_the_lock_ends_after_fifteen_minutes(client: httpx.AsyncClient, attacker: httpx.AsyncClient,
                                                   attacker_address: str, session: AsyncSession) -> None:
    email = (await register(client))["email"]
    attempt = login_from(attacker)
    for _ in range(5):
        await attempt(email, WRONG)
    row = await _row(session, attacker_address, email)
    assert row is not None and row.locked_until is not None and row.failures == 0
    assert timedelta(minutes=14) < row.locked_until - utcnow() <= timedelta(minutes=15)

    # Fifteen minutes later (moved back in the database rather than waited for), the right password works.
    row.locked_until = utcnow() - timedelta(seconds=1)
    await session.flush()
    assert (await attempt(email, TEST_PASSWORD)).status_code == 200


async def test_failures_far_apart_are_not_in_a_row(client: httpx.AsyncClient, attacker: httpx.AsyncClient,
                                                   attacker_address: str, session: AsyncSession) -> None:
    email = unique_email("nobody")
    attempt = login_from(attacker)
    for _ in range(4):
        await attempt(email, WRONG)
    row = await _row(session, attacker_address, email)
    assert row is not None
    row.last_failed_at = utcnow() - lockout.LOCKOUT - timedelta(seconds=1)
    await session.flush()

    assert (await attempt(email, WRONG)).status_code == 401  # the fifth failure, but the first of a new run
    row = await _row(session, attacker_address, email)
    assert row is not None and (row.failures, row.locked_until) == (1, None)


async def test_the_hourly_job_forgets_what_no_longer_counts(app: FastAPI, client: httpx.AsyncClient,
                                                            attacker: httpx.AsyncClient, attacker_address: str,
                                                            session: AsyncSession) -> None:
    stale, recent = unique_email("stale"), unique_email("recent")
    for email in (stale, recent):
        await login_from(attacker)(email, WRONG)
    row = await _row(session, attacker_address, stale)
    assert row is not None
    row.last_failed_at = utcnow() - lockout.LOCKOUT - timedelta(seconds=1)
    await session.flush()

    state = app.state
    deleted = await jobs.purge_login_failures(JobContext(database=state.database, http=state.http,
                                                         cache=state.cache, settings=state.settings))
    assert deleted >= 1
    assert await _row(session, attacker_address, stale) is None
    assert await _row(session, attacker_address, recent) is not None
