from colony.core.domain import Domain
from colony.exchange_rates import jobs, service
from colony.exchange_rates.models import CustomRate, ExchangeRate, RateRefresh
from colony.exchange_rates.router import router

domain = Domain(name="exchange_rates", routers=(router,), models=(ExchangeRate, RateRefresh, CustomRate),
                jobs=(jobs.REFRESH,), extension_points=(service.RATE_WATCHERS, service.CUSTOM_RATE_WATCHERS))
