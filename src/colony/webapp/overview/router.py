"""The overview: net worth over time, this month's income and spending, spending by category, and the planned
expenses to come."""

from fastapi import Response

from colony.core.deps import DatabaseDep, SessionDep
from colony.exchange_rates.errors import RateNotAvailable
from colony.webapp.deps import ViewerDep
from colony.webapp.overview import service as overview_service
from colony.webapp.routing import page_responses, page_router
from colony.webapp.templating import render

router = page_router()


@router.get("/", responses=page_responses(RateNotAvailable))
async def overview(viewer: ViewerDep, database: DatabaseDep, session: SessionDep) -> Response:
    """The overview of the signed-in person's money, in their base currency, locale and time zone."""
    figures = await overview_service.overview(database, session, viewer.tenant, viewer.fmt.today())
    return render("overview.html", viewer=viewer, current="/app/", title="Overview", figures=figures,
                  net_worth_chart=overview_service.net_worth_chart(figures.net_worth, viewer.fmt),
                  spending_chart=overview_service.spending_chart(figures.month, viewer.fmt))
