"""What must hold across instances: shared rate limits and lockout, single-use refresh tokens, idempotent
creates and deactivation. Each sends its requests to named instances (directly, or through
HAProxy, whose `X-Colony-Instance` header names the one that answered) and reads the outcome from the
answers and from the database."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import load

from cluster.context import API, Cluster, bearer, client, error_code, expense_body, login
from cluster.infra import INSTANCE_HEADER

AUTH_LIMIT = 20  # COLONY_AUTH_RATE_LIMIT=20/minute (infra.colony_env)


def _spread(answers: list[httpx.Response]) -> str:
    served = Counter(answer.headers.get(INSTANCE_HEADER, "?") for answer in answers)
    return ", ".join(f"{name} {count}" for name, count in sorted(served.items()))


def rate_limit(c: Cluster) -> None:
    """Three times the limit from one address, round-robin over three instances: one budget, not three."""
    sent = 3 * AUTH_LIMIT + 5
    with client(c.balanced, "127.0.0.30") as http:
        answers = [http.post(f"{API}/auth/password-reset/request", json={"email": f"nobody{i}@colony.bench"})
                   for i in range(sent)]
    accepted = sum(answer.status_code == 202 for answer in answers)
    limited = [answer for answer in answers if answer.status_code == 429]
    instances = {answer.headers.get(INSTANCE_HEADER) for answer in answers}
    ok = (accepted == AUTH_LIMIT and len(limited) == sent - AUTH_LIMIT and len(instances) == 3
          and all(answer.headers.get("Retry-After") for answer in limited))
    c.report.add("auth rate limit counted once across instances", ok,
                 f"{sent} requests from one address ({_spread(answers)}): {accepted} accepted, {len(limited)} x 429 "
                 f"(limit {AUTH_LIMIT}/minute; counted per instance, {3 * AUTH_LIMIT} would pass)")


def lockout(c: Cluster) -> None:
    """Five wrong passwords spread over the instances lock the address out on every instance."""
    user = c.dataset.tenants[-1]
    body = {"email": user.email, "password": "wrong-password-1"}
    with client(c.balanced, "127.0.0.31") as http:
        wrong = [http.post(f"{API}/auth/login", json=body) for _ in range(5)]
        right = [http.post(f"{API}/auth/login", json={**body, "password": load.PASSWORD}) for _ in range(3)]
    with client(c.balanced, "127.0.0.32") as http:
        elsewhere = http.post(f"{API}/auth/login", json={**body, "password": load.PASSWORD})
    ok = (all(a.status_code == 401 for a in wrong) and all(a.status_code == 423 for a in right)
          and len({a.headers.get(INSTANCE_HEADER) for a in right}) == 3 and elsewhere.status_code == 200)
    c.report.add("login lockout holds on every instance", ok,
                 f"5 wrong passwords ({_spread(wrong)}) → {Counter(a.status_code for a in wrong)}; then the right one "
                 f"on each instance ({_spread(right)}) → {[a.status_code for a in right]}; "
                 f"from another address → {elsewhere.status_code}")


def refresh_replay(c: Cluster) -> None:
    """A refresh token used on instance 1 and replayed on instance 2 is refused, and its chain with it."""
    user = c.dataset.tenants[-2]
    pair = login(c.balanced, user.email, load.PASSWORD, "127.0.0.33")
    first, second, third = c.instances
    used = httpx.post(f"{first.url}{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]}, timeout=30)
    replay = httpx.post(f"{second.url}{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]}, timeout=30)
    successor = used.json().get("refresh_token") if used.status_code == 200 else None
    after = httpx.post(f"{third.url}{API}/auth/refresh", json={"refresh_token": successor}, timeout=30)
    ok = (used.status_code == 200 and replay.status_code == 401 and error_code(replay) == "TOKEN_REVOKED"
          and after.status_code == 401)
    c.report.add("refresh token replayed on another instance is refused", ok,
                 f"refresh on colony1 → {used.status_code}; the same token on colony2 → {replay.status_code} "
                 f"{error_code(replay)}; the new one from colony1, on colony3 → {after.status_code} "
                 f"{error_code(after)}")


def idempotent_create(c: Cluster) -> None:
    """One Idempotency-Key sent to the three instances at the same moment creates one expense."""
    user = c.dataset.tenants[-3]
    token = c.token(user)
    key = str(uuid.uuid4())
    body = expense_body(user, f"idempotent {key}", amount="42.00")
    headers = {**bearer(token), "Idempotency-Key": key}

    def send(url: str) -> httpx.Response:
        return httpx.post(f"{url}{API}/expenses", json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(len(c.instances)) as pool:
        answers = list(pool.map(send, [instance.url for instance in c.instances]))
    replay = send(c.instances[1].url)
    reused = httpx.post(f"{c.instances[2].url}{API}/expenses", json={**body, "amount": "43.00"}, headers=headers,
                        timeout=60)
    ids = {a.json().get("id") for a in [*answers, replay] if a.status_code == 201}
    rows = c.sql("SELECT count(*) FROM transactions WHERE tenant_id = $1 AND description = $2",
                 user.id, body["description"])
    ok = (all(a.status_code == 201 for a in [*answers, replay]) and len(ids) == 1 and rows == 1
          and reused.status_code == 422 and error_code(reused) == "IDEMPOTENCY_KEY_REUSED")
    c.report.add("idempotent create sent to 3 instances at once creates once", ok,
                 f"3 concurrent POSTs, one per instance → {[a.status_code for a in answers]}, then a replay → "
                 f"{replay.status_code} ({len(ids)} distinct id); rows in the database: {rows}; the key with another "
                 f"body → {reused.status_code} {error_code(reused)}")


def deactivation(c: Cluster) -> None:
    """Every instance has just served the user (its principal is cached in Redis); an admin deactivates it
    on instance 1; at once, every instance refuses its access and refresh tokens."""
    user = c.dataset.tenants[-4]
    pair = login(c.balanced, user.email, load.PASSWORD, "127.0.0.34")
    admin = login(c.balanced, *c.admin, "127.0.0.35")
    me = f"{API}/users/me"
    before = [httpx.get(f"{i.url}{me}", headers=bearer(pair["access_token"]), timeout=30) for i in c.instances]
    patch = httpx.patch(f"{c.instances[0].url}{API}/admin/users/{user.id}", json={"is_active": False},
                        headers=bearer(admin["access_token"]), timeout=30)
    done = time.perf_counter()
    after = [httpx.get(f"{i.url}{me}", headers=bearer(pair["access_token"]), timeout=30) for i in c.instances]
    elapsed_ms = (time.perf_counter() - done) * 1000
    refresh = httpx.post(f"{c.instances[2].url}{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]},
                         timeout=30)
    ok = (all(a.status_code == 200 for a in before) and patch.status_code == 200
          and all(a.status_code == 401 for a in after) and refresh.status_code == 401)
    c.report.add("deactivated user refused by every instance at once", ok,
                 f"GET /users/me on the 3 instances → {[a.status_code for a in before]}; admin PATCH is_active=false "
                 f"→ {patch.status_code}; at once on the 3 → {[a.status_code for a in after]} "
                 f"(all within {elapsed_ms:.0f} ms); refresh on colony3 → {refresh.status_code}")

