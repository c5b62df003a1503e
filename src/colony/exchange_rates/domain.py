from colony.core.domain import Domain
from colony.exchange_rates import jobs
from colony.exchange_rates.models import ExchangeRate
from colony.exchange_rates.router import router

domain = Domain(name="exchange_rates", routers=(router,), models=(ExchangeRate,), jobs=(jobs.REFRESH,))
