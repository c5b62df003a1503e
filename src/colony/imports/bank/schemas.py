"""Shapes of the bank imports: the CSV mapping, the import record, its report."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from colony.core.schemas import Schema
from colony.imports.bank.formats.values import DateFormat
from colony.imports.bank.models import ImportFormat, ImportStatus

REPORT_LIMIT = 1_000  # skipped rows and errors an import's record (or a 422) lists; the counts count them all


class ColumnRole(StrEnum):
    date = "date"
    amount = "amount"  # signed (or unsigned with a `type` column)
    debit = "debit"  # money out, in a column of its own
    credit = "credit"  # money in, in a column of its own
    type = "type"  # expense/income, debit/credit, D/C, DR/CR, S/H (Soll/Haben), Af/Bij
    currency = "currency"
    payee = "payee"  # who was paid or paid: the description when present
    description = "description"  # purpose, memo, reference: the description, or the notes beside a payee
    notes = "notes"
    category = "category"  # a category name of the tenant
    bank_id = "bank_id"  # the bank's id of the transaction: re-imports skip it


class CsvMapping(Schema):
    """How to read a bank's CSV file. Every field left out is detected from the file; the import's record
    shows the whole mapping it used, so a wrong guess can be corrected by sending it back amended."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False)

    columns: dict[ColumnRole, str | int] | None = Field(
        default=None, description="Column of each role, by its header text or 0-based position. Needs `date`, and "
                                  "`amount` or `debit`/`credit`, and `payee` or `description`",
        examples=[{"date": "Buchungstag", "amount": "Betrag", "payee": "Beguenstigter/Zahlungspflichtiger",
                   "description": "Verwendungszweck"}])
    date_format: DateFormat | None = Field(default=None, description="How dates are written")
    decimal_separator: Literal[",", "."] | None = Field(default=None, description="`,` for 1.234,56; `.` for 1,234.56")
    sign: Literal["signed", "inverted"] = Field(
        default="signed", description="`signed`: money out is negative; `inverted`: money out is positive (some "
                                      "credit card exports). Ignored with `debit`/`credit` columns or a `type` column")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1, description="`,` `;` tab or `|`")
    encoding: Literal["utf-8", "utf-8-sig", "cp1252", "latin-1"] | None = None
    skip_rows: int | None = Field(default=None, ge=0, le=100, description="Lines before the header row")


class ImportRowError(BaseModel):
    row: int = Field(description="The CSV record's number (the header's included), or the n-th transaction of an "
                                 "OFX, QIF or CAMT file")
    message: str = Field(examples=["amount: '12,5x' is not an amount"])


class SkipReason(StrEnum):
    bank_id = "bank_id"  # the tenant already has the bank's id of the transaction
    duplicate = "duplicate"  # the tenant already has as many transactions with the same content
    zero_amount = "zero_amount"  # a zero amount moves no money (a bank's information line)


class SkippedRow(BaseModel):
    row: int
    reason: SkipReason
    message: str = Field(examples=["the tenant already has 1 transaction(s) on 2024-03-01 of 4.50 EUR, expense, "
                                   "'coffee corner'"])


class ImportSummary(Schema):
    """An import in a list."""

    id: uuid.UUID
    status: ImportStatus
    format: ImportFormat
    file_name: str
    dry_run: bool
    account_id: uuid.UUID | None
    rows: int = Field(description="Transactions in the file")
    rows_done: int = Field(description="Rows read and checked so far (a background import's progress)")
    created: int = Field(description="Transactions created (a dry run: that would be)")
    skipped_duplicates: int = Field(description="Rows skipped as duplicates (by bank id or by content)")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    removed: int | None = Field(description="Undone: the transactions removed")
    kept: int | None = Field(description="Undone: the transactions kept because they were edited after the import")


class ImportRead(ImportSummary):
    """An import with its report."""

    strict: bool
    currency: str | None
    mapping: CsvMapping | None = Field(description="The CSV mapping used (given, saved for the account, or detected)")
    skipped: list[SkippedRow] = Field(description=f"Rows skipped and why, in row order (the first "
                                                  f"{REPORT_LIMIT:,}; `skipped_duplicates` counts them all)")
    errors: list[ImportRowError] = Field(
        description=f"A failed background import's bad rows (the first {REPORT_LIMIT:,})")
