"""Argon2id password hashing, always off the event loop and with a cap on concurrent hashes.

A hash carries its own parameters, so verifying costs what hashing cost when the hash was made. Tests
hash with cheap parameters (`configure(fast=True)`, from `COLONY_FAST_PASSWORD_HASHING`, refused in
production); the real ones stay the default, and one test checks them.
"""

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

ALGORITHM = "argon2id"
STANDARD = PasswordHash((Argon2Hasher(),))  # pwdlib's defaults: ~85 ms and both cores per hash here
FAST = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))  # ~1 ms: tests only
# Each standard hash takes both cores; more at once only queues inside the thread pool and starves every
# other request of threads.
_MAX_CONCURRENT_HASHES = 2
_slots: asyncio.Semaphore | None = None
_hasher = STANDARD
_dummy_hashes: dict[int, str] = {}


def configure(*, fast: bool) -> None:
    """Choose the parameters of new hashes for this process (the app factory calls it)."""
    global _hasher
    _hasher = FAST if fast else STANDARD


def _semaphore() -> asyncio.Semaphore:
    global _slots
    if _slots is None:
        _slots = asyncio.Semaphore(_MAX_CONCURRENT_HASHES)
    return _slots


async def hash_password(password: str) -> str:
    async with _semaphore():
        return await run_in_threadpool(_hasher.hash, password)


async def verify_password(password: str, password_hash: str) -> bool:
    async with _semaphore():
        return await run_in_threadpool(_hasher.verify, password, password_hash)


async def burn_verification(password: str) -> None:
    """Verify against a dummy hash made with the current parameters, so an unknown email costs what a
    wrong password costs."""
    dummy = _dummy_hashes.get(id(_hasher))
    if dummy is None:
        dummy = _dummy_hashes[id(_hasher)] = await hash_password("colony-dummy-password")
    await verify_password(password, dummy)
