"""Report shapes. Every amount is an exact decimal string in the tenant's base currency."""

import uuid

from pydantic import BaseModel, Field

from colony.core.money import DecimalString


class CategoryBreakdown(BaseModel):
    category_id: uuid.UUID | None = Field(description="null for transactions without a category")
    category_name: str = Field(description='The category\'s name; "Uncategorized" when `category_id` is null')
    total: DecimalString
    count: int
    percentage: DecimalString = Field(
        description="Share of the total of the same type in the period, 0 to 100 with 2 decimals (half-even)",
        examples=["42.50"])


class MonthlyReport(BaseModel):
    year: int
    month: int
    currency: str = Field(description="The tenant's base currency: every amount below is in it")
    total_expenses: DecimalString
    total_income: DecimalString
    net: DecimalString = Field(description="total_income - total_expenses")
    expense_count: int
    category_breakdown: list[CategoryBreakdown] = Field(
        description="Expenses of the month per category, largest first; percentages of total_expenses")


class TrendRow(BaseModel):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2024-03"])
    currency: str
    total_income: DecimalString
    total_expenses: DecimalString
    net: DecimalString


class CategoryTotalRead(CategoryBreakdown):
    currency: str
