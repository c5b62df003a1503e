"""The parsers and the detection they rely on, without a database: dates decided over a whole file,
amounts as banks write them, headers in five languages, format detection."""

import datetime as dt
from decimal import Decimal

import pytest

from colony.imports.bank import formats
from colony.imports.bank.formats import BankRow, FileUnreadable, RowError, bank_csv, camt, detect, ofx, qif
from colony.imports.bank.formats.values import DateFormat, detect_date_format, detect_decimal_separator, parse_amount
from colony.imports.bank.schemas import ColumnRole
from tests.imports.kit import FIXTURES, fixture


def test_the_date_format_is_decided_over_every_row() -> None:
    # 03/04 alone reads both ways; 13/04 on a later row settles it for the whole file
    assert detect_date_format(["03/04/2024", "05/04/2024", "13/04/2024"]) is DateFormat.day_month_year_slashes
    assert detect_date_format(["04/03/2024", "04/05/2024", "04/13/2024"]) is DateFormat.month_day_year_slashes
    # still both: the reading under which a statement's dates run in order
    assert detect_date_format(["01/02/2024", "02/01/2024", "02/02/2024"]) is DateFormat.month_day_year_slashes
    assert detect_date_format(["02/01/2024", "01/02/2024", "02/02/2024"]) is DateFormat.day_month_year_slashes
    # one day alone: a dollar file reads month first, any other day first
    assert detect_date_format(["03/04/2024"], prefer_month_first=True) is DateFormat.month_day_year_slashes
    assert detect_date_format(["03/04/2024"]) is DateFormat.day_month_year_slashes
    # dotted dates are day first, even for a dollar file (a German bank's export into a USD tenant)
    assert detect_date_format(["01.03.2024", "02.03.2024"], prefer_month_first=True) is DateFormat.day_month_year_dots
    assert detect_date_format(["31.12.2023", "01.01.24"]) is DateFormat.day_month_year_dots
    assert detect_date_format(["2024-03-01 08:15:00", "2024-03-02"]) is DateFormat.iso
    assert detect_date_format(["20240301", "20240302"]) is DateFormat.compact
    assert detect_date_format(["yesterday"]) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("-1.234,56", "-1234.56"), ("1,234.56", "1234.56"), ("(12.50)", "-12.50"), ("12,50-", "-12.50"),
    ("€ -3,10", "-3.10"), ("-12,50 EUR", "-12.50"), ("12.00 CR", "12.00"), ("45.10 DR", "-45.10"),
    ("1 234,50", "1234.50"), ("1'234.50", "1234.50"), ("£2,140.00", "2140.00"), ("\u22127,10", "-7.10"),
])
def test_amounts_as_banks_write_them(text: str, expected: str) -> None:
    amount = parse_amount(text, detect_decimal_separator([text]))
    assert isinstance(amount, Decimal) and amount == Decimal(expected)


def test_the_decimal_separator_is_decided_over_every_amount() -> None:
    assert detect_decimal_separator(["1.234", "12,50"]) == ","  # 1.234 alone could be either
    assert detect_decimal_separator(["1,234", "12.50"]) == "."
    assert detect_decimal_separator(["1.234"], prefer_comma=True) == ","
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount("12 apples", ".")


@pytest.mark.parametrize(("header", "roles"), [
    (["Date", "Description", "Amount"], {"date", "description", "amount"}),
    (["Buchungstag", "Auftraggeber / Begünstigter", "Verwendungszweck", "Betrag (EUR)"],
     {"date", "payee", "description", "amount"}),
    (["Date", "Libellé", "Débit", "Crédit"], {"date", "description", "debit", "credit"}),
    (["Fecha", "Concepto", "Importe", "Divisa"], {"date", "description", "amount", "currency"}),
    (["Datum", "Naam / Omschrijving", "Af Bij", "Bedrag (EUR)", "Mededelingen"],
     {"date", "payee", "type", "amount", "description"}),
])
def test_headers_in_five_languages(header: list[str], roles: set[str]) -> None:
    assert {role.value for role in bank_csv.roles_from_header(header)} == roles


def test_csv_encodings_are_detected() -> None:
    text = "Datum;Empfänger;Betrag\n01.02.2024;Bäckerei € Süß;-3,50\n"
    for content, encoding in ((text.encode("utf-8"), "utf-8-sig"), (text.encode("cp1252"), "cp1252"),
                              (text.replace("€ ", "").encode("latin-1"), "cp1252"),  # the same letters
                              (text.replace("€ ", "\x81").encode("latin-1"), "latin-1")):  # a byte cp1252 lacks
        layout = bank_csv.layout(content, None, default_currency="EUR")
        [row] = list(bank_csv.read(layout))
        assert isinstance(row, BankRow) and row.description.startswith("Bäckerei") and row.amount == Decimal("-3.50")
        assert layout.mapping.encoding == encoding and layout.columns[ColumnRole.payee] == 1


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir()))
def test_formats_are_detected_from_content_alone(name: str) -> None:
    expected = {"ofx": "ofx", "qif": "qif", "xml": "camt053", "csv": "csv"}[name.rsplit(".", 1)[1]]
    assert detect(fixture(name)) == expected


def test_bad_records_are_row_errors_and_an_unreadable_file_is_one_error() -> None:
    broken = fixture("checking_v1.ofx").replace(b"<TRNAMT>-38.40", b"<TRNAMT>-38,4O").replace(
        b"<DTPOSTED>20240320", b"<DTPOSTED>2024-03")
    rows = list(ofx.parse(broken))
    assert [(row.number, row.message.split(":")[0]) for row in rows if isinstance(row, RowError)] == [
        (1, "TRNAMT"), (4, "DTPOSTED")]
    with pytest.raises(FileUnreadable):
        list(ofx.parse(b"OFXHEADER:100\nnonsense"))
    with pytest.raises(FileUnreadable):
        list(qif.parse(b"D01/02/2024\nT-1\n^\n"))  # no !Type header
    [first, *_] = qif.parse(fixture("us_checking.qif"))
    assert isinstance(first, BankRow) and first.date == dt.date(2024, 3, 1)


def test_a_quoted_cell_may_span_lines() -> None:
    content = b'Date,Description,Amount\r\n2024-03-01,"Rent\r\nMarch",-900.00\r\n2024-03-02,Bread,-2.10\r\n'
    rows = list(bank_csv.read(bank_csv.layout(content, None, default_currency="EUR")))
    assert [(row.number, row.description, row.amount) for row in rows if isinstance(row, BankRow)] == [
        (2, "Rent March", Decimal("-900.00")), (3, "Bread", Decimal("-2.10"))]


def _rows(name: str) -> list[BankRow | RowError]:
    content = fixture(name)
    kind = detect(content, name)
    if kind == "csv":
        return list(bank_csv.read(bank_csv.layout(content, None, default_currency="EUR")))
    parse = {"ofx": ofx.parse, "qif": qif.parse, "camt053": camt.parse}[kind]
    return list(parse(content))


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir()))
def test_files_read_in_small_chunks_give_the_same_rows(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # chunks of 7 bytes cut tags, lines, quoted cells and UTF-8 characters in two
    whole = _rows(name)
    monkeypatch.setattr(formats, "CHUNK_BYTES", 7)
    assert _rows(name) == whole and whole


def test_a_csv_file_with_old_mac_line_ends_is_read_by_its_lines() -> None:
    content = b"Date;Payee;Amount\r01.03.2024;Bakery;-3,50\r02.03.2024;Salary;2000,00\r"
    rows = list(bank_csv.read(bank_csv.layout(content, None, default_currency="EUR")))
    assert [(row.number, row.description, row.amount) for row in rows if isinstance(row, BankRow)] == [
        (2, "Bakery", Decimal("-3.50")), (3, "Salary", Decimal("2000.00"))]


def test_an_ofx_file_cut_inside_a_statement_is_unreadable() -> None:
    content = fixture("checking_v1.ofx")
    with pytest.raises(FileUnreadable, match="ends inside a statement"):
        list(ofx.parse(content[:content.index(b"</BANKTRANLIST>")]))
