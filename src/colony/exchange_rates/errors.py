"""Errors of the exchange-rates domain."""

from colony.core.errors import RuleViolation, ServiceUnavailable


class RateNotAvailable(RuleViolation):
    code = "RATE_NOT_AVAILABLE"
    message = "No exchange rate is available for this date"


class RateSourceUnavailable(ServiceUnavailable):
    """The configured HTTP source of rates (COLONY_RATES_URL) failed or answered nonsense."""

    message = "The exchange-rate source is unavailable"
