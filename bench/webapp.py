"""The web app's pages against the benchmark's big tenant: 100,000 transactions over a year on PostgreSQL, plus a
budget, a cycle, goals, accounts and a brokerage. Target: each page under 100 ms server-side.

Loads a fresh `colony_bench_web` database (bench/load.py: COPY), starts `colony serve --workers 1`, signs in
through the sign-in form as the big tenant, then requests each page one at a time (warm-up first). The
server-side time of each request is the `duration_ms` of its line in the server's JSON log (found by its
`X-Request-ID`); the wall time on loopback is shown beside it. Prints one table and writes it to
`bench/webapp_results.md`.

    python bench/webapp.py                 # 100,000 rows, 30 requests per page
    python bench/webapp.py --rows 20000 --requests 10 --keep
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import secrets
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import load
from run import ADMIN_DSN, Server, colony_env, loadavg, start_colony

BENCH = Path(__file__).resolve().parent
TARGET_MS = 100.0


def seed_planning(server: Server, token: str, tenant: load.Tenant, today: dt.date) -> dict[str, str]:
    """What the other pages show, through the API: a budget and a cycle of this month, goals with
    contributions, a checking account with a year of values, a brokerage with two years of buys."""
    first = today.replace(day=1)
    with httpx.Client(base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"},
                      timeout=60) as api:
        def post(path: str, body: object) -> dict:
            response = api.post(path, json=body)
            assert response.status_code in (200, 201), (path, response.status_code, response.text)
            return response.json()

        budget = post("/budgets", {"name": "This month", "currency": "USD", "period_start": str(first),
                                   "period_end": str(first + dt.timedelta(days=27)), "total_amount": "5000.00",
                                   "entries": [{"category_id": str(c), "amount": "400.00"}
                                               for c in tenant.expense_categories]})
        cycle = post("/cycles", {"start_date": str(first), "income_amount": "6000.00"})
        post(f"/cycles/{cycle['id']}/activate", {})
        for n in range(20):
            post("/expenses", {"amount": f"{10 + n}.50", "currency": "USD", "date": str(first + dt.timedelta(days=n)),
                               "description": f"Planned {n}", "status": "planned", "cycle_id": cycle["id"],
                               "category_id": str(tenant.expense_categories[n % 8])})
        for name in ("Emergency fund", "Holidays", "New bike"):
            goal = post("/goals", {"name": name, "currency": "USD", "target_amount": "5000.00"})
            for month in range(12):
                post(f"/goals/{goal['id']}/contributions", {"amount": "100.00",
                                                            "date": str(first - dt.timedelta(days=30 * month))})
        checking = post("/accounts", {"name": "Checking", "type": "checking", "currency": "USD"})
        for month in range(12):
            post(f"/accounts/{checking['id']}/values", {"date": str(first - dt.timedelta(days=30 * month)),
                                                        "balance": f"{5000 + 100 * month}.00"})
        broker = post("/accounts", {"name": "Brokerage", "type": "investment", "currency": "USD"})
        symbol = f"WEB{uuid.uuid4().hex[:6].upper()}"
        post("/securities", {"symbol": symbol, "name": "Bench ETF", "security_type": "etf", "currency": "USD"})
        start = today - dt.timedelta(days=730)
        post(f"/securities/{symbol}/prices", [{"date": str(start + dt.timedelta(days=d)), "close": f"{100 + d // 10}"}
                                              for d in range(0, 731)])
        for month in range(24):
            day = start + dt.timedelta(days=30 * month)
            post(f"/accounts/{broker['id']}/investment-transactions",
                 {"type": "buy", "date": str(day), "symbol": symbol, "quantity": "3",
                  "price": f"{100 + (30 * month) // 10}"})
        return {"budget": budget["id"], "cycle": cycle["id"]}


def sign_in(server: Server, email: str) -> httpx.Client:
    browser = httpx.Client(base_url=server.url, timeout=60)
    form = browser.get("/app/login").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = browser.post("/app/login", data={"email": email, "password": load.PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.text
    return browser


def server_times(log_path: Path, prefix: str) -> dict[str, float]:
    """duration_ms of every logged request whose id starts with `prefix`, by request id."""
    times: dict[str, float] = {}
    for line in log_path.read_text(errors="replace").splitlines():
        if prefix not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if str(record.get("request_id", "")).startswith(prefix) and "duration_ms" in record:
            times[record["request_id"]] = float(record["duration_ms"])
    return times


def logged(log_path: Path, prefix: str, count: int, timeout: float = 10) -> list[float]:
    """The server-side times of `count` requests, once their log lines are written (each is written after
    its response went out)."""
    deadline = time.monotonic() + timeout
    while True:
        times = server_times(log_path, prefix)
        if len(times) >= count or time.monotonic() > deadline:
            return list(times.values())
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="transactions of the big tenant")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--admin-dsn", default=ADMIN_DSN)
    parser.add_argument("--db-name", default="colony_bench_web")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    today = dt.datetime.now(dt.UTC).date()
    dataset = load.make_dataset(2, 100, args.rows, today)
    dsn = args.admin_dsn.rsplit("/", 1)[0] + f"/{args.db_name}"
    database_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    workdir = Path(tempfile.mkdtemp(prefix="colony-bench-web-"))
    secret = secrets.token_urlsafe(48)
    print(f"loading {dataset.rows:,} transactions into {args.db_name} (the big tenant: {args.rows:,}); logs in "
          f"{workdir}", flush=True)
    asyncio.run(load.recreate_pg_database(args.admin_dsn, args.db_name))
    server: Server | None = None
    try:
        load.upgrade_schema(database_url)
        timings = asyncio.run(load.load_pg(dsn, dataset, lambda message: print(message, flush=True)))
        print(f"  loaded in {timings['total']:.1f} s", flush=True)
        env = colony_env(database_url, secret) | {"COLONY_EMAIL_BACKEND": "file", "COLONY_EMAIL_DIR": str(workdir)}
        server = start_colony("colony", env, workdir)
        from colony.core.tokens import create_access_token

        token, _ = create_access_token(dataset.big.id, secret, 60)
        ids = seed_planning(server, token, dataset.big, today)
        pages = {
            "/app/ (overview)": "/app/",
            "/app/transactions": "/app/transactions",
            "/app/transactions?q=coffee": "/app/transactions?q=coffee",
            "/app/transactions (a category, 3 months)":
                f"/app/transactions?category_id={dataset.big.expense_categories[0]}"
                f"&start_date={today - dt.timedelta(days=90)}&end_date={today}",
            "/app/transactions?page=150": "/app/transactions?page=150",
            "/app/transactions (htmx results)": "/app/transactions?type=expense",
            "/app/budgets": "/app/budgets",
            "/app/budgets/{id}": f"/app/budgets/{ids['budget']}",
            "/app/cycles": "/app/cycles",
            "/app/goals": "/app/goals",
            "/app/investments": "/app/investments",
            "/app/assistant": "/app/assistant",
        }
        year_ago = today - dt.timedelta(days=365)
        api_paths = {  # what the slowest pages are built from, through the API: the services' own cost
            "API /transactions?q=coffee&size=25": "/api/v1/transactions?q=coffee&size=25",
            "API /transactions?size=25": "/api/v1/transactions?size=25",
            "API /portfolio": "/api/v1/portfolio",
            "API /portfolio/performance": f"/api/v1/portfolio/performance?end_date={today}",
            "API /portfolio/history (a year, monthly)":
                f"/api/v1/portfolio/history?interval=month&start_date={year_ago}&end_date={today}",
            "API /reports/net-worth": f"/api/v1/reports/net-worth?date={today}",
        }
        rows: list[tuple[str, float, float, float, float]] = []
        browser = sign_in(server, dataset.big.email)
        browser.headers["Authorization"] = f"Bearer {token}"  # for the API rows; pages read the cookies
        try:
            for label, path in (pages | api_paths).items():
                headers = {"HX-Request": "true", "HX-Target": "results"} if "htmx" in label else {}
                for _ in range(5):
                    assert browser.get(path, headers=headers).status_code == 200, path
                prefix = f"bench-web-{uuid.uuid4().hex[:8]}-"
                walls = []
                for index in range(args.requests):
                    started = time.perf_counter()
                    response = browser.get(path, headers={**headers, "X-Request-ID": f"{prefix}{index}"})
                    walls.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                served = sorted(logged(server.logfile, prefix, args.requests))
                p95 = served[min(len(served) - 1, int(len(served) * 0.95))]
                rows.append((label, statistics.median(served), p95, max(served), statistics.median(walls)))
                print(f"  {label}: p50 {rows[-1][1]:.1f} ms, p95 {p95:.1f} ms", flush=True)
        finally:
            browser.close()
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            asyncio.run(load.drop_pg_database(args.admin_dsn, args.db_name))

    lines = [f"Web app pages, the big tenant ({args.rows:,} transactions) on PostgreSQL, `colony serve --workers 1`, "
             f"{args.requests} requests per page one at a time; load average at the end: {loadavg()}.", "",
             "| page | server p50 | server p95 | server max | wall p50 | target | verdict |",
             "|---|---|---|---|---|---|---|"]
    for label, p50, p95, worst, wall in rows:
        verdict = "(reference)" if label.startswith("API") else "ok" if p50 < TARGET_MS else "OVER"
        lines.append(f"| {label} | {p50:.1f} ms | {p95:.1f} ms | {worst:.1f} ms | {wall:.1f} ms | "
                     f"< {TARGET_MS:.0f} ms | {verdict} |")
    table = "\n".join(lines) + "\n"
    print(table)
    (BENCH / "webapp_results.md").write_text(table)
    return 0 if all(p50 < TARGET_MS for label, p50, *_ in rows if not label.startswith("API")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
