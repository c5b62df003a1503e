"""GET /exchange-rates/latest, /convert and /{date}: ECB reference rates from the database."""

from typing import Annotated

from fastapi import APIRouter, Query

from colony.core import clock
from colony.core.deps import SessionDep
from colony.core.errors import Unauthorized
from colony.core.money import CurrencyCode, NonNegativeDecimalInput
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate
from colony.exchange_rates import service as rate_service
from colony.exchange_rates.errors import RateNotAvailable
from colony.exchange_rates.schemas import ConversionRead, RatesRead
from colony.users.deps import Principal

router = APIRouter(prefix="/exchange-rates", tags=["exchange rates"])

_BASE = Query(description="ISO 4217 code the rates are quoted against; default: the caller's base currency")
_RULES = (" Rates are European Central Bank reference rates (units per 1 EUR), crossed through EUR for other "
          "bases and rounded to 10 decimals. A day without a fixing (weekend, TARGET holiday) uses the "
          "closest earlier fixing, at most 14 days back (or the newest fixing, for a date past the stored "
          "data); otherwise 422 RATE_NOT_AVAILABLE, as for any date before 1999-01-04 and for currencies "
          "the ECB did not quote then (e.g. CYP after 2007).")


# /latest and /convert are declared before /{date}, which would otherwise capture them.
@router.get("/latest", response_model=RatesRead, summary="Latest rates",
            description="Every rate against `base` at the newest fixing stored." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def latest_rates(principal: Principal, session: SessionDep,
                       base: Annotated[CurrencyCode | None, _BASE] = None) -> RatesRead:
    return await rate_service.rates_of_day(session, base or principal.base_currency)


@router.get("/convert", response_model=ConversionRead, summary="Convert an amount",
            description="Converts `amount` (≥ 0, at most as many decimals as the minor unit of `from`) at the "
                        "rate of `date` (default: today, UTC); `result` is rounded half-even to the minor "
                        "unit of `to`." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def convert(
    _principal: Principal, session: SessionDep,
    amount: Annotated[NonNegativeDecimalInput, Query(description="Amount in `from`, e.g. 12.50")],
    from_: Annotated[CurrencyCode, Query(alias="from", description="ISO 4217 code to convert from")],
    to: Annotated[CurrencyCode, Query(description="ISO 4217 code to convert to")],
    date: Annotated[IsoDate | None, Query(description="Date of the rate (YYYY-MM-DD); default today")] = None,
) -> ConversionRead:
    return await rate_service.convert(session, amount, from_, to, date or clock.today())


@router.get("/{date}", response_model=RatesRead, summary="Rates of a date",
            description="Every rate against `base` at the closest fixing on or before `date`; the response's "
                        "`date` is the fixing's." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def rates_of_date(date: IsoDate, principal: Principal, session: SessionDep,
                        base: Annotated[CurrencyCode | None, _BASE] = None) -> RatesRead:
    return await rate_service.rates_of_day(session, base or principal.base_currency, date)
