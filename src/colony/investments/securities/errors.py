from colony.core.errors import Conflict, NotFound, ServiceUnavailable


class SecurityNotFound(NotFound):
    code = "SECURITY_NOT_FOUND"
    message = "Security not found"


class SecurityExists(Conflict):
    code = "SECURITY_EXISTS"
    message = "A security with this symbol already exists"


class SecurityCurrencyMismatch(Conflict):
    code = "SECURITY_CURRENCY_MISMATCH"
    message = "The provider quotes this security in another currency than the one stored; nothing was changed"


class MarketDataUnavailable(ServiceUnavailable):
    """The provider failed, is unreachable, is out of budget or is not configured; stored prices stand."""

    code = "MARKET_DATA_UNAVAILABLE"
    message = "Market data is unavailable"
