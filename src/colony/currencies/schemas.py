from pydantic import BaseModel, Field


class CurrencyRead(BaseModel):
    code: str = Field(description="ISO 4217 code", examples=["USD"])
    name: str = Field(examples=["US Dollar"])
    minor_unit: int = Field(description="Decimals an amount in this currency may have", examples=[2])
