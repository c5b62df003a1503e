"""OFX and QFX, version 1.x (SGML) and 2.x (XML), with `ofxtools`.

ofxtools reads the header (version, character set) and decodes the body by it, and its tree builder
reads each statement's envelope (account, currency). Its quirks, and what we do about them:
- `OFXTree.convert()` validates the whole document against the specification: one vendor tag (QFX's
  `INTU.BID`) or a missing aggregate fails the file, and it costs about a minute for 100,000
  transactions (the tree alone ~10 s). So transactions are not converted by it: each `<STMTTRN>` block is
  read by a regular expression, its few fields checked here, and a bad one is that row's error.
- Its datetimes are converted to UTC, which moves an evening posting in New York to the next day. The
  posting date is taken as the bank wrote it: the first eight digits of `DTPOSTED` (YYYYMMDD).
- Neither it nor we expand entities: OFX 2 has no DTD, and only the five XML escapes are decoded.
"""

import datetime as dt
import html
import io
import re
from decimal import Decimal, InvalidOperation

from colony.imports.bank.formats import (
    DESCRIPTION_MAX,
    NOTES_MAX,
    BankRow,
    FileUnreadable,
    Parsed,
    RowError,
    bank_id,
    clean_text,
)

_STATEMENT = re.compile(r"<(STMTRS|CCSTMTRS)>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_TRANSACTION_LIST = re.compile(r"<BANKTRANLIST>.*?</BANKTRANLIST>", re.DOTALL | re.IGNORECASE)
_TRANSACTION = re.compile(r"<STMTTRN>(.*?)</STMTTRN>", re.DOTALL | re.IGNORECASE)
_ELEMENT = re.compile(r"<([A-Z0-9._]+)>([^<]*)", re.IGNORECASE)
_AGGREGATE_CURRENCY = re.compile(r"<(CURRENCY|ORIGCURRENCY)>.*?<CURSYM>\s*([A-Z]{3})", re.DOTALL | re.IGNORECASE)
_DATE = re.compile(r"\s*(\d{4})(\d{2})(\d{2})")


def parse(content: bytes) -> Parsed:
    # ofxtools is imported when an OFX file comes: importing it costs about half a second of every start-up
    from ofxtools.header import OFXHeaderError, parse_header

    try:
        _header, body = parse_header(io.BytesIO(content))
    except (OFXHeaderError, ValueError, UnicodeDecodeError) as exc:
        raise FileUnreadable(f"Not an OFX file this parser can read: {_first_line(exc)}") from None
    statements = list(_STATEMENT.finditer(body))
    if not statements:
        raise FileUnreadable("The OFX file holds no bank or credit card statement (STMTRS or CCSTMTRS)")
    number = 0
    for statement in statements:  # read in place: a statement is most of the file, never copied
        start, end = statement.span(2)
        account, currency = _envelope(body, start, end)
        for block in _TRANSACTION.finditer(body, start, end):
            number += 1
            yield _row(number, block.group(1), account, currency)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _envelope(body: str, start: int, end: int) -> tuple[str | None, str | None]:
    """The account id and default currency (CURDEF) of the statement in body[start:end], read by ofxtools'
    tree builder from the statement without its transaction list."""
    transactions = _TRANSACTION_LIST.search(body, start, end)
    envelope = (body[start:transactions.start()] + body[transactions.end():end] if transactions is not None
                else body[start:end])
    from ofxtools.Parser import ParseError, TreeBuilder

    builder = TreeBuilder()
    try:
        builder.feed("<STMTRS>" + envelope + "</STMTRS>")
        root = builder.close()
    except (ParseError, IndexError, AssertionError) as exc:
        raise FileUnreadable(f"The OFX statement can't be read: {_first_line(exc)}") from None
    account = root.findtext(".//ACCTID")
    currency = root.findtext("CURDEF")
    return (account.strip() if account else None), (currency.strip().upper() if currency else None)


def _row(number: int, block: str, account: str | None, currency: str | None) -> BankRow | RowError:
    fields: dict[str, str] = {}
    for tag, text in _ELEMENT.findall(block):
        fields.setdefault(tag.upper(), html.unescape(text.strip()))
    posted = _DATE.match(fields.get("DTPOSTED", ""))
    if posted is None:
        return RowError(number, f"DTPOSTED: {fields.get('DTPOSTED', '')!r} is not a date such as 20240331")
    try:
        date = dt.date(int(posted[1]), int(posted[2]), int(posted[3]))
    except ValueError:
        return RowError(number, f"DTPOSTED: {fields['DTPOSTED']!r} is not a date")
    amount_text = fields.get("TRNAMT", "").replace(" ", "")
    if "," in amount_text and "." not in amount_text:
        amount_text = amount_text.replace(",", ".")  # some banks write a decimal comma
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        return RowError(number, f"TRNAMT: {fields.get('TRNAMT', '')!r} is not an amount")
    if not amount.is_finite():
        return RowError(number, f"TRNAMT: {amount_text!r} is not an amount")
    own = _AGGREGATE_CURRENCY.search(block)
    if own is not None and own.group(1).upper() == "CURRENCY":
        currency = own.group(2).upper()  # the amounts are in this currency, not CURDEF
    name = clean_text(fields.get("NAME") or fields.get("PAYEE"), DESCRIPTION_MAX)
    memo = clean_text(fields.get("MEMO"), NOTES_MAX)
    description = name or memo[:DESCRIPTION_MAX] or clean_text(fields.get("TRNTYPE"), DESCRIPTION_MAX)
    notes = memo if name and memo and memo != name else None
    return BankRow(number, date, amount, description, currency=currency, notes=notes,
                   bank_id=bank_id(account, fields.get("FITID")))
