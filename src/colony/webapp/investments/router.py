"""Investments: holdings at market, cash, allocation, and performance with its method named (time-weighted
and money-weighted returns, as `GET /portfolio/performance` defines them)."""

from typing import Annotated

from fastapi import Query, Response

from colony.core.deps import DatabaseDep
from colony.exchange_rates.errors import RateNotAvailable
from colony.investments import engine
from colony.webapp.deps import ViewerDep
from colony.webapp.investments import service as investment_service
from colony.webapp.investments.service import Period
from colony.webapp.routing import page_responses, page_router
from colony.webapp.templating import render

router = page_router()


@router.get("/investments", responses=page_responses(RateNotAvailable))
async def investments(
    viewer: ViewerDep, database: DatabaseDep,
    cost_method: Annotated[engine.CostMethod, Query(description="fifo (default) or average")] = engine.CostMethod.fifo,
    period: Annotated[Period, Query(description="The performance range: all (since the first activity), ytd, "
                                                "1y")] = Period.all,
) -> Response:
    """The portfolio in the base currency: holdings, cash, allocation, and performance over `period`."""
    shown = await investment_service.investments(database, viewer.tenant, viewer.fmt.today(), cost_method, period)
    return render("investments.html", viewer=viewer, current="/app/investments", title="Investments", page=shown,
                  cost_method=cost_method, period=period, periods=list(Period),
                  allocation_chart=investment_service.allocation_chart(shown.portfolio, viewer.fmt),
                  value_chart=investment_service.value_chart(shown.history, viewer.fmt) if shown.history else None)
