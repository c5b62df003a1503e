"""QIF (Quicken Interchange Format): `!Type:` sections of records ended by `^`, one field per line: `D` date,
`T` (or `U`) amount, `P` payee, `M` memo, `L` category (`[Account]` is a transfer: no category), `N` check
number. Dates come US style (`3/15/2024`, `3/15'24`) or European (`15.03.2024`, `15/03/2024`): the format is
decided over every `D` line of the file, like the decimal separator over every amount. Investment
sections (`!Type:Invst`) and lists (`!Type:Cat`, `!Account`) are passed over."""

from collections.abc import Iterator
from typing import BinaryIO

from colony.imports.bank.formats import (
    DESCRIPTION_MAX,
    NOTES_MAX,
    BankRow,
    Content,
    FileUnreadable,
    Parsed,
    RowError,
    as_file,
    clean_text,
    first_encoding,
    head,
    text_lines,
)
from colony.imports.bank.formats.values import (
    DateFormatDetector,
    DecimalDetector,
    parse_amount,
    parse_date,
)

TRANSACTION_TYPES = frozenset({"bank", "cash", "ccard", "oth a", "oth l"})
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def _records(file: BinaryIO, encoding: str) -> Iterator[dict[str, str]]:
    """The fields of each transaction record (first value of each letter), in file order."""
    in_transactions = False
    fields: dict[str, str] = {}
    for raw in text_lines(file, encoding):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            lowered = line.lower()
            if lowered.startswith("!type:"):
                in_transactions = lowered[6:].strip() in TRANSACTION_TYPES
            elif lowered.startswith(("!account", "!option", "!clear")):
                in_transactions = False
            fields = {}
            continue
        if line == "^":
            if in_transactions and fields:
                yield fields
            fields = {}
            continue
        if in_transactions:
            fields.setdefault(line[0].upper(), line[1:].strip())


def parse(content: Content, *, prefer_month_first: bool = False) -> Parsed:
    file = as_file(content)
    if not head(file, 1024).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"!"):
        raise FileUnreadable("Not a QIF file: it should start with a line such as !Type:Bank")
    encoding = first_encoding(file, ENCODINGS) or "latin-1"
    dates, decimals = DateFormatDetector(), DecimalDetector()
    us_style = prefer_month_first
    for fields in _records(file, encoding):  # one pass decides the date format and the decimal separator
        date_text = fields.get("D", "")
        dates.add(date_text)
        us_style = us_style or "'" in date_text  # 3/15'24 is Quicken's US style
        decimals.add(fields.get("T") or fields.get("U") or "")
    date_format = dates.result(prefer_month_first=us_style)
    if date_format is None:
        raise FileUnreadable("The QIF dates can't be read as one format (MM/DD/YYYY, DD.MM.YYYY, DD/MM/YYYY, "
                             "YYYY-MM-DD)")
    decimal = decimals.result()
    for number, fields in enumerate(_records(file, encoding), start=1):
        problems = []
        try:
            date = parse_date(fields.get("D", ""), date_format.order)
        except ValueError:
            problems.append(f"D: {fields.get('D', '')!r} is not a date such as {date_format.value}")
        amount_text = fields.get("T") or fields.get("U") or ""
        try:
            amount = parse_amount(amount_text, decimal)
        except ValueError as exc:
            problems.append(f"T: {exc}")
        payee = clean_text(fields.get("P"), DESCRIPTION_MAX)
        memo = clean_text(fields.get("M"), NOTES_MAX)
        description = payee or memo[:DESCRIPTION_MAX]
        if not description:
            problems.append("P: no payee and no memo")
        if problems:
            yield RowError(number, "; ".join(problems))
            continue
        category = clean_text(fields.get("L"), 100)
        yield BankRow(number, date, amount, description, notes=memo if payee and memo and memo != payee else None,
                      category=None if not category or category.startswith("[") else category)
