"""What a self-hoster gets: offline docs, a readable schema, `.env` support, every setting documented, the
licence, the package data, and an image and compose file that hold together."""

import os
import re
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import FastAPI

from colony.config import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "colony"
_ASSET_REFERENCE = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
_JS = {"text/javascript", "application/javascript"}  # both are JavaScript types a browser runs under nosniff


# --- /docs and /redoc without internet ---------------------------------------------------------------

@pytest.mark.parametrize(("page", "expected_assets"), [
    ("/docs", {"/docs/assets/swagger-ui/swagger-ui-bundle.js": _JS,
               "/docs/assets/swagger-ui/swagger-ui.css": {"text/css"},
               "/docs/assets/swagger-ui/favicon-32x32.png": {"image/png"}}),
    ("/redoc", {"/docs/assets/redoc/redoc.standalone.js": _JS,
                "/docs/assets/swagger-ui/favicon-32x32.png": {"image/png"}}),
])
async def test_docs_pages_load_every_asset_from_the_server_itself(
        client: httpx.AsyncClient, page: str, expected_assets: dict[str, set[str]]) -> None:
    html = (await client.get(page)).text
    assert not re.search(r"https?://|['\"]//", html), "the page must not reach outside the server"
    assert set(_ASSET_REFERENCE.findall(html)) == set(expected_assets)
    for url, content_types in expected_assets.items():
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in content_types, url
        assert len(asset.content) > 500, url
    assert "'/openapi.json'" in html or '"/openapi.json"' in html


async def test_docs_behind_a_path_prefix_point_under_it(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, root_path="/colony")
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        html = (await client.get("/colony/docs")).text
        assert set(_ASSET_REFERENCE.findall(html)) == {
            "/colony/docs/assets/swagger-ui/swagger-ui-bundle.js", "/colony/docs/assets/swagger-ui/swagger-ui.css",
            "/colony/docs/assets/swagger-ui/favicon-32x32.png"}
        assert "url: '/colony/openapi.json'" in html
        assert "'/colony/docs/oauth2-redirect'" in html
        assert (await client.get("/colony/docs/assets/swagger-ui/swagger-ui.css")).status_code == 200


async def test_swagger_ui_oauth2_redirect_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs/oauth2-redirect")
    assert page.status_code == 200 and "oauth2" in page.text.lower()


async def test_an_unknown_asset_is_a_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/docs/assets/swagger-ui/../../../config.py")).status_code == 404
    assert (await client.get("/docs/assets/nothing.js")).status_code == 404


def test_every_vendored_asset_ships_with_its_licence() -> None:
    for directory in ("swagger-ui", "redoc"):
        assert (PACKAGE / "static" / "docs" / directory / "LICENSE").is_file()


# --- operation ids ------------------------------------------------------------------------------------

def test_operation_ids_are_short_unique_and_readable(app: FastAPI) -> None:
    operations = {(method, path): operation["operationId"]
                  for path, item in app.openapi()["paths"].items() for method, operation in item.items()}
    ids = list(operations.values())
    duplicates = sorted({op for op in ids if ids.count(op) > 1})
    assert not duplicates, f"operation ids used twice: {duplicates}"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", op) and "api_v1" not in op for op in ids)
    assert operations[("post", "/api/v1/expenses")] == "expenses_create_expense"
    assert operations[("get", "/api/v1/transactions")] == "transactions_list_transactions"
    assert operations[("get", "/api/v1/accounts/{account_id}/investment-transactions")] == \
        "investments_list_transactions"
    assert operations[("get", "/api/v1/expense-templates/{template_id}/occurrences")] == \
        "expense_templates_get_occurrences"
    assert operations[("get", "/health")] == "operations_health"


# --- settings: .env and the one table of them ---------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("COLONY_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_read_a_dotenv_file_in_the_working_directory(clean_env: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "# read by colony\n"
        f"COLONY_DATA_DIR={clean_env / 'data'}\n"
        "COLONY_LOG_LEVEL=DEBUG\n"
        "COLONY_AUTH_RATE_LIMIT=5/minute\n"
        "COLONY_CORS_ORIGINS=https://a.example,https://b.example\n"
        "UNRELATED_VARIABLE=ignored\n")
    monkeypatch.setenv("COLONY_AUTH_RATE_LIMIT", "7/minute")  # the environment wins over the file
    settings = load_settings()
    assert settings.data_dir == clean_env / "data"
    assert settings.log_level == "DEBUG"
    assert settings.auth_rate_limit == "7/minute"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_without_a_dotenv_file_the_defaults_hold(clean_env: Path) -> None:
    assert load_settings().log_level == "INFO"


def _documented_variables() -> list[str]:
    table = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    return re.findall(r"^\| `(COLONY_[A-Z0-9_]+)` \|", table, flags=re.MULTILINE)


def test_every_setting_is_in_the_configuration_table() -> None:
    documented = _documented_variables()
    fields = {f"COLONY_{name.upper()}" for name in Settings.model_fields}
    missing = sorted(fields - set(documented))
    assert not missing, f"add these settings to docs/CONFIGURATION.md (variable | meaning | default): {missing}"
    stale = sorted(set(documented) - fields)
    assert not stale, f"docs/CONFIGURATION.md documents settings that do not exist: {stale}"
    assert len(documented) == len(set(documented)), "a setting is documented twice"
    assert "docs/CONFIGURATION.md" in (ROOT / "README.md").read_text()


# --- licence and package data -------------------------------------------------------------------------

def test_the_licence_is_the_mit_licence_pyproject_declares() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert re.search(r"Copyright \(c\) \d{4} The Colony contributors", licence)
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in licence
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"


def test_package_data_covers_every_file_beside_the_code() -> None:
    """An installed Colony (a wheel, the Docker image) has what a checkout has: assets, templates, licences."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["colony"]
    packaged = {path for pattern in patterns for path in PACKAGE.glob(pattern)}  # as setuptools globs them
    data = {path for path in PACKAGE.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts}
    assert PACKAGE / "static" / "docs" / "swagger-ui" / "swagger-ui-bundle.js" in data
    left_out = sorted(path.relative_to(PACKAGE).as_posix() for path in data - packaged)
    assert not left_out, f"add to [tool.setuptools.package-data] in pyproject.toml: {left_out}"


# --- the image and the compose file -------------------------------------------------------------------

def test_compose_runs_colony_on_postgresql_and_redis_once_they_are_healthy() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis", "colony"):
        assert services[name]["healthcheck"]["test"], name
    colony = services["colony"]
    assert colony["depends_on"] == {"postgres": {"condition": "service_healthy"},
                                    "redis": {"condition": "service_healthy"}}
    environment = colony["environment"]
    assert environment["COLONY_ENV"] == "production"
    assert environment["COLONY_DATABASE_URL"].startswith("postgresql+asyncpg://colony:")
    assert environment["COLONY_DATABASE_URL"].endswith("@postgres:5432/colony")
    assert environment["COLONY_REDIS_URL"] == "redis://redis:6379/0"
    assert "COLONY_SECRET_KEY" not in environment  # it comes from the env file, never from the compose file
    assert colony["env_file"] == [".env"]
    assert any(volume.endswith(":/var/lib/colony") for volume in colony["volumes"])
    variables = {name for name in environment if name.startswith("COLONY_")}
    assert variables <= set(_documented_variables())


def test_dockerfile_builds_a_small_non_root_image_with_a_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # continuation lines joined
    stages = re.findall(r"^FROM (python:3\.1[1-9]-slim)\b", dockerfile, flags=re.MULTILINE)
    assert len(stages) == 2, "a build stage and a runtime stage on a slim Python"
    runtime = dockerfile.split("\nFROM ")[-1]
    user = re.search(r"^USER (\S+)", runtime, flags=re.MULTILINE)
    assert user and user.group(1) not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*CMD \[\"python\"", runtime, flags=re.MULTILINE)
    assert re.search(r"^VOLUME \[\"/var/lib/colony\"\]", runtime, flags=re.MULTILINE)
    assert 'CMD ["colony", "serve", "--host", "0.0.0.0"' in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv"} <= set(ignored), "secrets and local environments stay out of the image"
