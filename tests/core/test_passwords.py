"""The real Argon2 parameters (every other test hashes with cheap ones), and what a hash carries."""

from collections.abc import Iterator

import pytest

from colony.core import passwords


@pytest.fixture
def real_hashing() -> Iterator[None]:
    passwords.configure(fast=False)
    yield
    passwords.configure(fast=True)


async def test_new_hashes_use_argon2id_at_its_recommended_cost(real_hashing: None) -> None:
    hashed = await passwords.hash_password("a long enough password")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert await passwords.verify_password("a long enough password", hashed)
    assert not await passwords.verify_password("another password", hashed)
    await passwords.burn_verification("anything")  # an unknown email costs a verification too


async def test_a_hash_carries_its_parameters() -> None:
    """Cheap test hashes verify whatever the process hashes new ones with."""
    cheap = await passwords.hash_password("a long enough password")
    assert cheap.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    passwords.configure(fast=False)
    try:
        assert await passwords.verify_password("a long enough password", cheap)
    finally:
        passwords.configure(fast=True)
