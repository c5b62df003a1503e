from colony.core.domain import Domain
from colony.exchange_rates import jobs, service
from colony.exchange_rates.models import ExchangeRate
from colony.exchange_rates.router import router

domain = Domain(name="exchange_rates", routers=(router,), models=(ExchangeRate,), jobs=(jobs.REFRESH,),
                extension_points=(service.RATE_WATCHERS,))
