from colony.core.errors import NotFound


class InstitutionNotFound(NotFound):
    code = "INSTITUTION_NOT_FOUND"
    message = "Financial institution not found"
