"""`Idempotency-Key` for POSTs that create money-bearing rows.

The same key from the same user within 24 h returns the first response (same status, same body) and
creates nothing; the same key with a different request (method, path or body) → 422
IDEMPOTENCY_KEY_REUSED. Keys older than 24 h are ignored and overwritten.

How it holds under concurrency: the key is claimed by inserting its row (unique on user and key)
*before* the work, inside the request's transaction, and the response is stored in that row in the
same transaction. So a key row is visible to others only together with its response. A second,
identical request that races the first one:
- on PostgreSQL, blocks on the unique index until the first commits, gets the unique violation,
  re-reads the now committed row and replays its response (if the first rolled back, the second
  claims the key and does the work itself);
- on SQLite, writers are serialised (BEGIN IMMEDIATE), so it simply finds the committed row.
409 IDEMPOTENCY_KEY_IN_PROGRESS is a fallback that only a row without a response can cause, which
this module never commits. Failed requests (4xx/5xx) roll back and store nothing: a retry runs anew.

Usage in a router (the request's one commit happens inside, before the response is returned):

    return await idem.respond(session, ctx.user_id, lambda: goal_service.create(session, ctx, body))
"""

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Header, Request, UploadFile
from pydantic import BaseModel
from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.responses import Response

from colony.core.clock import utcnow
from colony.core.db import commit
from colony.core.errors import Conflict, RuleViolation
from colony.core.models import Base, IdMixin
from colony.core.responses import dumps

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKey(IdMixin, Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of method, path and canonical body
    status_code: Mapped[int | None]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyKeyReused(RuleViolation):
    code = "IDEMPOTENCY_KEY_REUSED"
    message = "This Idempotency-Key was already used with a different request"


class IdempotencyKeyInProgress(Conflict):
    code = "IDEMPOTENCY_KEY_IN_PROGRESS"
    message = "A request with this Idempotency-Key is still being processed; retry shortly"


def canonical_body(raw: bytes) -> bytes:
    """The body as sorted, compact JSON (numbers kept exact), or the raw bytes if it isn't JSON."""
    try:
        parsed = json.loads(raw, parse_float=Decimal)
    except ValueError:
        return raw
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), default=str).encode()


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical_body(body)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class Idempotency:
    """One request's idempotency: inert without the header."""

    def __init__(self, key: str | None, request_fingerprint: str) -> None:
        self.key = key
        self.fingerprint = request_fingerprint
        self._row: IdempotencyKey | None = None

    async def respond(self, session: AsyncSession, user_id: uuid.UUID, work: Callable[[], Awaitable[Any]], *,
                      status_code: int = 201) -> Response:
        """The stored response of a key seen before; else `work()`'s result (a read schema, or content
        ready for JSON) rendered, stored with the key, committed, and returned."""
        replay = await self._start(session, user_id)
        if replay is not None:
            return replay
        result = await work()
        content = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        response = await self._finish(session, status_code, content)
        await commit(session)
        return response

    async def _start(self, session: AsyncSession, user_id: uuid.UUID) -> Response | None:
        """The stored response to replay, or None after claiming the key (or when there is no key)."""
        if self.key is None:
            return None
        for _ in range(3):
            row = (await session.execute(select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == self.key))).scalar_one_or_none()
            if row is not None:
                if row.created_at > utcnow() - TTL:
                    return self._replay(row)
                await session.delete(row)  # expired: the key is free again
                await session.flush()
            claim = IdempotencyKey(user_id=user_id, key=self.key, fingerprint=self.fingerprint)
            try:
                async with session.begin_nested():
                    session.add(claim)
            except IntegrityError:
                continue  # a concurrent request with this key committed first: read its response
            self._row = claim
            return None
        raise IdempotencyKeyInProgress()

    def _replay(self, row: IdempotencyKey) -> Response:
        if row.fingerprint != self.fingerprint:
            raise IdempotencyKeyReused()
        if row.status_code is None or row.response_body is None:
            raise IdempotencyKeyInProgress()
        return Response(row.response_body, status_code=row.status_code, media_type="application/json",
                        headers={REPLAY_HEADER: "true"})

    async def _finish(self, session: AsyncSession, status_code: int, content: Any) -> Response:
        """Render the response, and store it with the claimed key (flushed; the router commits)."""
        body = dumps(content)
        if self._row is not None:
            self._row.status_code = status_code
            self._row.response_body = body
            await session.flush()
        return Response(body, status_code=status_code, media_type="application/json")


KeyHeader = Annotated[str | None, Header(
    alias=HEADER, min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Makes the request safe to retry: the same key from the same user within 24 h returns the "
                "first response and creates nothing new")]


def for_content(request: Request, key: str | None, content: bytes) -> Idempotency:
    """The idempotency of a request whose body the route read itself (an upload)."""
    return Idempotency(key, fingerprint(request.method, request.url.path, content) if key is not None else "")


UPLOAD_CHUNK = 1024 * 1024


async def for_upload(request: Request, key: str | None, upload: UploadFile, options: bytes = b"") -> Idempotency:
    """The idempotency of an upload: its file, read once in chunks (and left at its start), and the options
    sent with it."""
    if key is None:
        return Idempotency(None, "")
    digest = hashlib.sha256()
    while chunk := await upload.read(UPLOAD_CHUNK):
        digest.update(chunk)
    await upload.seek(0)
    return for_content(request, key, digest.hexdigest().encode() + b"\x00" + options)


async def get_idempotency(request: Request, key: KeyHeader = None) -> Idempotency:
    if key is None:
        return Idempotency(None, "")
    return for_content(request, key, await request.body())


async def purge_expired(session: AsyncSession) -> int:
    """Delete keys older than the TTL (for a periodic job; lookups already ignore them)."""
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= utcnow() - TTL))
    return int(getattr(result, "rowcount", 0) or 0)


IdempotencyDep = Annotated[Idempotency, Depends(get_idempotency)]
