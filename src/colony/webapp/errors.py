from colony.core.errors import Forbidden


class CsrfTokenInvalid(Forbidden):
    code = "CSRF_TOKEN_INVALID"
    message = "This form has expired or did not come from Colony: reload the page and try again"
