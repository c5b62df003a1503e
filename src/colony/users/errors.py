from colony.core.errors import BadRequest, Conflict, NotFound


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
