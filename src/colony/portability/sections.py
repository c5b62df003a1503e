"""The export format, version 1: which tables travel, in what order, and how their values are written and read.

A section is one table. Its fields are the table's columns, less `tenant_id` and `created_by_id` (a restore
stamps the importing tenant and user) and the columns it omits with a reason; its links are the table's
foreign keys, which a restore points at the rows it created. SECTIONS is the document's order: a section
comes after every section it links to, so a restore remaps links as it reads. Two sections are shared
reference data rather than the tenant's own rows: the securities that its holdings and investment
transactions name, and their prices, so that another server values the portfolio alike. Every other table
says in NOT_EXPORTED why it does not travel; tests/portability fails for a table in neither list, for a
link to a later section, and for a column whose type has no rule below.

Values: ids as UUID text, amounts and rates as exact decimal text (no trailing zeros, never an exponent),
dates `YYYY-MM-DD`, timestamps ISO 8601 UTC with `Z`, enums by value, booleans and integers as JSON's own, a
JSON column as its JSON (checked on restore against the shape its section names).
"""

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StrictBool, StrictInt, create_model
from pydantic import Field as PydanticField

from colony.budgets.models import Budget, BudgetEntry
from colony.categories.models import Category
from colony.core import money, text
from colony.core.schemas import IsoDate
from colony.core.types import ExactDecimal, UTCDateTime
from colony.cycles.models import Cycle
from colony.exchange_rates.models import CustomRate
from colony.goals.models import Goal, GoalContribution
from colony.imports.bank.models import ImportMapping
from colony.imports.bank.schemas import CsvMapping
from colony.investments.accounts.models import Account, AccountValue
from colony.investments.activities.models import Holding, InvestmentTransaction
from colony.investments.institutions.models import Institution
from colony.investments.securities.models import Security, SecurityPrice
from colony.payment_methods.models import PaymentMethod
from colony.templates.models import ExpenseTemplate
from colony.transactions.models import Transaction

FORMAT = "colony-export"
VERSION = 1
STAMPED = frozenset({"tenant_id", "created_by_id"})  # set by a restore: the importing tenant, the importing user
USERS_TABLE = "users"

Encoder = Callable[[Any], Any]


@dataclass(frozen=True, eq=False)
class Section:
    model: type[Any]
    order_by: tuple[str, ...] = ("id",)
    # Columns holding an id that several rows share and that no table keys (the two legs of a transfer): a
    # restore gives them a new value where the document's is in use, like ids.
    shared_ids: tuple[str, ...] = ()
    omit: Mapping[str, str] = field(default_factory=dict)  # column → why it does not travel
    # Shared reference data that the tenant's rows point at (not the tenant's own rows): exported for those
    # rows; a restore matches what the server already has instead of adding it again.
    reference: bool = False
    json_shapes: Mapping[str, type[BaseModel]] = field(default_factory=dict)  # JSON column → what it must hold

    @functools.cached_property
    def table(self) -> sa.Table:
        table: sa.Table = self.model.__table__
        return table

    @property
    def name(self) -> str:
        return self.table.name

    @functools.cached_property
    def columns(self) -> tuple[sa.Column[Any], ...]:
        kept = [column for column in self.table.columns if column.name not in STAMPED | set(self.omit)]
        return tuple(sorted(kept, key=lambda column: column.name != "id"))  # the id first, then the table's order

    @functools.cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def has_ids(self) -> bool:
        return "id" in self.column_names

    @functools.cached_property
    def links(self) -> dict[str, str]:
        """Each exported column that is a foreign key, and the table it points at."""
        return {column.name: next(iter(column.foreign_keys)).column.table.name
                for column in self.columns if column.foreign_keys}

    @functools.cached_property
    def free_text(self) -> tuple[bool, ...]:
        """Which columns hold text that people write (not an enum, a currency code or a number)."""
        return tuple(isinstance(column.type, sa.String) and not isinstance(column.type, sa.Enum)
                     and not _is_currency(column) for column in self.columns)

    @functools.cached_property
    def encoders(self) -> tuple[Encoder, ...]:
        return tuple(_encoder(column) for column in self.columns)

    def encode(self, row: Any) -> list[Any]:
        """A row of `columns` as the CSV files write it: each value as the JSON document writes it (a JSON
        column as its JSON text), booleans and integers left for the CSV writer."""
        return [None if value is None else encode(value) for encode, value in zip(self.encoders, row, strict=True)]

    @functools.cached_property
    def row_model(self) -> type[BaseModel]:
        """The pydantic model that checks one row of the section as the document gives it."""
        fields: dict[str, Any] = {column.name: _field(column, self.json_shapes.get(column.name))
                                  for column in self.columns}
        return create_model(f"{self.model.__name__}Row", __config__=ConfigDict(extra="forbid"), **fields)

    @functools.cached_property
    def defaults(self) -> dict[str, Callable[[], Any]]:
        """What a non-null column takes when the document leaves it out (written by an older version)."""
        found: dict[str, Callable[[], Any]] = {}
        for column in self.columns:
            default = column.default
            if column.nullable or column.name == "id" or not isinstance(default, sa.ColumnDefault):
                continue
            found[column.name] = functools.partial(default.arg, None) if default.is_callable else _constant(default.arg)
        return found


SECTIONS: tuple[Section, ...] = (
    Section(Category),
    Section(PaymentMethod),
    Section(CustomRate, order_by=("date", "id")),
    Section(Institution),
    Section(Account),
    Section(AccountValue, order_by=("account_id", "date")),
    Section(ImportMapping, order_by=("account_id",), json_shapes={"mapping": CsvMapping}),
    Section(Security, order_by=("symbol", "id"), reference=True,
            omit={"synced_at": "when this server last synced it with the market-data provider"}),
    Section(SecurityPrice, order_by=("security_id", "date"), reference=True),
    Section(Holding),
    Section(InvestmentTransaction, order_by=("date", "id"), shared_ids=("transfer_id",)),
    Section(ExpenseTemplate),
    Section(Cycle, order_by=("start_date", "id")),
    Section(Transaction, order_by=("date", "id"), shared_ids=("transfer_id",)),
    Section(Budget),
    Section(BudgetEntry, order_by=("budget_id", "position", "id")),
    Section(Goal),
    Section(GoalContribution, order_by=("goal_id", "date", "id")),
)
SECTION_BY_NAME: dict[str, Section] = {section.name: section for section in SECTIONS}

_ACCESS = "how a user signs in and what their sessions are: the importing user keeps their own"
_DERIVED = "derived from the exported facts, and rebuilt from them after a restore"
_IMPORTS = ("the history of the tenant's bank-file imports, what their undo would remove, and files waiting to be "
            "imported: a restored tenant starts its own (its transactions keep their bank ids, so importing the same "
            "files again still skips them; saved CSV mappings travel)")
_ASSISTANT = ("one user's chats with a model, the writes it proposed and the log of its calls: the history of a "
              "conversation, not the tenant's finances")
NOT_EXPORTED: dict[str, str] = {
    "users": _ACCESS,
    "credentials": _ACCESS,
    "profiles": "the base currency travels in the header; names, time zone and locale stay the importing user's",
    "refresh_tokens": _ACCESS,
    "password_reset_tokens": _ACCESS,
    "revoked_access_tokens": _ACCESS,
    "personal_access_tokens": _ACCESS,
    "login_failures": _ACCESS,
    "idempotency_keys": "replay records of requests, kept 24 hours",
    "job_runs": "when this server's scheduled jobs last ran",
    "exchange_rates": "reference data that every server has: the ECB's rates, bundled and refreshed",
    "exchange_rate_refreshes": "the state of this server's rate refreshes",
    "portfolio_states": _DERIVED,
    "portfolio_days": _DERIVED,
    "portfolio_positions": _DERIVED,
    "portfolio_cash": _DERIVED,
    "portfolio_securities": _DERIVED,
    "monthly_totals": _DERIVED,
    "imports": _IMPORTS,
    "import_files": _IMPORTS,
    "assistant_conversations": _ASSISTANT,
    "assistant_messages": _ASSISTANT,
    "assistant_actions": _ASSISTANT,
    "llm_logs": _ASSISTANT,
}


# ---- writing values -----------------------------------------------------------------------------------

def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")  # exact, without trailing zeros, never an exponent


def _timestamp_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _enum_value(value: Enum) -> Any:
    return value.value


def _as_is(value: Any) -> Any:
    return value


def _encoder(column: sa.Column[Any]) -> Encoder:
    kind = column.type
    if isinstance(kind, ExactDecimal):
        return _decimal_text
    if isinstance(kind, UTCDateTime):
        return _timestamp_text
    if isinstance(kind, sa.Enum):
        return _enum_value
    if isinstance(kind, sa.Uuid):
        return str
    if isinstance(kind, sa.Date):
        return dt.date.isoformat
    if isinstance(kind, sa.JSON):
        return _json_text
    if isinstance(kind, sa.String | sa.Boolean | sa.Integer):
        return _as_is
    raise TypeError(f"{column.table.name}.{column.name}: no export rule for the type {kind!r}")


# ---- reading values ------------------------------------------------------------------------------------

def _text_rule(multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = text.text_problem(value, multiline=multiline)
        if problem is not None:
            raise ValueError(problem)
        return value

    return check


def _is_currency(column: sa.Column[Any]) -> bool:
    return column.name == "currency" or column.name.endswith("_currency")


def _json_rule(shape: type[BaseModel]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        # What the shape holds, as JSON again: its own values, numbers as JSON's own (never a Decimal).
        return shape.model_validate(value).model_dump(mode="json", exclude_unset=True)

    return check


def _annotation(column: sa.Column[Any], shape: type[BaseModel] | None) -> Any:
    kind = column.type
    if isinstance(kind, sa.JSON):
        if shape is None:
            raise TypeError(f"{column.table.name}.{column.name}: a JSON column needs a shape (Section.json_shapes)")
        return Annotated[dict[str, Any], AfterValidator(_json_rule(shape))]
    if isinstance(kind, ExactDecimal):
        return Annotated[Decimal, PydanticField(max_digits=kind.precision, decimal_places=kind.scale,
                                                allow_inf_nan=False)]
    if isinstance(kind, UTCDateTime):
        return AwareDatetime
    if isinstance(kind, sa.Enum):
        return kind.enum_class
    if isinstance(kind, sa.Uuid):
        return uuid.UUID
    if isinstance(kind, sa.Date):
        return IsoDate
    if isinstance(kind, sa.Boolean):
        return StrictBool
    if isinstance(kind, sa.Integer):
        return StrictInt
    if isinstance(kind, sa.String):
        if _is_currency(column):
            return money.CurrencyCode
        return Annotated[str, PydanticField(max_length=kind.length),
                         AfterValidator(_text_rule(text.is_multiline(column.name)))]
    raise TypeError(f"{column.table.name}.{column.name}: no import rule for the type {kind!r}")


def _field(column: sa.Column[Any], shape: type[BaseModel] | None) -> tuple[Any, Any]:
    annotation = _annotation(column, shape)
    if column.nullable:
        return annotation | None, None
    if column.name != "id" and isinstance(column.default, sa.ColumnDefault):
        return annotation, None  # left out: the column's default (an explicit null is still refused)
    return annotation, ...
