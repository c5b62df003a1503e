from colony.core.errors import NotFound


class SubUserNotFound(NotFound):
    code = "SUB_USER_NOT_FOUND"
    message = "Sub-user not found"
