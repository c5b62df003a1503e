"""Bank files as rows: one parser per format behind one interface, and the detection of a file's format.

Every parser takes the file (a seekable binary file, or its bytes) and yields, in file order, a `BankRow` per
transaction or a `RowError` for a record it can't read; a file it can't read at all raises `FileUnreadable`.
Amounts are signed Decimals (money out is negative), never floats. Parsers read the file a chunk at a time
(`text_chunks`, `text_lines`), from the start as often as they need: what they hold is a few rows, not the
file. They do no other I/O and know no tenant.
"""

import codecs
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

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


Content = bytes | BinaryIO  # a file's bytes, or the file itself (seekable)
CHUNK_BYTES = 64 * 1024


def as_file(content: Content) -> BinaryIO:
    return io.BytesIO(content) if isinstance(content, bytes) else content


def head(file: BinaryIO, size: int = 4096) -> bytes:
    """The file's first bytes (the file is left at its start)."""
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def text_chunks(file: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's text from its start, a chunk at a time; UnicodeDecodeError where it isn't `encoding`."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    while chunk := file.read(CHUNK_BYTES):
        if text := decoder.decode(chunk):
            yield text
    if text := decoder.decode(b"", final=True):
        yield text


def first_encoding(file: BinaryIO, candidates: tuple[str, ...]) -> str | None:
    """The first of `candidates` that decodes the whole file (a pass over it for each one tried)."""
    for candidate in candidates:
        try:
            for _text in text_chunks(file, candidate):
                pass
        except UnicodeDecodeError:
            continue
        return candidate
    return None


def text_lines(file: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's lines with their endings, from its start: split at "\n", or at "\r" in a file whose first
    chunk has no "\n" but a "\r" (old Mac line ends)."""
    buffer, separator = "", ""
    for chunk in text_chunks(file, encoding):
        buffer += chunk
        if not separator:
            separator = "\n" if "\n" in buffer or "\r" not in buffer else "\r"
        start = 0
        while (end := buffer.find(separator, start)) != -1:
            yield buffer[start:end + 1]
            start = end + 1
        buffer = buffer[start:]
    if buffer:
        yield buffer


def bank_id(account: str | None, reference: str | None) -> str | None:
    """A bank's id of a transaction, qualified by the account the file names when it names one: ids are
    unique within one account at one bank, not across a tenant's accounts."""
    reference = clean_text(reference, BANK_ID_MAX)
    if not reference:
        return None
    account = clean_text(account, 64)
    return f"{account}/{reference}"[-BANK_ID_MAX:] if account else reference


def detect(start: bytes, file_name: str | None = None) -> str:
    """The format of a file, from its first bytes (then its name): "ofx", "camt053", "qif" or "csv"."""
    head = start[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").decode("latin-1")
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
