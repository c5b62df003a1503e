"""Shapes of the CSV import's report."""

from pydantic import BaseModel, Field


class ImportRowError(BaseModel):
    row: int = Field(description="The record's number in the file, the header being row 1")
    message: str = Field(description="The column and what is wrong with it",
                         examples=["amount: must be greater than 0"])


class ImportReport(BaseModel):
    created: int = Field(description="Transactions created (0 whenever `errors` is not empty)")
    skipped_duplicates: int = Field(description="Rows already imported before (by an earlier import of the same "
                                                "rows), which create nothing")
    errors: list[ImportRowError] = Field(description="Every problem found, in row order; any error means the "
                                                     "whole file created nothing")
