"""The README's promises and the API reference stay true."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = ROOT.parent / "shared" / "API.md"


def test_api_reference_matches_the_shared_contract() -> None:
    if not SHARED_CONTRACT.exists():
        pytest.skip(f"no shared contract beside the checkout ({SHARED_CONTRACT}) to compare with")
    assert (ROOT / "docs" / "API.md").read_text() == SHARED_CONTRACT.read_text()


def test_readme_names_the_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".venv/bin/pip install . && .venv/bin/colony serve" in readme
    assert ".venv/bin/pip install -e '.[test]' && .venv/bin/pytest" in readme
    assert "pip install --quiet -e '.[test]'" in ci and "\npytest\n" in ci
