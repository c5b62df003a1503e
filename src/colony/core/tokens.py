"""JWT access tokens (HS256), and opaque tokens (refresh, password reset, personal access) kept only as
their sha256."""

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from colony.core.clock import utcnow

ALGORITHM = "HS256"
ACCESS = "access"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    jti: str
    issued_at: datetime
    expires_at: datetime


def create_access_token(user_id: uuid.UUID, key: str, minutes: int) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds. `iat` keeps its microseconds (a NumericDate may
    be fractional): a token issued just after a password change, in the same second, must outlive it."""
    now = utcnow()
    claims = {"sub": str(user_id), "type": ACCESS, "jti": uuid.uuid4().hex, "iat": now.timestamp(),
              "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, key, algorithm=ALGORITHM), minutes * 60


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


def decode_access_token(token: str, key: str) -> AccessClaims:
    """The claims of a valid, unexpired access token. Verified signatures are remembered: every request
    carries a token, and most carry one seen moments before."""
    claims = _verified_claims(token, key)
    if claims.expires_at <= utcnow():
        raise TokenExpired
    return claims


@functools.lru_cache(maxsize=4096)
def _verified_claims(token: str, key: str) -> AccessClaims:
    """Raises (and so caches nothing) for a token that is invalid or already expired."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["sub", "iat", "exp", "jti"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid from exc
    if claims.get("type") != ACCESS:
        raise TokenInvalid
    try:
        user_id = uuid.UUID(claims["sub"])
    except (ValueError, TypeError) as exc:
        raise TokenInvalid from exc
    return AccessClaims(user_id=user_id, jti=str(claims["jti"]), issued_at=datetime.fromtimestamp(claims["iat"], UTC),
                        expires_at=datetime.fromtimestamp(claims["exp"], UTC))


OPAQUE_TOKEN_BYTES = 32


def new_opaque_token() -> str:
    return secrets.token_urlsafe(OPAQUE_TOKEN_BYTES)


PERSONAL_TOKEN_PREFIX = "colony_pat_"


def new_personal_token() -> str:
    """A personal access token: opaque, with a prefix that tells it from a JWT at a glance (and lets secret
    scanners recognise a leaked one)."""
    return PERSONAL_TOKEN_PREFIX + new_opaque_token()


def is_personal_token(token: str) -> bool:
    return token.startswith(PERSONAL_TOKEN_PREFIX)


def hash_token(token: str) -> str:
    """Opaque tokens carry 256 random bits, so a plain sha256 suffices to store them (no slow hash needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
