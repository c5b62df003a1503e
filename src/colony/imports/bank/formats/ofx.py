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
- Its `parse_header` reads and decodes the whole file into one string. It is given the file's start only
  (the header, and the character set it names); the body is then read a chunk at a time, and each statement's
  envelope and transactions taken out of it as they come: a few transactions are held, not the file.
"""

import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
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
    bank_id,
    clean_text,
    head,
    text_chunks,
)

# The tags that frame what is read: a statement, its transaction list, a transaction.
_MARK = re.compile(r"<(/?)(STMTRS|CCSTMTRS|BANKTRANLIST|STMTTRN)>", re.IGNORECASE)
HEADER_BYTES = 16 * 1024
_ELEMENT = re.compile(r"<([A-Z0-9._]+)>([^<]*)", re.IGNORECASE)
_AGGREGATE_CURRENCY = re.compile(r"<(CURRENCY|ORIGCURRENCY)>.*?<CURSYM>\s*([A-Z]{3})", re.DOTALL | re.IGNORECASE)
_DATE = re.compile(r"\s*(\d{4})(\d{2})(\d{2})")


def parse(content: Content) -> Parsed:
    file = as_file(content)
    codec = _codec(file)
    number = 0
    statements = 0
    account: str | None = None
    currency: str | None = None
    state = "outside"  # outside a statement → its envelope → its transaction list → a transaction
    try:
        for mark, text in _marks(file, codec):
            if mark in ("STMTRS", "CCSTMTRS"):
                state, statements = "envelope", statements + 1
            elif state == "envelope" and mark in ("BANKTRANLIST", "/STMTRS", "/CCSTMTRS"):
                account, currency = _envelope(text)  # CURDEF and the account come before the list
                state = "list" if mark == "BANKTRANLIST" else "outside"
            elif state == "list" and mark == "STMTTRN":
                state = "transaction"
            elif state == "transaction" and mark == "/STMTTRN":
                number += 1
                yield _row(number, text, account, currency)
                state = "list"
            elif mark in ("/STMTRS", "/CCSTMTRS"):
                state = "outside"
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"The OFX file is not {codec} text, as its header says: {exc.reason}") from None
    if state != "outside":
        raise FileUnreadable("The OFX file ends inside a statement")
    if not statements:
        raise FileUnreadable("The OFX file holds no bank or credit card statement (STMTRS or CCSTMTRS)")


def _codec(file: BinaryIO) -> str:
    """The character set the OFX header names, read by ofxtools from the file's start (cut after a tag, so
    that no character is cut in two)."""
    # ofxtools is imported when an OFX file comes: importing it costs about half a second of every start-up
    from ofxtools.header import OFXHeaderError, parse_header

    start = head(file, HEADER_BYTES)
    if len(start) == HEADER_BYTES:
        start = start[:start.rfind(b">") + 1] or start
    try:
        header, _body = parse_header(io.BytesIO(start))
    except (OFXHeaderError, ValueError, UnicodeDecodeError) as exc:
        raise FileUnreadable(f"Not an OFX file this parser can read: {_first_line(exc)}") from None
    codec: str = header.codec
    return codec


def _marks(file: BinaryIO, codec: str) -> Iterator[tuple[str, str]]:
    """Each framing tag of the file ("STMTTRN", "/STMTTRN", ...) with the text between it and the one before."""
    buffer = ""
    for chunk in text_chunks(file, codec):
        buffer += chunk
        last = 0
        for match in _MARK.finditer(buffer):
            yield match.group(1) + match.group(2).upper(), buffer[last:match.start()]
            last = match.end()
        buffer = buffer[last:]  # a tag cut by the chunk's end is found once the next chunk is added


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _envelope(text: str) -> tuple[str | None, str | None]:
    """The account id and default currency (CURDEF) of a statement, read by ofxtools' tree builder from the
    statement's start (up to its transaction list)."""
    from ofxtools.Parser import ParseError, TreeBuilder

    builder = TreeBuilder()
    try:
        builder.feed("<STMTRS>" + text + "</STMTRS>")
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
