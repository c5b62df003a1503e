from pydantic import BaseModel, Field


class CurrencyRead(BaseModel):
    code: str = Field(description="ISO 4217 code", examples=["USD"])
    name: str = Field(examples=["US Dollar"])
    minor_unit: int = Field(description="Decimals an amount in this currency may have (ISO 4217)", examples=[2])
    active: bool = Field(description="In ISO 4217's current list; false for a withdrawn currency the ECB's history "
                                     "quotes (e.g. EEK): recordable, but not a new base currency", examples=[True])
