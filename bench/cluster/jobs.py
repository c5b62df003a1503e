"""Scheduled jobs run once across instances.

Cycle generation: an active cycle and a weekly template made after it leave occurrences due that only the
hourly `cycles.materialise_templates` books; every serving instance's scheduler fires its first catch-up
60 s after its start, so the three race for the same occurrences: one claims the hour (`job_runs`) and
books them, the others skip. Their logs say what each did; the database says how many rows exist.

Rate refresh: three `colony jobs run` processes started together, as three instances whose cron fires at
the same wall-clock time. They read a local Frankfurter-style source that counts its requests and holds
its answer until the other two processes have finished: the run that took the job's advisory lock is
still inside it when the others reach the job, whatever order the processes started in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import run

from cluster.context import API, Cluster, bearer

# As `job_skipped` names it: by its lock (another instance runs it now) or by its id (ran this period).
CYCLES_JOB = ("colony.cycles.materialise_templates", "cycles.materialise_templates")
FIRST_CYCLE_RUN_DEADLINE = 180.0  # seconds after the instances' start; the first run is at +60 s
# Per 1 EUR, as JSON numbers (the source's format; Colony reads them as decimals).
RATES = '{"USD": 1.085, "GBP": 0.842, "JPY": 161.2, "CHF": 0.941}'


# ---- cycle generation, by the serving instances' own schedulers ----

def prepare_cycle_job(c: Cluster) -> tuple[uuid.UUID, int]:
    """An active cycle, then a weekly template created after it (its occurrences up to today are left to
    the job). Returns (template id, occurrences due). Call it before the instances' first run (+60 s)."""
    user = c.dataset.tenants[-5]
    headers = bearer(c.token(user))
    today = dt.date.today()
    start = today - dt.timedelta(days=20)
    cycle = _created(httpx.post(f"{c.balanced}{API}/cycles", headers=headers, timeout=30, json={
        "name": "Cluster cycle", "start_date": start.isoformat(), "income_amount": "1000.00", "currency": "USD"}))
    _created(httpx.post(f"{c.balanced}{API}/cycles/{cycle['id']}/activate", headers=headers, timeout=30), 200)
    template = _created(httpx.post(f"{c.balanced}{API}/expense-templates", headers=headers, timeout=30, json={
        "name": "Cluster weekly", "amount": "12.00", "currency": "USD", "frequency": "weekly",
        "start_date": start.isoformat(), "category_id": str(user.expense_categories[1])}))
    return uuid.UUID(template["id"]), (today - start).days // 7 + 1


def _created(response: httpx.Response, status: int = 201) -> dict[str, str]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.method} {response.request.url.path} → {response.status_code} "
                           f"{response.text[:300]}")
    return dict(response.json())


def _cycle_runs(c: Cluster) -> list[list[int | None]]:
    """Per instance, its cycle-generation runs so far: the count booked, or None for a skipped run."""
    runs: list[list[int | None]] = []
    for instance in c.instances:
        seen: list[int | None] = []
        for line in instance.logfile.read_text(errors="replace").splitlines():
            if "templates_materialised" not in line and CYCLES_JOB[1] not in line:
                continue
            event = json.loads(line)
            if event.get("event") == "templates_materialised":
                seen.append(int(event["created"]))
            elif event.get("event") == "job_skipped" and event.get("job") in CYCLES_JOB:
                seen.append(None)
        runs.append(seen)
    return runs


def scheduled_cycle_generation(c: Cluster, template_id: uuid.UUID, due: int) -> None:
    deadline = c.started_at + FIRST_CYCLE_RUN_DEADLINE
    while not all(_cycle_runs(c)) and time.monotonic() < deadline:
        time.sleep(1)
    runs = _cycle_runs(c)
    booked = sum(n or 0 for seen in runs for n in seen)
    rows = c.sql("SELECT count(*) FROM transactions WHERE template_id = $1", template_id)
    said = "; ".join(f"{i.name} " + (", ".join("skipped" if n is None else f"booked {n}" for n in seen) or "no run")
                     for i, seen in zip(c.instances, runs, strict=True))
    c.report.add("cycle generation on 3 schedulers books each occurrence once", all(runs) and booked == due == rows,
                 f"{due} occurrences due; first runs at +60 s: {said}; rows of the template: {rows}")


# ---- rate refresh, three `colony jobs run` at once ----

class FakeRates:
    """`GET /<start>..<end>?from=EUR` → every weekday in the range at RATES, after `release` is set."""

    def __init__(self) -> None:
        self.requests = 0
        self.first_request = threading.Event()
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests += 1
                fake.first_request.set()
                fake.release.wait(timeout=120)
                match = re.match(r"/(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)", self.path)
                if match is None:
                    self.send_error(404)
                    return
                start, end = (dt.date.fromisoformat(match.group(i)) for i in (1, 2))
                days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
                rates = ", ".join(f'"{d.isoformat()}": {RATES}' for d in days if d.weekday() < 5)
                body = f'{{"base": "EUR", "rates": {{{rates}}}}}'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", run.free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeRates:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _outcome(output: str, job: str) -> str:
    for line in output.splitlines():
        if line.startswith(f"{job}: "):
            return line.split(": ", 1)[1]
    return "(not run)"


def rate_refresh_once(c: Cluster) -> None:
    processes: list[subprocess.Popen[str]] = []
    with FakeRates() as source:
        env = {**c.env, "COLONY_RATES_URL": source.url}
        try:
            processes = [subprocess.Popen([run.colony_executable(), "jobs", "run"], env=env, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
                         for _ in range(3)]
            if not source.first_request.wait(timeout=120):
                raise RuntimeError("no `colony jobs run` process asked the rate source within 120 s")
            deadline = time.monotonic() + 120
            while sum(p.poll() is not None for p in processes) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            source.release.set()
            outputs = [p.communicate(timeout=120)[0] for p in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    refreshes = [_outcome(out, "exchange_rates.refresh") for out in outputs]
    ran = [o for o in refreshes if not o.startswith("skipped")]
    stored = [o for o in ran if re.match(r"\d+ rates of \d+ days stored", o)]
    c.report.add("rate refresh: 3 `colony jobs run` at once run it once", len(ran) == len(stored) == 1
                 and source.requests == 1,
                 f"{len(ran)} ran ({'; '.join(ran)}), {len(refreshes) - len(ran)} skipped (another instance held "
                 f"the lock); the rate source was asked {source.requests} time(s)")
    c.report.add("price sync", None, "not exercised: COLONY_MARKET_DATA needs the network; the job takes the same "
                                     "advisory lock (core/jobs.run_exclusively) as the two above")
