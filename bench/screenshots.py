"""Take the web app's screenshots (docs/screenshots/*.png) at desktop and phone width, from a fresh demo.

    .venv/bin/python bench/screenshots.py

What it does, with nothing from the internet: a temporary data directory and SQLite database, `colony demo` (a
year of money and three years of investing), a budget, a cycle and two goals added through the API, a
stand-in model on loopback (so that the assistant's page has a conversation and a proposal), `colony serve`, then
Debian's chromium-headless-shell (driven by Playwright, as the browser tests do) signs in and photographs each
page at 1280 and 390 px wide. It needs `pip install -e '.[test]'` and the browser (apt-get install
chromium-headless-shell).
"""

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "screenshots-password-1"
EMAIL = "demo@colony.local"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = {  # file name: path (the assistant's is filled in once its conversation exists)
    "sign-in": "/app/login",
    "overview": "/app/",
    "transactions": "/app/transactions",
    "budgets": "/app/budgets",
    "cycles": "/app/cycles",
    "goals": "/app/goals",
    "investments": "/app/investments",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StandInModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat server with one script: propose an expense, then say so."""

    def do_POST(self) -> None:  # the name http.server calls
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        proposing = request["messages"][-1]["role"] == "user"
        message: dict[str, object] = {"role": "assistant", "content": None if proposing else (
            "You spent the most on Housing this month. I proposed to record the lunch you mentioned: confirm it "
            "below if it is right.")}
        if proposing:
            arguments = {"amount": "14.50", "currency": "USD", "date": str(dt.date.today()),
                         "description": "Lunch with Sam", "category": "Food"}
            message["tool_calls"] = [{"id": "call_0", "type": "function", "function": {
                "name": "propose_expense", "arguments": json.dumps(arguments)}}]
        body = json.dumps({"id": "stand-in", "object": "chat.completion", "model": "stand-in",
                           "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def stand_in_model() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def colony(directory: Path, model_url: str) -> Iterator[str]:
    """A demo filled in, then served: its base URL."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COLONY_")}
    env |= {"COLONY_DATA_DIR": str(directory), "COLONY_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'demo.db'}",
            "COLONY_SECRET_KEY": "screenshots-secret-key-long-enough-for-hs256", "COLONY_MARKET_DATA": "none",
            "COLONY_LLM_BASE_URL": model_url, "COLONY_LLM_MODEL": "stand-in", "COLONY_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "colony"]
    subprocess.run([*command, "demo", "--password-stdin"], input=PASSWORD + "\n", text=True, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    with (directory / "serve.log").open("wb") as log:
        process = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def plan(base: str) -> str:
    """A budget and a cycle for this month, two goals, and a conversation: the assistant page's path."""
    today = dt.date.today()
    first = today.replace(day=1)
    with httpx.Client(base_url=f"{base}/api/v1", timeout=30) as api:
        token = api.post("/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        categories = {c["name"]: c["id"] for c in api.get("/categories", params={"size": 100}).json()["items"]}
        entries = [{"category_id": categories[name], "amount": amount}
                   for name, amount in (("Groceries", "450.00"), ("Food", "250.00"), ("Transportation", "150.00"),
                                        ("Entertainment", "120.00"), ("Bills", "300.00")) if name in categories]
        api.post("/budgets", json={"name": f"{today:%B} budget", "currency": "USD", "period_start": str(first),
                                   "period_end": str(first + dt.timedelta(days=27)), "total_amount": "2500.00",
                                   "entries": entries})
        cycle = api.post("/cycles", json={"start_date": str(first), "income_amount": "4200.00"}).json()
        api.post(f"/cycles/{cycle['id']}/activate")
        for amount, status, name in (("1250.00", "paid", "Housing"), ("89.99", "planned", "Bills"),
                                     ("64.20", "paid", "Groceries")):
            api.post("/expenses", json={"amount": amount, "currency": "USD", "date": str(first), "status": status,
                                        "description": f"{name} (cycle)", "cycle_id": cycle["id"],
                                        "category_id": categories.get(name)})
        for name, target, saved in (("Emergency fund", "6000.00", "2350.00"), ("Summer holidays", "1800.00",
                                                                                "1290.00")):
            goal = api.post("/goals", json={"name": name, "currency": "USD", "target_amount": target,
                                            "due_date": str(today.replace(year=today.year + 1))}).json()
            api.post(f"/goals/{goal['id']}/contributions", json={"amount": saved, "date": str(first)})
        conversation = api.post("/assistant/conversations", json={"title": "This month"}).json()
        api.post(f"/assistant/conversations/{conversation['id']}/messages",
                 json={"content": "Where did my money go this month? And I had lunch with Sam for 14.50."})
    return f"/app/assistant/{conversation['id']}"


def photograph(page: Page, base: str, name: str, path: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SHOTS / f"{name}-{size}.png", full_page=True)
        print(f"docs/screenshots/{name}-{size}.png")


def main() -> None:
    browser_path = shutil.which("chromium-headless-shell")
    if browser_path is None:
        sys.exit("chromium-headless-shell is not installed (on Debian: apt-get install chromium-headless-shell)")
    with tempfile.TemporaryDirectory() as temporary, stand_in_model() as model, colony(Path(temporary), model) as base:
        pages = PAGES | {"assistant": plan(base)}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browser_path)
            page = browser.new_page()
            photograph(page, base, "sign-in", pages.pop("sign-in"))
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/app/")
            for name, path in pages.items():
                photograph(page, base, name, path)
            browser.close()


if __name__ == "__main__":
    main()
