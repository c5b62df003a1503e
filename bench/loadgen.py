"""Load generation: wrk with a Lua script (tokens rotated per request, distinct POST bodies), or a
bounded async httpx client at the same concurrency when wrk is not available."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CONCURRENCY = 32
THREADS = 2


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses plus socket errors
    tool: str
    cpu_ms: float = 0.0  # the server process's CPU time per request, filled in by the runner

    def summary(self) -> str:
        return f"{self.rps:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, {self.errors} errors"


def ensure_wrk(log: object = print) -> str | None:
    """The path of wrk, installing Debian's package if it is missing and apt is usable."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        log("wrk is not installed and apt-get is unavailable: falling back to the httpx load generator")
        return None
    log("wrk is missing: apt-get update && apt-get install -y wrk ...")
    try:
        subprocess.run([apt, "update", "-qq"], check=True, capture_output=True, timeout=300)
        subprocess.run([apt, "install", "-y", "-qq", "wrk"], check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        log(f"could not install wrk ({exc}); falling back to the httpx load generator")
        return None
    return shutil.which("wrk")


_LUA = """
local tokens = %(tokens)s
local bodies = %(bodies)s
local method = "%(method)s"
local path = "%(path)s"
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

request = function()
  counter = counter + 1
  local slot = (counter %% #tokens) + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[slot]}
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    local body = string.gsub(bodies[slot], "__N__", tostring(tid or 0) .. "-" .. tostring(counter))
    body = string.gsub(body, "__C__", tostring(100 + (counter %% 9000)) .. "." .. tostring(10 + counter %% 90))
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
"""


def _lua_list(items: list[str]) -> str:
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unparsable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return LoadResult(rps, p50, p99, requests, errors, "wrk")


def run_wrk(wrk: str, url: str, path: str, tokens: list[str], duration: float, *, method: str = "GET",
            bodies: list[str] | None = None, workdir: Path | None = None,
            concurrency: int = CONCURRENCY) -> LoadResult:
    """wrk -t2 -c32 -d<duration>s --latency against `url` + `path`, a token per request in rotation
    (-t1 -c1 for a concurrency of 1: one request at a time, the latency of a request on an idle server).

    POST bodies are templates (one per token): `__N__` becomes a unique request number, `__C__` an amount.
    """
    script = _LUA % {"tokens": _lua_list(tokens), "bodies": _lua_list(bodies or [""] * len(tokens)),
                     "method": method, "path": path}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=workdir, delete=False) as handle:
        handle.write(script)
    command = [wrk, f"-t{min(THREADS, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--latency",
               "--timeout", "10s", "-s", handle.name, url]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=duration + 60)
    Path(handle.name).unlink(missing_ok=True)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


async def _run_httpx(url: str, path: str, tokens: list[str], duration: float, method: str,
                     bodies: list[str] | None, concurrency: int) -> LoadResult:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client:

        async def worker(wid: int) -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                slot = counter % len(tokens)
                headers = {"Authorization": f"Bearer {tokens[slot]}"}
                started = time.perf_counter()
                try:
                    if method == "POST":
                        body = (bodies or [""])[slot].replace("__N__", f"{wid}-{counter}").replace(
                            "__C__", f"{100 + counter % 9000}.{10 + counter % 90}")
                        headers["Content-Type"] = "application/json"
                        response = await client.post(path, content=body, headers=headers)
                    else:
                        response = await client.get(path, headers=headers)
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return LoadResult(len(latencies) / elapsed, statistics.median(latencies) if latencies else 0.0, p99,
                      len(latencies), errors, "httpx")


def run_load(wrk: str | None, url: str, path: str, tokens: list[str], duration: float, *, method: str = "GET",
             bodies: list[str] | None = None, concurrency: int = CONCURRENCY) -> LoadResult:
    if wrk:
        return run_wrk(wrk, url, path, tokens, duration, method=method, bodies=bodies, concurrency=concurrency)
    return asyncio.run(_run_httpx(url, path, tokens, duration, method, bodies, concurrency))
