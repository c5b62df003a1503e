"""The process's one market-data client: built on first use, so its request budget spans every request."""

from typing import Annotated

from fastapi import Depends, Request

from colony.investments.securities.market_data import MarketData, build_market_data


async def get_market_data(request: Request) -> MarketData:
    state = request.app.state
    market_data: MarketData | None = getattr(state, "market_data", None)
    if market_data is None:  # tests set their own fake before the first request
        market_data = state.market_data = build_market_data(state.settings, state.cache, state.redis)
    return market_data


MarketDataDep = Annotated[MarketData, Depends(get_market_data)]
