"""GET /currencies: every supported currency. Public reference data: no token needed."""

from fastapi import APIRouter, Response

from colony.core.money import CURRENCIES
from colony.currencies.schemas import CurrencyRead

router = APIRouter(prefix="/currencies", tags=["currencies"])

_CURRENCIES = [CurrencyRead(code=c.code, name=c.name, minor_unit=c.minor_unit)
               for c in sorted(CURRENCIES.values(), key=lambda c: c.code)]


@router.get("", response_model=list[CurrencyRead], summary="List supported currencies",
            description="Code, name and minor unit (decimals allowed in amounts) of every currency Colony "
                        "accepts, sorted by code. Public: no authentication required. This includes "
                        "historical currencies the ECB quoted before they were replaced by the euro "
                        "(e.g. CYP), which have rates only for dates when they were quoted.")
async def list_currencies(response: Response) -> list[CurrencyRead]:
    response.headers["Cache-Control"] = "public, max-age=86400"
    return _CURRENCIES
