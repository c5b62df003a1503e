"""The restore's report."""

from pydantic import BaseModel, Field


class RestoreReport(BaseModel):
    created: dict[str, int] = Field(
        description="Rows created per section, in document order; for `securities` and `security_prices`, those "
                    "this server did not have (a security is matched by symbol, a price by security and day)",
        examples=[{"categories": 12, "transactions": 1834, "budgets": 3}])
    ids_changed: int = Field(description="Rows whose id was already in use on this server and that got a new one "
                                         "(every link to them follows); 0 when restoring into another server")
    base_currency: str = Field(description="The tenant's base currency now: the document's", examples=["EUR"])
    replaced_starter_categories: int = Field(
        description="Starter categories of the new tenant that made way for the document's categories")
