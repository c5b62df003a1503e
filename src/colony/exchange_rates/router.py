"""/exchange-rates: ECB reference rates from the database, their status, and the tenant's own rates."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core import clock
from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep, SettingsDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.money import CurrencyCode, NonNegativeDecimalInput
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate, Page
from colony.core.tenancy import Role
from colony.exchange_rates import service as rate_service
from colony.exchange_rates.errors import CustomRateExists, CustomRateNotFound, RateNotAvailable
from colony.exchange_rates.schemas import (
    ConversionRead,
    CustomRateCreate,
    CustomRateRead,
    CustomRateUpdate,
    RatesRead,
    RatesStatusRead,
)
from colony.users.deps import OwnerCtx, Principal, TenantCtx

router = APIRouter(prefix="/exchange-rates", tags=["exchange rates"])

_BASE = Query(description="ISO 4217 code the rates are quoted against; default: the caller's base currency")
_RULES = (" Rates are European Central Bank reference rates (units per 1 EUR), crossed through EUR for other "
          "bases and rounded to 10 decimals. A day without a fixing (weekend, TARGET holiday) uses the "
          "closest earlier fixing, at most 14 days back (or the newest fixing, for a date past the stored "
          "data); otherwise 422 RATE_NOT_AVAILABLE, as for any date before 1999-01-04 and for currencies "
          "the ECB did not quote then (e.g. CYP after 2007, ARS ever).")
_CUSTOM = ("The tenant's own rates: `1 from = rate to`, from `date` on until the pair's next rate (no 14-day "
           "limit). Every conversion of the tenant (transactions' `amount_base`, budgets, reports, accounts, the "
           "portfolio, /convert) uses them before the ECB's: the newest rate of the pair on or before the date, "
           "either way round (the other way as 1 / rate); else the ECB's rate; else, for a currency the ECB does "
           "not fix, one of the tenant's rates to a currency it does, chained with the ECB's (ARS -> EUR with a "
           "rate ARS -> USD). Rows already converted keep their `amount_base`. Everyone in the tenant reads "
           "them; only the owner writes.")
_AUTH = (Unauthorized, Forbidden)


# The fixed paths are declared before /{date}, which would otherwise capture them.
@router.get("/latest", response_model=RatesRead, summary="Latest rates",
            description="Every rate against `base` at the newest fixing stored." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def latest_rates(principal: Principal, session: SessionDep,
                       base: Annotated[CurrencyCode | None, _BASE] = None) -> RatesRead:
    return await rate_service.rates_of_day(session, base or principal.base_currency)


@router.get("/status", response_model=RatesStatusRead, summary="How fresh the rates are",
            description="The source of the rates, the newest fixing stored and its age, and how the last "
                        "refreshes went. The default source is the ECB's published files, fetched every "
                        "working day at 16:30 CET and shortly after start; without network the stored data "
                        "(at least the history bundled with Colony) keeps serving and `last_error` says why.",
            responses=error_responses(Unauthorized, validates_input=False))
async def get_status(_principal: Principal, session: SessionDep, settings: SettingsDep) -> RatesStatusRead:
    return await rate_service.status(session, settings.rates_url)


@router.get("/convert", response_model=ConversionRead, summary="Convert an amount",
            description="Converts `amount` (≥ 0, at most as many decimals as the minor unit of `from`) at the "
                        "rate of `date` (default: today, UTC); `result` is rounded half-even to the minor "
                        "unit of `to`. The caller's tenant's own rates come first (see /exchange-rates/custom; "
                        "an administrator has none)." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def convert(
    principal: Principal, session: SessionDep,
    amount: Annotated[NonNegativeDecimalInput, Query(description="Amount in `from`, e.g. 12.50")],
    from_: Annotated[CurrencyCode, Query(alias="from", description="ISO 4217 code to convert from")],
    to: Annotated[CurrencyCode, Query(description="ISO 4217 code to convert to")],
    date: Annotated[IsoDate | None, Query(description="Date of the rate (YYYY-MM-DD); default today")] = None,
) -> ConversionRead:
    tenant_id = None if principal.role is Role.admin else principal.tenant_id
    return await rate_service.convert(session, amount, from_, to, date or clock.today(), tenant_id=tenant_id)


@router.get("/custom", response_model=Page[CustomRateRead], summary="List the tenant's own rates",
            description=_CUSTOM + " Newest first.", responses=error_responses(*_AUTH))
async def list_custom_rates(
    ctx: TenantCtx, session: SessionDep, page: PageDep,
    currency: Annotated[CurrencyCode | None, Query(description="Only rates with this currency on either side")]
    = None,
) -> Page[CustomRateRead]:
    return await rate_service.list_custom(session, ctx, page, currency)


@router.post("/custom", status_code=201, response_model=CustomRateRead, summary="Add a rate of the tenant's",
             description=_CUSTOM + " One rate per pair and date: another → 409 CUSTOM_RATE_EXISTS (PATCH that "
                                   "one instead).",
             responses=error_responses(*_AUTH, CustomRateExists))
async def create_custom_rate(body: CustomRateCreate, ctx: OwnerCtx, session: SessionDep) -> CustomRateRead:
    rate = await rate_service.create_custom(session, ctx, body)
    await commit(session)
    return rate


@router.get("/custom/{custom_rate_id}", response_model=CustomRateRead, summary="One of the tenant's rates",
            responses=error_responses(*_AUTH, CustomRateNotFound))
async def get_custom_rate(custom_rate_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> CustomRateRead:
    return await rate_service.get_custom(session, ctx, custom_rate_id)


@router.patch("/custom/{custom_rate_id}", response_model=CustomRateRead, summary="Change one of the tenant's rates",
              responses=error_responses(*_AUTH, CustomRateNotFound, CustomRateExists))
async def update_custom_rate(custom_rate_id: uuid.UUID, body: CustomRateUpdate, ctx: OwnerCtx,
                             session: SessionDep) -> CustomRateRead:
    rate = await rate_service.update_custom(session, ctx, custom_rate_id, body)
    await commit(session)
    return rate


@router.delete("/custom/{custom_rate_id}", status_code=204, summary="Delete one of the tenant's rates",
               responses=error_responses(*_AUTH, CustomRateNotFound))
async def delete_custom_rate(custom_rate_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await rate_service.delete_custom(session, ctx, custom_rate_id)
    await commit(session)
    return Response(status_code=204)


@router.get("/{date}", response_model=RatesRead, summary="Rates of a date",
            description="Every rate against `base` at the closest fixing on or before `date`; the response's "
                        "`date` is the fixing's." + _RULES,
            responses=error_responses(Unauthorized, RateNotAvailable))
async def rates_of_date(date: IsoDate, principal: Principal, session: SessionDep,
                        base: Annotated[CurrencyCode | None, _BASE] = None) -> RatesRead:
    return await rate_service.rates_of_day(session, base or principal.base_currency, date)
