"""Colony on three instances, measured: one command, one table of checks.

    .venv/bin/python bench/cluster.py [--quick] [--soak-seconds 600] [--duration 15] [--keep]

On loopback it starts its own PostgreSQL (initdb into a temporary directory, on a free port), its own
Redis, three `colony serve` processes (COLONY_ENV=production, the schema migrated once before they start
together) and HAProxy in front of them (Debian's package, installed when missing and run as root). Then it
shows, with PASS/FAIL and the numbers:

- throughput of GET /api/v1/expenses over 1, 2 and 3 instances, the ratio, and where the CPU went;
- the auth rate limit and the login lockout counted once across instances; a refresh token replayed on
  another instance refused; an idempotent create sent to three instances at once created once; a
  deactivated user refused by every instance at once; scheduled jobs run once across instances;
- faults under load: PostgreSQL, then Redis, stopped for 10 s each: 503s and never 500s, recovery without
  restarting an instance, no acknowledged write lost;
- a soak (10 minutes; --quick: 60 s) with the memory of each instance at its start and end.

Everything it started is stopped and its temporary directory removed on exit, Ctrl-C and failure included
(--keep keeps the directory and its logs). See docs/SCALING.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
import loadgen  # noqa: E402
import run  # noqa: E402
from cluster import checks, faults, jobs, throughput  # noqa: E402
from cluster.context import Cluster  # noqa: E402
from cluster.infra import HAProxy, Postgres, Redis, colony, colony_env, ensure_haproxy, log, start_instances  # noqa: E402
from cluster.report import Report  # noqa: E402

OUTAGE_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short load phases and a 60 s soak (a smoke run)")
    parser.add_argument("--soak-seconds", type=float, default=None, help="length of the soak (default 600; quick 60)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per throughput run (default 15; quick 5)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, database files)")
    args = parser.parse_args()
    duration = args.duration or (5.0 if args.quick else 15.0)
    soak_seconds = args.soak_seconds or (60.0 if args.quick else 600.0)
    tenants = 50 if args.quick else 200

    # SIGTERM (and SIGHUP) unwind like Ctrl-C does, through the `finally` that stops everything.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: sys.exit(128 + number))
    workdir = Path(tempfile.mkdtemp(prefix="colony-cluster-"))
    workdir.chmod(0o755)  # PostgreSQL runs as `postgres` inside it
    stops: list[Callable[[], None]] = []
    report = Report()
    started = time.perf_counter()
    log(f"Colony on three instances ({'quick' if args.quick else 'full'}: {duration:g} s per throughput run, "
        f"{soak_seconds:g} s soak); {os.cpu_count()} CPUs, load average {run.loadavg()}; work directory {workdir}")
    try:
        ensure_haproxy()
        wrk = loadgen.ensure_wrk(log)
        cluster = start(workdir, tenants, stops, report)
        cycle_job = jobs.prepare_cycle_job(cluster)  # before the schedulers' first run, 60 s after start

        log("throughput over 1, 2 and 3 instances ...")
        throughput.scaling(cluster, wrk, duration, warmup=2.0 if args.quick else 3.0)
        log("across instances ...")
        for check in (checks.rate_limit, checks.lockout, checks.refresh_replay, checks.idempotent_create,
                      checks.deactivation):
            guarded(report, cluster, check)
        log("scheduled jobs ...")
        guarded(report, cluster, jobs.scheduled_cycle_generation, *cycle_job)
        guarded(report, cluster, jobs.rate_refresh_once)

        log(f"faults under load: PostgreSQL, then Redis, down {OUTAGE_SECONDS:g} s each ...")
        guarded(report, cluster, faults.under_load, 5.0 if args.quick else 10.0, OUTAGE_SECONDS,
                15.0 if args.quick else 20.0)
        log(f"soak, {soak_seconds:g} s ...")
        guarded(report, cluster, faults.soak, soak_seconds)
    except KeyboardInterrupt:
        log("interrupted: stopping everything")
        report.add("run completed", False, "interrupted")
    except Exception as exc:  # a failure to start: report it, then stop what did start
        log(f"failed: {exc}")
        report.add("run completed", False, f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        for stop in reversed(stops):
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                log(f"  while stopping: {exc!r}")
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    log("")
    log(report.render())
    failed = report.failed()
    minutes = (time.perf_counter() - started) / 60
    log(f"\n{len(report.checks) - len(failed)} of {len(report.checks)} rows pass or inform, {len(failed)} fail; "
        f"{os.cpu_count()} CPUs, load average at the end {run.loadavg()}; took {minutes:.1f} min")
    return 1 if failed else 0


def start(workdir: Path, tenants: int, stops: list[Callable[[], None]], report: Report) -> Cluster:
    secret = secrets.token_urlsafe(48)
    log("PostgreSQL (initdb), Redis ...")
    postgres = Postgres(workdir)
    stops.append(postgres.stop)
    postgres.init()
    redis = Redis(workdir)
    stops.append(redis.stop)
    redis.start()

    env = colony_env(postgres.url, redis.url, secret, workdir)
    log("schema (colony db upgrade, once) and data ...")
    load.upgrade_schema(postgres.url)
    dataset = load.make_dataset(tenants, 1000, 1000, dt.datetime.now(dt.UTC).date())
    asyncio.run(load.load_pg(postgres.dsn, dataset, log))
    colony("rates", "load", env=env)
    admin = ("admin@colony.bench", secrets.token_urlsafe(16))
    colony("create-admin", "--email", admin[0], "--password-stdin", env=env, stdin=admin[1] + "\n")

    log("three colony serve processes, started together ...")
    started_at = time.monotonic()
    instances = start_instances(3, env, workdir)
    stops.extend(instance.stop for instance in instances)
    proxy = HAProxy(workdir, [instance.port for instance in instances])
    stops.append(proxy.stop)
    proxy.start()
    log(f"  instances {', '.join(i.url for i in instances)}; HAProxy {', '.join(proxy.url(n) for n in (1, 2, 3))}")
    return Cluster(workdir, postgres, redis, instances, proxy, env, secret, dataset, admin, report, started_at)


def guarded(report: Report, cluster: Cluster, check: Callable[..., None], *args: object) -> None:
    """A check that crashes is a FAIL row with its error, and the run goes on to the next."""
    try:
        check(cluster, *args)
    except Exception as exc:
        report.add(f"{check.__name__} (crashed)", False, f"{type(exc).__name__}: {str(exc)[:300]}")


if __name__ == "__main__":
    sys.exit(main())
