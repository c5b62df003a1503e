"""Fuzz the whole OpenAPI schema with schemathesis: no request may end in an undocumented 5xx.

    python bench/fuzz.py [--schemathesis PATH] [--keep] [-- <more schemathesis run options>]

Starts `colony serve` on a fresh SQLite database in a temporary directory (no network needed) and runs
`schemathesis run <server>/openapi.json --checks not_a_server_error`: every operation as a personal user,
except those that end the session; the business and admin operations as a business owner and an admin;
then each operation that ends a session with a fresh token (deactivating the user last). Then lists every
5xx the server logged, by route: a 500, or any 5xx the operation does not document, is a bug (exit 1); a
documented 502/503/504 is the contract's answer for a dependency this offline server lacks (no model for
the assistant, no market-data provider). schemathesis is not a dependency of Colony: install it apart
(`pipx install schemathesis`, or `python3 -m venv /tmp/st && /tmp/st/bin/pip install 'schemathesis>=4'`).
See README.md, "Fuzzing".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 180  # migrations and the bundled rates of a fresh database first
SESSION_ENDING = ("auth_change_password", "auth_logout", "users_deactivate_me")  # in this order, the last for good
PERSONAL = {"email": "fuzz@example.com", "password": "fuzz-password-123"}
BUSINESS = {"email": "fuzz-business@example.com", "password": "fuzz-password-123"}
ADMIN = {"email": "fuzz-admin@example.com", "password": "fuzz-password-123"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(directory: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("COLONY_")}
    env.update({
        "COLONY_ENV": "development",
        "COLONY_LOG_FORMAT": "json",
        "COLONY_DATA_DIR": str(directory / "data"),
        "COLONY_EMAIL_BACKEND": "file",
        "COLONY_MARKET_DATA": "none",  # no calls to the internet
        "COLONY_RATES_URL": "none",
        "COLONY_AUTH_RATE_LIMIT": "1000000/minute",  # the fuzzer, not the limiter, decides what is sent
        "COLONY_ASSISTANT_RATE_LIMIT": "1000000/minute",
        "COLONY_ACCESS_TOKEN_MINUTES": "1440",
    })
    return env


def start_server(directory: Path, port: int) -> subprocess.Popen[bytes]:
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "colony", "serve", "--host", HOST, "--port", str(port)],
                               env=server_env(directory), stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"colony serve exited with {process.returncode}; see {directory / 'server.log'}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    sys.exit(f"colony serve did not answer /health in {STARTUP_TIMEOUT_SECONDS}s; see {directory / 'server.log'}")


def create_admin(directory: Path) -> None:
    subprocess.run([sys.executable, "-m", "colony", "create-admin", "--email", ADMIN["email"], "--password-stdin"],
                   input=ADMIN["password"].encode(), env=server_env(directory), cwd=directory, check=True,
                   capture_output=True)


def token(base_url: str, account: dict[str, str], register: dict[str, str] | None = None) -> str:
    """An access token of `account`, registered first (with the `register` fields) unless it exists."""
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=30) as http:
        if register is not None:
            http.post("/auth/register", json=account | register)  # 409 on later calls
        login = http.post("/auth/login", json=account)
        login.raise_for_status()
        return str(login.json()["access_token"])


def run_schemathesis(command: str, base_url: str, token: str, selection: list[str], extra: list[str],
                     directory: Path) -> int:
    arguments = [command, "run", f"{base_url}/openapi.json", "--checks", "not_a_server_error",
                 "--header", f"Authorization: Bearer {token}", *selection, *extra]
    print("$", " ".join(arguments).replace(token, "<token>"), flush=True)
    return subprocess.run(arguments, cwd=directory, check=False).returncode  # its .schemathesis/ goes there


def server_errors(log_path: Path, schema: dict[str, Any]) -> tuple[Counter[str], Counter[str]]:
    """`METHOD route -> status` of every 5xx in the server's JSON log: (bugs, documented answers)."""
    bugs: Counter[str] = Counter()
    documented: Counter[str] = Counter()
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        status = int(entry.get("status", 0)) if entry.get("event") == "request" else 0
        if status < 500:
            continue
        operation = schema["paths"].get(entry["route"], {}).get(entry["method"].lower(), {})
        expected = status != 500 and str(status) in operation.get("responses", {})
        (documented if expected else bugs)[f"{entry['method']} {entry['route']} -> {status}"] += 1
    return bugs, documented


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schemathesis", default=shutil.which("schemathesis"),
                        help="the schemathesis executable (default: the one on PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database and log)")
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` options, after --")
    args = parser.parse_args()
    if not args.schemathesis:
        parser.error("schemathesis is not installed: pipx install schemathesis, or pass --schemathesis PATH")

    directory = Path(tempfile.mkdtemp(prefix="colony-fuzz-"))
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server = start_server(directory, port)
    try:
        schema = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
        create_admin(directory)
        personal, business = {"account_type": "personal"}, {"account_type": "business"}
        # (who, which operations): everything as a personal user, what only other roles may do, then each
        # operation that ends a session, with a token fetched just before its run.
        runs = [(PERSONAL, personal, ["--exclude-operation-id-regex", f"^({'|'.join(SESSION_ENDING)})$"]),
                (BUSINESS, business, ["--include-tag", "business"]),
                (ADMIN, None, ["--include-tag", "admin"]),
                *((PERSONAL, personal, ["--include-operation-id", operation_id]) for operation_id in SESSION_ENDING)]
        # schemathesis exits 1 when it found failures (documented 503s included: the log decides below).
        codes = [run_schemathesis(args.schemathesis, base_url, token(base_url, account, register), selection,
                                  args.extra, directory)
                 for account, register, selection in runs]
    finally:
        server.terminate()
        server.wait(timeout=30)
    bugs, documented = server_errors(directory / "server.log", schema)
    print(f"{sum(bugs.values())} server errors (a 500, or a 5xx the operation does not document):")
    for request, count in sorted(bugs.items()):
        print(f"  {count:5d}  {request}")
    print(f"{sum(documented.values())} documented 5xx answers (a dependency this server lacks):")
    for request, count in sorted(documented.items()):
        print(f"  {count:5d}  {request}")
    failed_to_run = any(code not in (0, 1) for code in codes)
    if failed_to_run:
        print(f"schemathesis failed to run or tested nothing (exit codes {codes})")
    if args.keep or bugs or failed_to_run:
        print(f"the server's log: {directory / 'server.log'}")
    else:
        shutil.rmtree(directory)
    return 2 if failed_to_run else 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
