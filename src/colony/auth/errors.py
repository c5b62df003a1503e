from colony.core.errors import BadRequest, Locked, Unauthorized


class TokenRevoked(Unauthorized):
    code = "TOKEN_REVOKED"
    message = "The token has been revoked"


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"
    message = "Invalid email or password"


class AccountLocked(Locked):
    code = "ACCOUNT_LOCKED"
    message = "Too many failed logins: the account is locked for a while"


class InvalidResetToken(BadRequest):
    code = "INVALID_RESET_TOKEN"
    message = "The password reset token is invalid, used or expired"
