"""The image's HEALTHCHECK command, run as Docker would, against a real `colony serve`."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import LiveServer, free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
IMAGE_URL = "http://127.0.0.1:8000"


def healthcheck_command() -> list[str]:
    """The exec form of the Dockerfile's HEALTHCHECK (the compose file repeats it word for word)."""
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", dockerfile, flags=re.MULTILINE)
    assert match, "the Dockerfile has no HEALTHCHECK in exec form"
    command: list[str] = json.loads(match.group(1))
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert compose["services"]["colony"]["healthcheck"]["test"] == ["CMD", *command]
    assert command[0] == "python" and IMAGE_URL in command[-1]
    return command


def run_healthcheck(base_url: str) -> int:
    _python, *arguments = healthcheck_command()
    arguments[-1] = arguments[-1].replace(IMAGE_URL, base_url)
    return subprocess.run([sys.executable, *arguments], capture_output=True, timeout=30, check=False).returncode


def test_healthcheck_passes_on_a_serving_instance(live_server: LiveServer) -> None:
    assert run_healthcheck(live_server.base_url) == 0


def test_healthcheck_fails_when_nothing_answers() -> None:
    assert run_healthcheck(f"http://127.0.0.1:{free_port()}") != 0
