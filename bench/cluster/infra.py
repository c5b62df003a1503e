"""The cluster on loopback: a private PostgreSQL (initdb into the work directory, on a free port), a private
Redis, three `colony serve` processes and HAProxy in front of them. Every process is started here, stopped
here by its own pid, and its files live in the work directory that the caller removes.

HAProxy listens on three ports at once, balancing over the first one, two or three instances, so the
scaling runs need no reload; each answer names the instance that served it (`X-Colony-Instance`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import run  # bench/run.py: free_port, Server, colony_env, cpu_seconds

HOST = "127.0.0.1"
INSTANCE_HEADER = "X-Colony-Instance"


def log(message: str) -> None:
    print(message, flush=True)


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:g} s")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((HOST, port)) == 0


class Daemon:
    """A foreground process with its output in a log file, restartable with the same command (same port)."""

    def __init__(self, name: str, command: list[str], logfile: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.command, self.logfile, self.env = name, command, logfile, env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.logfile.open("ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                            start_new_session=True)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# ---- PostgreSQL ----

def _postgres_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries: apt-get install -y postgresql")
    return Path(found[-1]).parent


class Postgres:
    """initdb + pg_ctl into `workdir/pg`, trust auth on 127.0.0.1 only; run as `postgres` when we are root
    (PostgreSQL refuses to run as root)."""

    def __init__(self, workdir: Path) -> None:
        self.bindir = _postgres_bindir()
        self.home = workdir / "pg"
        self.datadir = self.home / "data"
        self.logfile = self.home / "postgres.log"
        self.port = run.free_port()
        self.dsn = f"postgresql://postgres@{HOST}:{self.port}/colony"
        self.url = self.dsn.replace("postgresql://", "postgresql+asyncpg://", 1)

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def init(self) -> None:
        self.home.mkdir()
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
        subprocess.run(self._as_owner([str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                                       "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        self.start()
        subprocess.run(self._as_owner([str(self.bindir / "createdb"), "-h", HOST, "-p", str(self.port),
                                       "-U", "postgres", "colony"]), check=True, capture_output=True)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.home} -c listen_addresses={HOST} -c max_connections=200 "
                   "-c shared_buffers=256MB")
        subprocess.run(self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.logfile),
                                       "-w", "-t", "60", "-o", options, "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: no checkpoint, the next start replays the WAL."""
        if not (self.datadir / "postmaster.pid").exists():
            return
        subprocess.run(self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w",
                                       "stop"]), check=False, capture_output=True)

    def postmaster_pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        return None


# ---- Redis ----

class Redis(Daemon):
    def __init__(self, workdir: Path) -> None:
        self.port = run.free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("no redis-server: apt-get install -y redis-server")
        super().__init__("redis", [binary, "--port", str(self.port), "--bind", HOST, "--save", "",
                                   "--appendonly", "no", "--dir", str(workdir)], workdir / "redis.log")

    def start(self) -> None:
        super().start()
        _wait(lambda: _port_open(self.port), 10, "redis-server")


# ---- HAProxy ----

def ensure_haproxy() -> str:
    """The haproxy binary; installed from Debian's package when missing and we are root."""
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if found:
        return found
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or apt is None:
        raise RuntimeError("HAProxy is missing; install it with: sudo apt-get install -y haproxy")
    log("haproxy is missing: apt-get install -y haproxy ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([apt, "update", "-qq"], check=True, capture_output=True, timeout=300, env=env)
    subprocess.run([apt, "install", "-y", "-qq", "haproxy"], check=True, capture_output=True, timeout=300, env=env)
    found = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(found).exists():
        raise RuntimeError("apt-get install haproxy did not provide /usr/sbin/haproxy")
    return found


HAPROXY_CONFIG = """\
global
    maxconn 4096

defaults
    mode http
    option http-keep-alive
    option forwardfor
    timeout connect 2s
    timeout client 120s
    timeout server 120s
{sections}
"""


class HAProxy(Daemon):
    """Frontend `n` (n = 1, 2, 3) balances round-robin over the first n instances. Liveness checks use
    /health, which does not touch the database: an instance whose database is down stays in rotation and
    answers its own 503, which is what the fault runs look at."""

    def __init__(self, workdir: Path, backends: list[int]) -> None:
        self.ports = [run.free_port() for _ in backends]
        sections = []
        for n, port in enumerate(self.ports, start=1):
            servers = "\n".join(f"    server colony{i} {HOST}:{backends[i - 1]} check inter 1s"
                                for i in range(1, n + 1))
            sections.append(f"\nfrontend front{n}\n    bind {HOST}:{port}\n    default_backend back{n}\n"
                            f"\nbackend back{n}\n    balance roundrobin\n    option httpchk GET /health\n"
                            f"    http-response set-header {INSTANCE_HEADER} %s\n{servers}\n")
        config = workdir / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(sections="".join(sections)))
        super().__init__("haproxy", [ensure_haproxy(), "-f", str(config), "-db"], workdir / "haproxy.log")

    def url(self, instances: int) -> str:
        return f"http://{HOST}:{self.ports[instances - 1]}"

    def start(self) -> None:
        super().start()
        for n in range(1, len(self.ports) + 1):
            _wait(lambda n=n: self._alive() and _healthy(self.url(n)), 20, f"haproxy frontend {n} (see {self.logfile})")

    def _alive(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"haproxy exited: {self.logfile.read_text()[-500:]}")
        return True


def _healthy(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    return False


# ---- Colony ----

def colony_env(database_url: str, redis_url: str, secret: str, workdir: Path) -> dict[str, str]:
    """Production settings shared by every instance: the same database, Redis and key; HAProxy (127.0.0.1)
    is the trusted proxy, so rate limits and the lockout count by the client address it forwards."""
    env = run.colony_env(database_url, secret)
    env.update({
        "COLONY_REDIS_URL": redis_url,
        "COLONY_TRUSTED_PROXIES": f"{HOST}/32",
        "COLONY_AUTH_RATE_LIMIT": "20/minute",  # the default, stated: the rate-limit check counts against it
        "COLONY_EMAIL_DIR": str(workdir / "mail"),
        "COLONY_RATES_URL": "none",
        "COLONY_MARKET_DATA": "none",
    })
    return env


def colony(*args: str, env: dict[str, str], stdin: str | None = None, timeout: float = 300
           ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([run.colony_executable(), *args], env=env, input=stdin, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"colony {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def start_instances(count: int, env: dict[str, str], workdir: Path) -> list[run.Server]:
    """`count` instances started at the same moment (the schema was migrated once before), then awaited."""
    servers = [run.Server(f"colony{i}", [run.colony_executable(), "serve", "--host", HOST, "--port", "{port}",
                                         "--workers", "1"], env, workdir) for i in range(1, count + 1)]
    for server in servers:
        server.wait_ready(timeout=120)
    return servers


# ---- where the CPU went ----

def _ticks(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])


def postgres_cpu_seconds(postmaster: int | None) -> float:
    """CPU of the postmaster's children (alive, plus those already reaped into its cutime/cstime)."""
    if postmaster is None:
        return 0.0
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:
                total += _ticks(fields)
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        total += _ticks(fields) + int(fields[13]) + int(fields[14])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick


def rss_mb(pid: int) -> float:
    return run.proc_status(pid).get("VmRSS", 0) / 1024
