"""Currencies (ISO 4217 code, name, minor unit: see currency_data) and the rules every amount follows."""

import functools
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, ValidationInfo, WithJsonSchema

from colony.core.currency_data import CURRENCIES as CURRENCIES  # re-exported: the table lives there
from colony.core.currency_data import Currency

MAX_AMOUNT = Decimal("999999999.99")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# Far beyond any valid amount, quantity or price: larger input is refused before it reaches a column.
MAX_MAGNITUDE = Decimal(10) ** 14


class MoneyError(ValueError):
    pass


def currency(code: str) -> Currency:
    try:
        return CURRENCIES[code]
    except KeyError:
        raise MoneyError(f"unknown currency {code!r}; use an ISO 4217 code such as USD") from None


def active_currency(code: str) -> Currency:
    """A currency in ISO 4217's current list: what a base currency must be (a withdrawn one the ECB's
    history holds, such as EEK, may be recorded on old rows but not chosen anew)."""
    found = currency(code)
    if not found.active:
        raise MoneyError(f"{code} is no longer in use; choose an active ISO 4217 code such as EUR")
    return found


def to_decimal(value: object) -> Decimal:
    """A JSON number, or a string holding a plain decimal ("12.50", "-3"), as an exact Decimal.

    Strings are strict: ASCII digits with an optional leading minus and decimal point; no spaces, plus
    sign, exponent, digit separators ("1_000") or non-ASCII digits (full-width ones). Request JSON already decodes its
    numbers to Decimal (core.routing); a float (a model's tool call) goes through its shortest repr."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise MoneyError("must be a decimal number or a string holding one")
    if isinstance(value, str) and not _PLAIN_DECIMAL.fullmatch(value):
        raise MoneyError("must be a decimal number such as 12.50 (digits, an optional - and decimal point)")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise MoneyError("must be a decimal number such as 12.50") from None
    if not result.is_finite():
        raise MoneyError("must be a finite number")
    if abs(result) >= MAX_MAGNITUDE:
        raise MoneyError(f"must be less than {MAX_MAGNITUDE:,.0f} in magnitude")
    return result


def decimals_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@functools.cache
def quantum(currency_code: str) -> Decimal:
    """The currency's smallest unit as a Decimal exponent: 0.01 for USD, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-currency(currency_code).minor_unit)


def check_amount(amount: Decimal, currency_code: str, *, positive: bool = True) -> Decimal:
    """Bounds and minor units of an amount in a currency; raises MoneyError with a clear message."""
    minor_unit = currency(currency_code).minor_unit
    if positive and amount <= 0:
        raise MoneyError("must be greater than 0")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(f"must not exceed {MAX_AMOUNT}")
    if decimals_of(amount) > minor_unit:
        raise MoneyError(f"{currency_code} amounts have at most {minor_unit} decimals")
    return amount.quantize(quantum(currency_code))


def _bounds(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise MoneyError("must be greater than 0")
    if amount > MAX_AMOUNT:
        raise MoneyError(f"must not exceed {MAX_AMOUNT}")
    return amount


def within_bounds(amount: Decimal | None) -> Decimal | None:
    """A request field's validator: > 0 and ≤ MAX_AMOUNT (its minor units are checked where its
    currency is known)."""
    try:
        return None if amount is None else _bounds(amount)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def in_body_currency(amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
    """A request field's validator for an amount declared after a `currency` field of the same body:
    checked against that currency, or only for its bounds when the body has none (a partial update:
    the service checks it against the stored currency)."""
    if amount is None:
        return None
    currency_code = info.data.get("currency")
    try:
        return check_amount(amount, currency_code) if currency_code else _bounds(amount)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def quantize(amount: Decimal, currency_code: str) -> Decimal:
    """Round to the currency's minor unit, half-even: the one rounding a conversion does, and how a stored
    amount is shown ("12.50", never the column's "12.5000")."""
    return amount.quantize(quantum(currency_code), rounding=ROUND_HALF_EVEN)


def trimmed(value: Decimal) -> Decimal:
    """Without trailing zeros, never in exponent notation: 50.00000000 → 50, 0.50 → 0.5 (quantities, prices)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def rate_text(rate: Decimal) -> str:
    """A rate without trailing zeros and never in exponent notation: 0.9157, 136, 0.0000005372."""
    return format(rate.normalize(), "f")


def _currency_code(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 4217 currency code")
    currency(value)
    return value


def _active_currency_code(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 4217 currency code")
    active_currency(value)
    return value


def _decimal(value: object) -> Decimal:
    return to_decimal(value)


# Request fields: a currency code, and an amount given as a string or a number (checked against its
# currency by the schema's model validator, since minor units depend on the currency).
CurrencyCode = Annotated[str, BeforeValidator(_currency_code),
                         WithJsonSchema({"type": "string", "enum": sorted(CURRENCIES), "example": "USD"})]
# A base currency: an active code only (GET /currencies marks which are).
ActiveCurrencyCode = Annotated[str, BeforeValidator(_active_currency_code),
                               WithJsonSchema({"type": "string", "example": "USD",
                                               "enum": [code for code, c in CURRENCIES.items() if c.active]})]
DecimalInput = Annotated[Decimal, BeforeValidator(_decimal),
                         WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
                                                   {"type": "number"}], "example": "12.50"})]
# An amount that may be 0 but not negative (the converter's input).
NonNegativeDecimalInput = Annotated[Decimal, BeforeValidator(_decimal),
                                    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^\d+(\.\d+)?$"},
                                                              {"type": "number", "minimum": 0}],
                                                    "example": "12.50"})]
# Response fields: an exact decimal string, and a rate as `rate_text` writes it.
# Plain notation always ("50", "0.00000001"), never "5E+1": str() of a Decimal may use an exponent.
DecimalString = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
                          WithJsonSchema({"type": "string", "example": "12.50"})]
RateString = Annotated[Decimal, PlainSerializer(rate_text, return_type=str, when_used="json"),
                       WithJsonSchema({"type": "string", "example": "0.9157"})]
# The same, already rendered as text (read shapes built straight from columns, for speed).
DecimalText = Annotated[str, WithJsonSchema({"type": "string", "example": "12.50"})]
RateText = Annotated[str, WithJsonSchema({"type": "string", "example": "0.9157"})]
