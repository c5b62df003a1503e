from colony.core.errors import NotFound


class PersonalTokenNotFound(NotFound):
    code = "TOKEN_NOT_FOUND"
    message = "Token not found"
