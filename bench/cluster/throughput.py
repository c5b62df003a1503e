"""Throughput of `GET /api/v1/expenses` through HAProxy over one, two and three instances (bench/loadgen.py's
wrk run at concurrency 32), with where the CPU went during each run: the Colony instances, PostgreSQL,
HAProxy, the load generator, and the machine as a whole. On a small machine the instances stop scaling
when the cores are all busy; the table says so with the numbers instead of a bare ratio."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import loadgen
import run

from cluster.context import API, Cluster
from cluster.infra import machine_busy_seconds, postgres_cpu_seconds

SATURATED = 0.9  # share of the machine's cores busy at which the CPU, not Colony, is the limit


@dataclass
class Cores:
    colony: float
    postgres: float
    haproxy: float
    loadgen: float
    machine: float  # busy share of all cores, 0..1

    def text(self) -> str:
        return (f"cores busy: colony {self.colony:.2f}, postgres {self.postgres:.2f}, haproxy {self.haproxy:.2f}, "
                f"load generator {self.loadgen:.2f}; machine {self.machine:.0%} of {os.cpu_count()} cores")


class CpuMeter:
    def __init__(self, c: Cluster, instances: int) -> None:
        self.c, self.instances = c, c.instances[:instances]

    def _sample(self) -> tuple[float, ...]:
        children = os.times()
        busy, total = machine_busy_seconds()
        return (sum(run.cpu_seconds(i.pid) for i in self.instances),
                postgres_cpu_seconds(self.c.postgres.postmaster_pid()), run.cpu_seconds(self.c.proxy.pid),
                children.children_user + children.children_system, busy, total, time.perf_counter())

    def __enter__(self) -> CpuMeter:
        self.start = self._sample()
        return self

    def __exit__(self, *_exc: object) -> None:
        end = self._sample()
        d = [b - a for a, b in zip(self.start, end, strict=True)]
        wall = self.wall = d[6]
        self.cores = Cores(d[0] / wall, d[1] / wall, d[2] / wall, d[3] / wall, d[4] / d[5] if d[5] else 0.0)


def scaling(c: Cluster, wrk: str | None, duration: float, warmup: float) -> None:
    tokens = [c.token(t) for t in c.dataset.tenants[:32]]
    path = f"{API}/expenses"
    results: dict[int, tuple[loadgen.LoadResult, Cores]] = {}
    for n in (1, 2, 3):
        url = c.proxy.url(n)
        loadgen.run_load(wrk, url, path, tokens, warmup)
        with CpuMeter(c, n) as meter:
            result = loadgen.run_load(wrk, url, path, tokens, duration)
        per_request = meter.wall * 1000 / max(result.requests, 1)  # ms of one core busy 100% per request
        results[n] = (result, meter.cores)
        c.report.add(f"GET /expenses via HAProxy, {n} instance{'s' if n > 1 else ''}", None,
                     f"{result.summary()}; CPU per request: colony {meter.cores.colony * per_request:.2f} ms, "
                     f"postgres {meter.cores.postgres * per_request:.2f} ms; {meter.cores.text()}")
    one, three = results[1][0], results[3][0]
    ratio = three.rps / one.rps if one.rps else 0.0
    cores = results[3][1]
    saturated = cores.machine >= SATURATED
    limit = (f"limited by the machine's CPU: {cores.machine:.0%} of {os.cpu_count()} cores busy with 3 instances "
             f"(colony {cores.colony:.2f}, postgres {cores.postgres:.2f}, haproxy {cores.haproxy:.2f}, "
             f"wrk {cores.loadgen:.2f})" if saturated else
             f"the machine was not saturated ({cores.machine:.0%} busy): instances scale until PostgreSQL is busy "
             f"({cores.postgres:.2f} cores)")
    errors = sum(results[n][0].errors for n in results)
    # Scaling out must never cost throughput; beyond that it can only gain while cores are free.
    ok = errors == 0 and ratio >= 0.95 and (ratio >= 1.3 or saturated)
    c.report.add("throughput 3 instances vs 1", ok,
                 f"{three.rps:,.0f} vs {one.rps:,.0f} req/s = {ratio:.2f}x (2 instances "
                 f"{results[2][0].rps:,.0f}); {limit}; {errors} errors")
