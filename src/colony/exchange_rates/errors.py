"""Errors of the exchange-rates domain."""

from colony.core.errors import Conflict, NotFound, RuleViolation, ServiceUnavailable


class RateNotAvailable(RuleViolation):
    code = "RATE_NOT_AVAILABLE"
    message = "No exchange rate is available for this date"


class RateSourceUnavailable(ServiceUnavailable):
    """The configured HTTP source of rates (COLONY_RATES_URL) failed or answered nonsense."""

    message = "The exchange-rate source is unavailable"


class CustomRateNotFound(NotFound):
    code = "CUSTOM_RATE_NOT_FOUND"
    message = "Custom exchange rate not found"


class CustomRateExists(Conflict):
    code = "CUSTOM_RATE_EXISTS"
    message = "The tenant already has a rate for this pair on this date: change that one (PATCH)"
