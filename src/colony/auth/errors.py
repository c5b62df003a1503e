from colony.core.errors import Forbidden, Unauthorized


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
