from colony.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized


class NotAuthenticated(Unauthorized):
    code = "NOT_AUTHENTICATED"
    message = "Not authenticated"


class TokenExpired(Unauthorized):
    code = "TOKEN_EXPIRED"
    message = "The token has expired"


class TokenRevoked(Unauthorized):
    code = "TOKEN_REVOKED"
    message = "The token has been revoked"


class ReadOnlyToken(Forbidden):
    message = "This personal access token may only read (its scopes lack write)"


class PersonalTokenNotAllowed(Forbidden):
    message = "Personal access tokens are managed when signed in with a password, not with such a token"


class OwnerOnly(Forbidden):
    message = "Only the account owner may do this"


class AdminOnly(Forbidden):
    message = "Only an administrator may do this"


class BusinessOnly(Forbidden):
    message = "Only a business account may do this"


class EmailAlreadyRegistered(Conflict):
    code = "EMAIL_ALREADY_REGISTERED"
    message = "This email is already registered"


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    message = "User not found"


class RoleChangeNotAllowed(BadRequest):
    code = "ROLE_CHANGE_NOT_ALLOWED"
    message = "This role change is not allowed"


class BaseCurrencySetByBusiness(BadRequest):
    code = "BASE_CURRENCY_SET_BY_BUSINESS"
    message = "A sub-user works in its business's base currency, which only the owner changes"
