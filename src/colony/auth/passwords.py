"""Argon2id password hashing, always off the event loop and with a cap on concurrent hashes."""

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from starlette.concurrency import run_in_threadpool

ALGORITHM = "argon2id"
_hasher = PasswordHash((Argon2Hasher(),))
# Each hash takes both cores for ~85 ms; more at once only queues inside the thread pool and starves
# every other request of threads.
_MAX_CONCURRENT_HASHES = 2
_slots: asyncio.Semaphore | None = None


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


_DUMMY_HASH = _hasher.hash("colony-dummy-password")


async def burn_verification(password: str) -> None:
    """Verify against a dummy hash, so an unknown email costs what a wrong password costs."""
    await verify_password(password, _DUMMY_HASH)
