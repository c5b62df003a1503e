"""Registration, login, token refresh, logout and password changes."""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import refresh_tokens as refresh_token_service
from colony.auth.errors import AccountLocked, InvalidCredentials, InvalidResetToken
from colony.auth.models import PasswordResetToken
from colony.auth.repository import PasswordResetTokenRepository
from colony.auth.schemas import RegisterRequest, TokenPair
from colony.config import Settings
from colony.core import passwords, tokens
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


async def register(session: AsyncSession, data: RegisterRequest) -> UserRead:
    """A personal or business owner (never an admin: the schema accepts only those two) and its tenant."""
    return await user_service.create_user(
        session, email=data.email, password=data.password, role=Role(data.account_type),
        base_currency=data.base_currency, first_name=data.first_name, last_name=data.last_name,
    )


async def login(session: AsyncSession, settings: Settings, email: str, password: str) -> Attempt:
    """Unknown email, wrong password and inactive user all cost one hash check and answer alike."""
    account = await user_service.login_account(session, email=email)
    if account is None:
        await passwords.burn_verification(password)
        return Attempt(error=InvalidCredentials())
    locked_until = user_service.locked_until(account, utcnow())
    if locked_until is not None:
        retry_after = max(1, int((locked_until - utcnow()).total_seconds()))
        return Attempt(error=AccountLocked(headers={"Retry-After": str(retry_after)}))
    if not await passwords.verify_password(password, account.password_hash):
        await user_service.record_failed_login(session, account.user_id)
        return Attempt(error=InvalidCredentials())
    if not account.is_active:
        return Attempt(error=InvalidCredentials())
    await user_service.record_successful_login(session, account)
    return Attempt(tokens=await _issue_pair(session, settings, account.user_id))


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


async def logout(session: AsyncSession, refresh_token: str) -> None:
    await refresh_token_service.revoke_chain(session, refresh_token)


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


async def confirm_password_reset(session: AsyncSession, token: str, new_password: str) -> None:
    """Set the new password; the token, every other pending reset and every session of the user end."""
    repository = PasswordResetTokenRepository(session)
    stored = await repository.by_hash(tokens.hash_token(token))
    now = utcnow()
    if stored is None or stored.used_at is not None or stored.expires_at <= now:
        raise InvalidResetToken()
    account = await user_service.login_account(session, user_id=stored.user_id)
    if account is None or not account.is_active or not await repository.mark_used(stored.id, now):
        raise InvalidResetToken()
    await repository.use_all_of_user(account.user_id, now)
    await user_service.set_password(session, account.user_id, new_password)
    await refresh_token_service.revoke_all(session, [account.user_id])


async def change_password(session: AsyncSession, user_id: uuid.UUID, current_password: str,
                          new_password: str) -> None:
    """A new password for a signed-in user; every refresh chain ends, so other devices sign in again."""
    account = await user_service.login_account(session, user_id=user_id)
    if account is None or not await passwords.verify_password(current_password, account.password_hash):
        raise InvalidCredentials("The current password is wrong")
    await user_service.set_password(session, user_id, new_password)
    await refresh_token_service.revoke_all(session, [user_id])


async def _issue_pair(session: AsyncSession, settings: Settings, user_id: uuid.UUID,
                      family_id: uuid.UUID | None = None) -> TokenPair:
    access_token, expires_in = tokens.create_access_token(user_id, settings.signing_key,
                                                          settings.access_token_minutes)
    refresh_token = await refresh_token_service.issue(session, user_id, settings.refresh_token_days, family_id)
    return TokenPair(access_token=access_token, refresh_token=refresh_token, expires_in=expires_in)
