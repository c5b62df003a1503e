"""Any bank's CSV file: encoding, delimiter, header row, column roles, date format, decimal separator and
sign convention, each given by a `CsvMapping` or detected.

Detection: the encoding is the first of UTF-8 (with or without BOM), cp1252 and latin-1 that decodes the
file; the delimiter is `csv.Sniffer`'s pick among `, ; tab |`; the header is the first of the first 30
records whose cells name a date and an amount (or debit/credit) column in English, German, French,
Spanish or Dutch (`HEADERS`); the date format and the decimal separator are decided over every row
(`values.py`). Colony's own export is one such layout (its `type` column signs the amounts).
"""

import csv
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
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
    text_chunks,
    text_lines,
)
from colony.imports.bank.formats import bank_id as qualified_bank_id
from colony.imports.bank.formats.values import (
    DateFormatDetector,
    DecimalDetector,
    parse_amount,
    parse_date,
)
from colony.imports.bank.schemas import ColumnRole, CsvMapping

R = ColumnRole
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
DELIMITERS = ",;\t|"
HEADER_SEARCH = 30
SNIFF_BYTES = 64 * 1024
# Header texts of each role, lower case without accents or punctuation, best first. A header matches
# one of them exactly, or starts with it as a word ("Betrag (EUR)" is an amount).
HEADERS: dict[ColumnRole, tuple[str, ...]] = {
    R.date: ("date", "booking date", "posting date", "posted date", "transaction date", "trans date", "date posted",
             "buchungstag", "buchungsdatum", "datum", "date operation", "date de l operation", "date comptable",
             "fecha", "fecha operacion", "fecha de operacion", "f operacion", "fecha contable", "boekdatum",
             "transactiedatum", "value date", "valutadatum", "wertstellung", "date de valeur", "fecha valor",
             "rentedatum"),
    R.amount: ("amount", "transaction amount", "betrag", "umsatz", "buchungsbetrag", "montant", "importe",
               "cantidad", "bedrag"),
    R.debit: ("debit", "debit amount", "withdrawal", "withdrawals", "money out", "paid out", "soll", "ausgang",
              "belastung", "montant debit", "cargo", "cargos", "debe", "debet"),
    R.credit: ("credit", "credit amount", "deposit", "deposits", "money in", "paid in", "haben", "eingang",
               "gutschrift", "montant credit", "abono", "abonos", "haber"),
    R.type: ("type", "af bij", "debit credit", "credit debit", "dr cr", "cr dr", "soll haben", "s h",
             "credit debit indicator", "cdtdbtind"),
    R.currency: ("currency", "ccy", "currency code", "wahrung", "waehrung", "devise", "monnaie", "moneda", "divisa",
                 "munt"),
    R.payee: ("payee", "name", "merchant", "counterparty", "counter party", "beneficiary", "payee name",
              "beguenstigter zahlungspflichtiger", "begunstigter zahlungspflichtiger", "auftraggeber begunstigter",
              "auftraggeber empfanger", "auftraggeber",
              "empfanger", "zahlungsempfanger", "name zahlungsbeteiligter", "beneficiaire", "tiers", "beneficiario",
              "ordenante beneficiario", "naam omschrijving", "naam tegenpartij", "tegenpartij"),
    R.description: ("description", "details", "transaction details", "memo", "narrative", "reference", "purpose",
                    "particulars", "verwendungszweck", "buchungstext", "vorgang", "libelle", "libelle operation",
                    "detail", "concepto", "descripcion", "omschrijving", "mededelingen"),
    R.notes: ("notes", "note", "comment", "remarks", "notiz", "bemerkung", "commentaire", "notas", "opmerking"),
    R.category: ("category", "kategorie", "categorie", "categoria"),
    R.bank_id: ("transaction id", "transaction reference", "bank reference", "fitid", "acctsvcrref",
                "transaktions id", "referenznummer", "numero de transaction", "id transaccion", "transactie id"),
}
# Values of a `type` column: money out, money in.
OUT_WORDS = frozenset({"expense", "debit", "d", "dr", "dbit", "s", "soll", "af", "out", "-", "withdrawal", "cargo",
                       "debe", "debet"})
IN_WORDS = frozenset({"income", "credit", "c", "cr", "crdt", "h", "haben", "bij", "in", "+", "deposit", "abono",
                      "haber"})
_WORDS = re.compile(r"[^a-z0-9]+")
_FORMULA_QUOTED = re.compile(r"'(?=[=+\-@\t\r])")  # a cell Colony's export quoted against spreadsheet formulas


def header_key(text: str) -> str:
    """A header as lower-case words without accents or punctuation: "Bégünstigter/Zahlungspflichtiger" →
    "begunstigter zahlungspflichtiger"."""
    text = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff").casefold())
    text = "".join(char for char in text if not unicodedata.combining(char)).replace("ß", "ss")
    return _WORDS.sub(" ", text).strip()


def roles_from_header(header: Sequence[str]) -> dict[ColumnRole, int]:
    """The role of each column a header names: exact names first, then names a header starts with; each
    role to one column, each column to one role, the best-ranked name winning."""
    keys = [header_key(cell) for cell in header]
    found: dict[ColumnRole, int] = {}
    taken: set[int] = set()
    for exact in (True, False):
        for role, names in HEADERS.items():
            if role in found:
                continue
            for name in names:
                column = next((i for i, key in enumerate(keys) if i not in taken
                               and (key == name if exact else key.startswith(name + " "))), None)
                if column is not None:
                    found[role] = column
                    taken.add(column)
                    break
    return found


def _is_header(roles: dict[ColumnRole, int]) -> bool:
    return R.date in roles and (R.amount in roles or R.debit in roles or R.credit in roles)


def encoding_of(file: BinaryIO, encoding: str | None) -> str:
    """The encoding the file is read with: `encoding` if it decodes the file, else the first that does."""
    found = first_encoding(file, (encoding,) if encoding else ENCODINGS)
    if found is None:
        raise FileUnreadable(f"The file is not {encoding} text")
    return found


def _start(file: BinaryIO, encoding: str) -> str:
    """The file's first SNIFF_BYTES characters (or all of it)."""
    start = ""
    for chunk in text_chunks(file, encoding):
        start += chunk
        if len(start) >= SNIFF_BYTES:
            break
    return start[:SNIFF_BYTES]


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text, from its start (lines counted whatever their ends)."""
    sample = text[:SNIFF_BYTES].replace("\r\n", "\n").replace("\r", "\n")
    sample = sample[:sample.rfind("\n") + 1] or sample  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or a sample the sniffer can't settle: the most frequent candidate
        counts = {delimiter: sample.count(delimiter) for delimiter in DELIMITERS}
        return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


@dataclass(slots=True)
class Layout:
    """A CSV file's layout, complete: what `read` needs, and what the import records as its mapping."""

    mapping: CsvMapping
    header_row: int  # 0-based record index of the header
    columns: dict[ColumnRole, int]
    file: BinaryIO


def _records(file: BinaryIO, encoding: str, delimiter: str) -> Iterator[list[str]]:
    read = 0
    try:
        for record in csv.reader(text_lines(file, encoding), delimiter=delimiter):
            read += 1
            yield record
    except csv.Error as exc:
        raise FileUnreadable(f"Row {read + 1} can't be read as CSV: {exc}") from None


def _column_index(header: list[str], reference: str | int, role: ColumnRole) -> int:
    if isinstance(reference, int):
        if reference >= len(header):
            raise FileUnreadable(f"mapping.columns.{role.value}: the file has only {len(header)} columns")
        return reference
    wanted = header_key(reference)
    for index, cell in enumerate(header):
        if header_key(cell) == wanted:
            return index
    raise FileUnreadable(f"mapping.columns.{role.value}: no column {reference!r} in the header")


def _cell(record: list[str], index: int | None) -> str:
    if index is None or index >= len(record):
        return ""
    value = record[index]
    return (_FORMULA_QUOTED.sub("", value, count=1) if value.startswith("'") else value).strip()


def _sign_of(value: str) -> int | None:
    word = header_key(value) or value.strip()
    if word in OUT_WORDS:
        return -1
    if word in IN_WORDS:
        return 1
    return None


def layout(content: Content, given: CsvMapping | None, *, default_currency: str) -> Layout:
    """Read the file's layout (the parts `given` leaves out, detected); FileUnreadable when there is none."""
    given = given or CsvMapping()
    file = as_file(content)
    encoding = encoding_of(file, given.encoding)
    delimiter = given.delimiter or sniff_delimiter(_start(file, encoding))
    records = _records(file, encoding, delimiter)
    header: list[str] | None = None
    header_row = 0
    columns: dict[ColumnRole, int] = {}
    for index, record in enumerate(records):
        if given.skip_rows is not None:
            if index < given.skip_rows:
                continue
            header, header_row = record, index
            break
        if index >= HEADER_SEARCH:
            break
        roles = roles_from_header(record)
        if given.columns or _is_header(roles):
            if given.columns and not _names_all(record, given.columns):
                continue
            header, header_row, columns = record, index, roles
            break
    if header is None:
        raise FileUnreadable("No header row naming a date and an amount column was found in the first "
                             f"{HEADER_SEARCH} lines: give mapping.columns (and mapping.skip_rows)")
    if given.columns:
        columns = {role: _column_index(header, reference, role) for role, reference in given.columns.items()}
    elif given.skip_rows is not None:
        columns = roles_from_header(header)
    _check_roles(columns)
    if R.type in columns and not given.columns and any(
            _sign_of(value) is None for value in itertools.islice(_column(file, encoding, delimiter, header_row,
                                                                          columns[R.type]), 200)):
        del columns[R.type]  # a "Type" column of words such as "Card payment": not money out or in
    decimal: str | None = given.decimal_separator
    date_format = given.date_format
    if decimal is None or date_format is None:  # one pass over the rows decides both
        decimals, dates = DecimalDetector(), DateFormatDetector()
        amount_columns = [columns[role] for role in (R.amount, R.debit, R.credit) if role in columns]
        date_column = columns[R.date]
        for index, record in enumerate(_records(file, encoding, delimiter)):
            if index <= header_row:
                continue
            if decimal is None:
                for column in amount_columns:
                    if value := _cell(record, column):
                        decimals.add(value)
            if date_format is None and (value := _cell(record, date_column)):
                dates.add(value)
        decimal = decimal or decimals.result(prefer_comma=delimiter == ";")
        date_format = date_format or dates.result(prefer_month_first=default_currency == "USD")
    if date_format is None:
        raise FileUnreadable("The dates can't be read as one format (DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, "
                             "YYYY-MM-DD, YYYYMMDD): give mapping.date_format")
    mapping = CsvMapping(columns={role: header[index] if index < len(header) and header[index].strip() else index
                                  for role, index in columns.items()},
                         date_format=date_format, decimal_separator=decimal,
                         sign=given.sign, delimiter=delimiter, encoding=encoding,
                         skip_rows=header_row)
    return Layout(mapping, header_row, columns, file)


def _names_all(record: list[str], columns: dict[ColumnRole, str | int]) -> bool:
    keys = {header_key(cell) for cell in record}
    return all(isinstance(name, int) or header_key(name) in keys for name in columns.values())


def _check_roles(columns: dict[ColumnRole, int]) -> None:
    missing = []
    if R.date not in columns:
        missing.append("date")
    if R.amount not in columns and not (R.debit in columns or R.credit in columns):
        missing.append("amount (or debit and credit)")
    if R.payee not in columns and R.description not in columns:
        missing.append("payee or description")
    if missing:
        raise FileUnreadable(f"No column for: {', '.join(missing)}; give mapping.columns")


def _column(file: BinaryIO, encoding: str, delimiter: str, header_row: int, column: int) -> Iterator[str]:
    """The non-empty cells of one column, row after row (one pass over the file, nothing kept)."""
    for index, record in enumerate(_records(file, encoding, delimiter)):
        if index > header_row and (value := _cell(record, column)):
            yield value


def read(found: Layout) -> Parsed:
    """The rows of a file whose layout is known."""
    mapping, columns = found.mapping, found.columns
    assert mapping.date_format is not None and mapping.decimal_separator is not None and mapping.delimiter
    assert mapping.encoding is not None
    order, decimal = mapping.date_format.order, mapping.decimal_separator
    inverted = mapping.sign == "inverted"
    get = columns.get
    for index, record in enumerate(_records(found.file, mapping.encoding, mapping.delimiter)):
        if index <= found.header_row or not any(cell.strip() for cell in record):
            continue
        number = index + 1
        problems: list[str] = []
        date_text = _cell(record, get(R.date))
        try:
            date = parse_date(date_text, order)
        except ValueError:
            problems.append(f"date: {date_text!r} is not a date such as {mapping.date_format.value}")
        amount = None
        try:
            amount = _amount(record, columns, decimal, inverted)
        except ValueError as exc:
            problems.append(str(exc))
        payee = clean_text(_cell(record, get(R.payee)), DESCRIPTION_MAX)
        purpose = clean_text(_cell(record, get(R.description)), NOTES_MAX)
        description = payee or purpose[:DESCRIPTION_MAX]
        if not description:
            problems.append("description: the payee and description cells are empty")
        if problems or amount is None:
            yield RowError(number, "; ".join(problems))
            continue
        notes = [text for text in (purpose if payee and purpose != payee else "",
                                   clean_text(_cell(record, get(R.notes)), NOTES_MAX)) if text]
        currency = _cell(record, get(R.currency)).upper() or None
        yield BankRow(number, date, amount, description, currency=currency,
                      notes=" | ".join(notes)[:NOTES_MAX] or None,
                      bank_id=qualified_bank_id(None, _cell(record, get(R.bank_id))),
                      category=clean_text(_cell(record, get(R.category)), 100) or None)


def _amount(record: list[str], columns: dict[ColumnRole, int], decimal: str, inverted: bool) -> Decimal:
    if R.amount in columns:
        text = _cell(record, columns[R.amount])
        if not text:
            raise ValueError("amount: the cell is empty")
        try:
            amount = parse_amount(text, decimal)
        except ValueError as exc:
            raise ValueError(f"amount: {exc}") from None
        if R.type in columns:
            sign = _sign_of(_cell(record, columns[R.type]))
            if sign is None:
                raise ValueError(f"type: {_cell(record, columns[R.type])!r} says neither money out nor in")
            return sign * abs(amount)
        return -amount if inverted else amount
    debit_text, credit_text = _cell(record, columns.get(R.debit)), _cell(record, columns.get(R.credit))
    if not debit_text and not credit_text:
        raise ValueError("amount: the debit and credit cells are empty")
    total = Decimal(0)
    for role, text, sign in ((R.debit, debit_text, -1), (R.credit, credit_text, 1)):
        if text:
            try:
                total += sign * abs(parse_amount(text, decimal))
            except ValueError as exc:
                raise ValueError(f"{role.value}: {exc}") from None
    return total
