"""GET /currencies: every supported currency. Public reference data: no token needed."""

from fastapi import APIRouter, Response

from colony.core.money import CURRENCIES
from colony.currencies.schemas import CurrencyRead

router = APIRouter(prefix="/currencies", tags=["currencies"])

_CURRENCIES = [CurrencyRead(code=c.code, name=c.name, minor_unit=c.minor_unit, active=c.active)
               for c in CURRENCIES.values()]


@router.get("", response_model=list[CurrencyRead], summary="List supported currencies",
            description="Code, name and minor unit (decimals allowed in amounts) of every currency Colony "
                        "accepts, sorted by code: every active ISO 4217 code that has a minor unit (precious "
                        "metals, the SDR and the testing codes aside), from ISO's published table, and the "
                        "withdrawn currencies the ECB's reference-rate history quotes (e.g. EEK, HRK), marked "
                        "`active: false`. Any of them can be recorded; a base currency (registration, "
                        "PATCH /users/me) must be active. A currency the ECB does not fix (e.g. ARS) converts "
                        "with the tenant's own rates (/exchange-rates/custom). Public: no authentication required.")
async def list_currencies(response: Response) -> list[CurrencyRead]:
    response.headers["Cache-Control"] = "public, max-age=86400"
    return _CURRENCIES
