from colony.core.errors import BadRequest, Forbidden, Locked, Unauthorized


class NotAuthenticated(Unauthorized):
    code = "NOT_AUTHENTICATED"
    message = "Not authenticated"


class TokenExpired(Unauthorized):
    code = "TOKEN_EXPIRED"
    message = "The token has expired"


class TokenRevoked(Unauthorized):
    code = "TOKEN_REVOKED"
    message = "The token has been revoked"


class InvalidCredentials(Unauthorized):
    code = "INVALID_CREDENTIALS"
    message = "Invalid email or password"


class OwnerOnly(Forbidden):
    message = "Only the account owner may do this"


class AdminOnly(Forbidden):
    message = "Only an administrator may do this"


class AccountLocked(Locked):
    code = "ACCOUNT_LOCKED"
    message = "Too many failed logins: the account is locked for a while"


class InvalidResetToken(BadRequest):
    code = "INVALID_RESET_TOKEN"
    message = "The password reset token is invalid, used or expired"


class BusinessOnly(Forbidden):
    message = "Only a business account may do this"
