"""Registration, login, token refresh, logout and password changes."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import lockout
from colony.auth import refresh_tokens as refresh_token_service
from colony.auth.errors import AccountLocked, InvalidCredentials, InvalidResetToken, RegistrationClosed
from colony.auth.models import PasswordResetToken
from colony.auth.repository import PasswordResetTokenRepository
from colony.auth.schemas import RegisterRequest, TokenPair
from colony.config import Settings
from colony.core import passwords, tokens
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.errors import AppError
from colony.core.mail import compose
from colony.core.tenancy import Role
from colony.users import service as user_service
from colony.users.errors import NotAuthenticated
from colony.users.schemas import UserRead

RESET_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A login or a refresh: a token pair, or the error to raise once the router has committed.

    Failures write too (a failed-login count, a revoked chain), so they are returned, not raised.
    """

    tokens: TokenPair | None = None
    error: AppError | None = None

    def result(self) -> TokenPair:
        if self.error is not None:
            raise self.error
        assert self.tokens is not None
        return self.tokens


async def register(session: AsyncSession, settings: Settings, data: RegisterRequest) -> UserRead:
    """A personal or business owner (never an admin: the schema accepts only those two) and its tenant,
    unless COLONY_REGISTRATION=closed (then administrators create accounts: admin.service.create_user)."""
    if settings.registration == "closed":
        raise RegistrationClosed()
    return await user_service.create_user(
        session, email=data.email, password=data.password, role=Role(data.account_type),
        base_currency=data.base_currency, first_name=data.first_name, last_name=data.last_name,
    )


async def login(session: AsyncSession, settings: Settings, client_address: str, email: str,
                password: str) -> Attempt:
    """Tokens for the right password of an active user. Whether the email has an account changes nothing
    else: a locked (address, email) answers 423 before anything is looked up, and otherwise an unknown email,
    a wrong password and an inactive user each cost one hash verification, count one failure (lockout.py)
    and answer the same 401."""
    pair = lockout.pair_key(client_address, email)
    now = utcnow()
    locked_seconds = await lockout.seconds_locked(session, pair, now)
    if locked_seconds is not None:
        return Attempt(error=AccountLocked(headers={"Retry-After": str(locked_seconds)}))
    account = await user_service.login_account(session, email=email)
    if account is None:
        await passwords.burn_verification(password)
    elif await passwords.verify_password(password, account.password_hash) and account.is_active:
        await lockout.record_success(session, pair)
        return Attempt(tokens=await _issue_pair(session, settings, account.user_id))
    await lockout.record_failure(session, pair, now)
    return Attempt(error=InvalidCredentials())


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> Attempt:
    """Trade a refresh token for a new pair; the new refresh token continues the same chain."""
    rotation = await refresh_token_service.claim(session, refresh_token)
    if rotation.error is not None:
        return Attempt(error=rotation.error)
    assert rotation.token is not None
    account = await user_service.login_account(session, user_id=rotation.token.user_id)
    if account is None or not account.is_active:
        return Attempt(error=NotAuthenticated("Invalid refresh token"))
    return Attempt(tokens=await _issue_pair(session, settings, account.user_id,
                                            family_id=rotation.token.family_id))


async def logout(session: AsyncSession, cache: Cache, settings: Settings, refresh_token: str,
                 access_token: str | None) -> None:
    """End the refresh token's chain and the access token that made the call, at once (an expired or invalid
    access token, or a personal access token, has nothing to end here)."""
    await refresh_token_service.revoke_chain(session, refresh_token)
    if access_token is None or tokens.is_personal_token(access_token):
        return
    try:
        claims = tokens.decode_access_token(access_token, settings.signing_key)
    except tokens.TokenInvalid:
        return
    await user_service.revoke_access_token(session, cache, claims)


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> EmailMessage | None:
    """A reset mail for an active user, or None; the caller answers the same either way."""
    account = await user_service.login_account(session, email=email)
    if account is None or not account.is_active:
        return None
    token = tokens.new_opaque_token()
    await PasswordResetTokenRepository(session).add(PasswordResetToken(
        user_id=account.user_id, token_hash=tokens.hash_token(token),
        expires_at=utcnow() + RESET_TOKEN_LIFETIME,
    ))
    minutes = int(RESET_TOKEN_LIFETIME.total_seconds() // 60)
    return compose(
        sender=settings.smtp_from, to=account.email, subject="Reset your Colony password",
        body=(f"Someone (hopefully you) asked to reset the password of this Colony account.\n\n"
              f"Reset token: {token}\n\n"
              f"Send it with your new password to POST /api/v1/auth/password-reset/confirm "
              f"within {minutes} minutes. It works once.\n"
              f"If you did not ask for this, ignore this message: your password stays as it is.\n"),
    )


async def confirm_password_reset(session: AsyncSession, cache: Cache, token: str, new_password: str) -> None:
    """Set the new password; the token, every other pending reset and every token of the user end."""
    repository = PasswordResetTokenRepository(session)
    stored = await repository.by_hash(tokens.hash_token(token))
    now = utcnow()
    if stored is None or stored.used_at is not None or stored.expires_at <= now:
        raise InvalidResetToken()
    account = await user_service.login_account(session, user_id=stored.user_id)
    if account is None or not account.is_active or not await repository.mark_used(stored.id, now):
        raise InvalidResetToken()
    await repository.use_all_of_user(account.user_id, now)
    await user_service.set_password(session, cache, account.user_id, new_password)
    await refresh_token_service.revoke_all(session, [account.user_id])


async def change_password(session: AsyncSession, cache: Cache, user_id: uuid.UUID, current_password: str,
                          new_password: str) -> None:
    """A new password for a signed-in user; every token issued before it ends (this session's too), so every
    device signs in again."""
    account = await user_service.login_account(session, user_id=user_id)
    if account is None or not await passwords.verify_password(current_password, account.password_hash):
        raise InvalidCredentials("The current password is wrong")
    await user_service.set_password(session, cache, user_id, new_password)
    await refresh_token_service.revoke_all(session, [user_id])


async def _issue_pair(session: AsyncSession, settings: Settings, user_id: uuid.UUID,
                      family_id: uuid.UUID | None = None) -> TokenPair:
    access_token, expires_in = tokens.create_access_token(user_id, settings.signing_key,
                                                          settings.access_token_minutes)
    refresh_token = await refresh_token_service.issue(session, user_id, settings.refresh_token_days, family_id)
    return TokenPair(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)
