"""Bank files as rows: one parser per format behind one interface, and the detection of a file's format.

Every parser takes the file's bytes and yields, in file order, a `BankRow` per transaction or a `RowError`
for a record it can't read; a file it can't read at all raises `FileUnreadable`. Amounts are signed
Decimals (money out is negative), never floats. Parsers do no I/O and know no tenant.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

DESCRIPTION_MAX = 500
NOTES_MAX = 5000
BANK_ID_MAX = 255
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


@dataclass(slots=True)
class BankRow:
    number: int  # the CSV record (the header is row 1), or the n-th transaction of the file
    date: dt.date
    amount: Decimal  # signed: negative is money out (an expense), positive money in (an income)
    description: str
    currency: str | None = None  # None: the import's default currency
    notes: str | None = None
    bank_id: str | None = None  # the bank's own id of the transaction (OFX FITID, CAMT AcctSvcrRef, ...)
    category: str | None = None  # a category name the file gives (QIF `L`, a CSV column)


@dataclass(frozen=True, slots=True)
class RowError:
    number: int
    message: str


class FileUnreadable(ValueError):
    """The file as a whole can't be read in its format (the message says why, for the person who sent it)."""


Parsed = Iterator[BankRow | RowError]


def clean_text(text: str | None, limit: int) -> str:
    """Bank text as one line of at most `limit` characters: control characters and runs of white space
    become one space (bank files pad their fields and break long ones across lines)."""
    if not text:
        return ""
    if text.isprintable() and "  " not in text:  # the usual case: nothing to replace
        return text.strip()[:limit]
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()[:limit]


def lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, one at a time: a file is read several times over, and neither a
    list of its lines nor a StringIO (four bytes a character) is made of it."""
    if "\n" not in text:  # old Mac line ends, or one line
        yield from text.splitlines(keepends=True)
        return
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def bank_id(account: str | None, reference: str | None) -> str | None:
    """A bank's id of a transaction, qualified by the account the file names when it names one: ids are
    unique within one account at one bank, not across a tenant's accounts."""
    reference = clean_text(reference, BANK_ID_MAX)
    if not reference:
        return None
    account = clean_text(account, 64)
    return f"{account}/{reference}"[-BANK_ID_MAX:] if account else reference


def detect(content: bytes, file_name: str | None = None) -> str:
    """The format of a file, from its first bytes (then its name): "ofx", "camt053", "qif" or "csv"."""
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").decode("latin-1")
    upper = head.upper()
    if upper.startswith("OFXHEADER") or "<OFX>" in upper or "<?OFX" in upper:
        return "ofx"
    if head.startswith("<") and ("camt.053" in head or "BkToCstmrStmt" in head):
        return "camt053"
    if upper.startswith(("!TYPE:", "!ACCOUNT", "!OPTION:")):
        return "qif"
    name = (file_name or "").lower()
    if name.endswith((".ofx", ".qfx")):
        return "ofx"
    if name.endswith(".qif"):
        return "qif"
    if name.endswith(".xml") or head.startswith("<"):
        return "camt053"
    return "csv"
