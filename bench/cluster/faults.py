"""Faults under a bounded load, and the soak.

The load is a closed loop of clients through HAProxy over the three instances: reads of the expense list
and creates of expenses, every answer kept with its time, its status and who gave it (Colony's JSON, or
HAProxy's own page), and the id of every create a client was told succeeded (201). While it runs,
PostgreSQL is killed (`pg_ctl stop -m immediate`, a crash: the restart replays the WAL) for the outage,
then Redis is stopped for as long. Afterwards the rows are counted: every acknowledged create must exist.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from cluster.context import API, Cluster, bearer, expense_body
from cluster.infra import rss_mb

CLIENT_TIMEOUT = 45.0  # longer than a request may wait for a connection (503 after 30 s)


@dataclass
class Answer:
    at: float  # seconds since the load started, when the answer came
    method: str
    status: int  # 0: no HTTP answer (connection error or client timeout)
    origin: str  # "colony", "haproxy" or "client"
    code: str = ""


@dataclass
class Traffic:
    c: Cluster
    concurrency: int
    post_share: float
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    answers: list[Answer] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)

    async def run(self, seconds: float | None = None) -> None:
        """Until `stop()` is called, or for `seconds`."""
        tenants = self.c.dataset.tenants[:16]
        tokens = [self.c.token(t) for t in tenants]
        counter = itertools.count()
        self.started = time.perf_counter()
        deadline = self.started + seconds if seconds is not None else float("inf")
        self.stopped = False
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(base_url=self.c.balanced, timeout=CLIENT_TIMEOUT, limits=limits) as http:

            async def worker(seed: int) -> None:
                rng = random.Random(seed)
                while time.perf_counter() < deadline and not self.stopped:
                    n = next(counter)
                    slot = rng.randrange(len(tenants))
                    if rng.random() < self.post_share:
                        amount = f"{1 + n % 500}.{n % 100:02d}"
                        body = expense_body(tenants[slot], f"load {self.tag} {n}", amount=amount)
                        await self._send(http, "POST", f"{API}/expenses", tokens[slot], body)
                    else:
                        await self._send(http, "GET", f"{API}/expenses?size=20", tokens[slot], None)

            await asyncio.gather(*(worker(i) for i in range(self.concurrency)))

    async def _send(self, http: httpx.AsyncClient, method: str, path: str, token: str, body: object) -> None:
        try:
            response = await http.request(method, path, headers=bearer(token), json=body)
        except httpx.HTTPError as exc:
            self.answers.append(Answer(self.now(), method, 0, "client", type(exc).__name__))
            await asyncio.sleep(0.05)  # a refused connection answers at once: do not spin
            return
        origin, code = "haproxy", ""
        if response.headers.get("content-type", "").startswith("application/json"):
            origin = "colony"
            if response.status_code >= 400:
                code = response.json().get("error", {}).get("code", "")
        if response.status_code == 201:
            self.acknowledged.add(response.json()["id"])
        self.answers.append(Answer(self.now(), method, response.status_code, origin, code))

    def stop(self) -> None:
        self.stopped = True

    def now(self) -> float:
        return time.perf_counter() - self.started

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.at < end]


def _counts(answers: list[Answer]) -> str:
    counted = Counter(f"{a.status}{'' if a.origin == 'colony' else ' ' + a.origin}" for a in answers)
    return ", ".join(f"{k}: {v}" for k, v in sorted(counted.items())) or "none"


def _first_ok_after(answers: list[Answer], at: float) -> float | None:
    later = [a.at for a in answers if a.at >= at and 200 <= a.status < 300]
    return min(later) - at if later else None


async def _outages(c: Cluster, traffic: Traffic, baseline: float, outage: float, recovery: float) -> dict[str, float]:
    """Runs beside the load: the timeline of the stops and starts, in the load's seconds."""
    marks: dict[str, float] = {}
    await asyncio.sleep(baseline)
    marks["pg_down"] = traffic.now()
    await asyncio.to_thread(c.postgres.stop, "immediate")
    await asyncio.sleep(outage)
    await asyncio.to_thread(c.postgres.start)
    marks["pg_up"] = traffic.now()
    await asyncio.sleep(recovery)
    marks["redis_down"] = traffic.now()
    await asyncio.to_thread(c.redis.stop)
    await asyncio.sleep(outage)
    await asyncio.to_thread(c.redis.start)
    marks["redis_up"] = traffic.now()
    await asyncio.sleep(recovery)
    traffic.stop()
    return marks


def under_load(c: Cluster, baseline: float, outage: float, recovery: float) -> None:
    traffic = Traffic(c, concurrency=8, post_share=0.3)

    async def both() -> dict[str, float]:
        _, marks = await asyncio.gather(traffic.run(), _outages(c, traffic, baseline, outage, recovery))
        return marks

    marks = asyncio.run(both())
    end = traffic.now()
    calm = traffic.between(0, marks["pg_down"])
    c.report.add("faults: load before the outages", all(200 <= a.status < 300 for a in calm),
                 f"{len(calm)} answers ({_counts(calm)})")
    for name, down, up, following in (("PostgreSQL", "pg_down", "pg_up", "redis_down"),
                                      ("Redis", "redis_down", "redis_up", None)):
        during = traffic.between(marks[down], marks[up] + 1)  # +1 s: answers to requests in flight at the restart
        # Only Colony's own answers, and no error but 503: no 500, no proxy error page, no client timeout.
        clean = all(a.origin == "colony" and (a.status < 500 or a.status == 503) for a in during)
        c.report.add(f"faults: {name} stopped {outage:g} s under load: 503s, no 500s", clean,
                     f"{len(during)} answers from the stop to 1 s after the restart: {_counts(during)}")
        window = (marks[following] if following else end) - marks[up]
        recovered = _first_ok_after(traffic.answers, marks[up])
        tail = traffic.between(marks[up] + window / 2, marks[up] + window)
        c.report.add(f"faults: recovery after {name} is back, no restart",
                     bool(tail) and all(200 <= a.status < 300 for a in tail),
                     "no 2xx after the restart" if recovered is None else
                     f"first 2xx {recovered:.2f} s after the restart; second half of the next {window:.0f} s: "
                     f"{_counts(tail)}")
    health = [httpx.get(f"{i.url}{path}", timeout=10).status_code for i in c.instances
              for path in ("/health/db", "/health/redis")]
    alive = [i.process.poll() is None for i in c.instances]
    pids = ", ".join(str(i.pid) for i in c.instances)
    c.report.add("faults: the same 3 processes serve on, both dependencies healthy",
                 all(alive) and set(health) == {200},
                 f"{sum(alive)}/3 instances alive since the start (pids {pids}); /health/db and /health/redis on "
                 f"each → {health}")
    five_hundreds = sum(a.status == 500 for a in traffic.answers)
    logged, causes = _logged_500s(c)
    c.report.add("faults: no 500 anywhere (clients and instance logs)", five_hundreds == 0 and logged == 0,
                 f"{five_hundreds} answered, {logged} logged by the instances"
                 + "".join(f"; {n} x {cause}" for cause, n in causes.most_common(3)))
    _acknowledged_writes(c, traffic, "faults")


def _logged_500s(c: Cluster) -> tuple[int, Counter[str]]:
    """500s in the instances' request log lines, and the last line of each logged unhandled error."""
    count, causes = 0, Counter[str]()
    for instance in c.instances:
        for line in instance.logfile.read_text(errors="replace").splitlines():
            if '"status":500' in line:
                count += 1
            elif '"unhandled_error"' in line:
                causes[_cause(json.loads(line).get("exception", ""))] += 1
    return count, causes


def _cause(traceback: str) -> str:
    """The exception a traceback ends with (SQLAlchemy adds a "Background on this error" line after it)."""
    lines = [line for line in traceback.splitlines() if line and not line[0].isspace()
             and not line.startswith(("(Background", "Traceback", "The above", "During handling"))]
    return lines[-1][:200] if lines else "?"


def _acknowledged_writes(c: Cluster, traffic: Traffic, label: str) -> None:
    stored = c.sql("SELECT array_agg(id::text) FROM transactions WHERE description LIKE $1",
                   f"load {traffic.tag} %") or []
    lost = traffic.acknowledged - set(stored)
    c.report.add(f"{label}: no acknowledged write lost", not lost,
                 f"{len(traffic.acknowledged)} creates answered 201, {len(stored)} rows stored, {len(lost)} missing "
                 f"({len(set(stored) - traffic.acknowledged)} stored without a 201 reaching the client)")


def soak(c: Cluster, seconds: float) -> None:
    traffic = Traffic(c, concurrency=4, post_share=0.2)
    samples: list[tuple[float, list[float]]] = []

    async def sample() -> None:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            samples.append((time.perf_counter() - start, [rss_mb(i.pid) for i in c.instances]))
            await asyncio.sleep(min(10.0, seconds / 20))
        samples.append((time.perf_counter() - start, [rss_mb(i.pid) for i in c.instances]))

    async def both() -> None:
        await asyncio.gather(traffic.run(seconds), sample())

    asyncio.run(both())
    # The first tenth warms caches and pools (statement caches, connections); flat means flat after it.
    warm = next(s for s in samples if s[0] >= seconds / 10)
    last = samples[-1]
    growth = [end - start for start, end in zip(warm[1], last[1], strict=True)]
    per_instance = "; ".join(f"{i.name} {a:.1f} → {b:.1f} MB (start {s:.1f}, peak {max(x[1][k] for x in samples):.1f})"
                             for k, (i, s, a, b) in enumerate(zip(c.instances, samples[0][1], warm[1], last[1],
                                                                  strict=True)))
    requests = len(traffic.answers)
    bad = [a for a in traffic.answers if not 200 <= a.status < 300]
    c.report.add(f"soak {seconds / 60:.1f} min: memory flat per instance", max(growth) <= 16,
                 f"RSS from {warm[0]:.0f} s to the end: {per_instance}; largest growth {max(growth):.1f} MB "
                 f"(limit 16 MB)")
    c.report.add(f"soak {seconds / 60:.1f} min: every request answered 2xx", not bad,
                 f"{requests:,} requests ({requests / seconds:,.0f}/s), {_counts(bad) if bad else 'no errors'}")
    _acknowledged_writes(c, traffic, "soak")
