"""CSRF tokens: every form and htmx request of the web app carries one, or is refused (403).

A signed double-submit token: the browser holds a random nonce in an HttpOnly cookie, and pages embed
HMAC(key, nonce, user) in their forms (`csrf_token`) and in the `X-CSRF-Token` header htmx sends. Another site
can make the browser send the cookie, but cannot read the page, so it cannot know the token; binding the
token to the signed-in user means a nonce planted by someone else (a sibling subdomain setting cookies) is
worth nothing without the victim's own page. The key is derived from COLONY_SECRET_KEY for this use alone.
"""

import base64
import hashlib
import hmac
import secrets
import uuid

NONCE_BYTES = 32
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def _key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"colony.webapp.csrf", hashlib.sha256).digest()


def token(secret_key: str, nonce: str, user_id: uuid.UUID | None) -> str:
    """The token of `nonce` for `user_id` (None before signing in: the sign-in and registration forms)."""
    message = f"{nonce}\n{user_id or ''}".encode()
    digest = hmac.new(_key(secret_key), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_valid(secret_key: str, nonce: str | None, user_id: uuid.UUID | None, given: str | None) -> bool:
    if not nonce or not given:
        return False
    return hmac.compare_digest(token(secret_key, nonce, user_id), given)
