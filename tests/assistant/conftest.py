"""The assistant's tests talk to a scripted model server on loopback (`fake_model.py`), never the internet."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from colony.config import Settings
from tests.assistant.fake_model import FakeModel, fake_model_server


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    with fake_model_server() as model:
        yield model


def configure(app: FastAPI, settings: Settings, url: str, **overrides: Any) -> Settings:
    """Point the app at a model server (each test builds its own rate limiter: limits of its own)."""
    values = {"llm_base_url": url, "llm_model": "fake-model", "llm_retry_backoff": 0, "llm_timeout": 5} | overrides
    configured = settings.model_copy(update=values)
    app.state.settings = configured
    app.state.assistant_rate_limiter = None
    return configured


@pytest.fixture
def assistant(app: FastAPI, settings: Settings, fake_model: FakeModel) -> Iterator[FakeModel]:
    """The app with the fake model configured, for the duration of the test."""
    configure(app, settings, fake_model.url)
    try:
        yield fake_model
    finally:
        app.state.settings = settings
        app.state.assistant_rate_limiter = None
