"""Amount rules: exact parsing, currency minor units, bounds, and the one rounding at conversion."""

from decimal import Decimal

import pytest

from colony.core.money import CURRENCIES, MoneyError, check_amount, quantize, to_decimal


@pytest.mark.parametrize(("raw", "expected"), [("12.50", Decimal("12.50")), (0.1, Decimal("0.1")),
                                               (7, Decimal(7)), ("-3.0", Decimal("-3.0"))])
def test_to_decimal_is_exact(raw: object, expected: Decimal) -> None:
    assert to_decimal(raw) == expected
    assert str(to_decimal(0.1) + to_decimal(0.2)) == "0.3"


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", "", None, True, [1], " 3.0 ", "1_000", "1e3", "+5"])
def test_to_decimal_refuses_non_numbers(raw: object) -> None:
    with pytest.raises(MoneyError):
        to_decimal(raw)


@pytest.mark.parametrize(("amount", "code", "expected"), [
    ("12.5", "USD", "12.50"), ("1000", "JPY", "1000"), ("0.01", "EUR", "0.01"),
    ("999999999.99", "USD", "999999999.99"), ("12.345", "USD", None), ("1.5", "JPY", None),
    ("0", "USD", None), ("-1", "USD", None), ("1000000000", "USD", None), ("1.0000", "USD", "1.00"),
])
def test_check_amount(amount: str, code: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(MoneyError):
            check_amount(Decimal(amount), code)
    else:
        assert str(check_amount(Decimal(amount), code)) == expected


def test_unknown_currency() -> None:
    with pytest.raises(MoneyError, match="unknown currency"):
        check_amount(Decimal(1), "XXX")


def test_quantize_rounds_half_even_to_minor_unit() -> None:
    assert quantize(Decimal("2.345"), "USD") == Decimal("2.34")
    assert quantize(Decimal("2.355"), "USD") == Decimal("2.36")
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1234")
    assert quantize(Decimal("1235.5"), "JPY") == Decimal("1236")


def test_currency_table_is_iso_4217_shaped() -> None:
    assert CURRENCIES["JPY"].minor_unit == 0 and CURRENCIES["USD"].minor_unit == 2
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)
