from colony.core.domain import Domain
from colony.cycles import jobs, service
from colony.cycles.models import Cycle
from colony.cycles.router import router
from colony.transactions import service as transaction_service

domain = Domain(
    name="cycles",
    routers=(router,),
    models=(Cycle,),
    jobs=(jobs.MATERIALISE_TEMPLATES,),
    hooks=(transaction_service.CYCLE_GUARDS.provide(service.guard_transaction_write),),
)
