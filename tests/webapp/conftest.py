"""The assistant's fixtures (a scripted model on loopback) serve the web app's assistant page too."""

from tests.assistant.conftest import assistant, fake_model

__all__ = ["assistant", "fake_model"]
