"""A scripted market-data provider, in-process: for the MarketData wrapper and for syncs through the API."""

import asyncio
from datetime import date
from decimal import Decimal

from colony.investments.securities.market_data import Bar, History, SecurityInfo, Split

INFO = SecurityInfo("ACME", "Acme Corp", "stock", "NYSE", "USD")
HISTORY = History(INFO, (Bar(date(2024, 1, 2), Decimal("10.5"), None, Decimal("10"), Decimal("10.25"), 1200),
                         Bar(date(2024, 1, 3), None, None, None, Decimal("11"), None)),
                  (Split(date(2024, 1, 3), 3, 2),))
START, END = date(2024, 1, 1), date(2024, 1, 31)


class FakeProvider:
    """Answers from a script: a History is returned, an exception raised, a number slept (seconds)."""

    name = "fake"

    def __init__(self, *script: History | BaseException | float) -> None:
        self.script = list(script) or [HISTORY]
        self.calls: list[tuple[str, date | None, date]] = []

    async def history(self, symbol: str, start: date | None, end: date) -> History:
        self.calls.append((symbol, start, end))
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, BaseException):
            raise step
        if isinstance(step, float):
            await asyncio.sleep(step)
            return HISTORY
        return step

    async def info(self, symbol: str) -> SecurityInfo:
        return (await self.history(symbol, None, END)).info
