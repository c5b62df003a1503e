"""Fixtures of the tests that need committed data and concurrent requests."""

from tests.planning import fresh_url, live

__all__ = ["fresh_url", "live"]
