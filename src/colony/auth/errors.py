from colony.core.errors import BadRequest, Forbidden, Locked, Unauthorized


class TokenRevoked(Unauthorized):
    code = "TOKEN_REVOKED"
    message = "The token has been revoked"


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"
    message = "Invalid email or password"


class AccountLocked(Locked):
    code = "ACCOUNT_LOCKED"
    message = "Too many failed logins from this address: this account is locked for it for a while"


class RegistrationClosed(Forbidden):
    message = "Registration is closed on this server: an administrator creates accounts"


class InvalidResetToken(BadRequest):
    code = "INVALID_RESET_TOKEN"
    message = "The password reset token is invalid, used or expired"
