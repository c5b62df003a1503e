"""CAMT.053 (ISO 20022 bank-to-customer statement, any version from .001.02), read safely and fast: expat
first reads the file's prolog alone, up to its root element, and a DTD there is refused (an entity can
only be declared in one, so an entity-expansion bomb is an unreadable file, not a full memory); then the
standard library's C parser reads the statement (defusedxml's guard goes through the pure-Python parser,
which took 60% longer on a 100,000-entry file).

Booked entries only (`Sts` BOOK; pending ones are information, not money moved). An entry with one
transaction detail (`TxDtls`) is one row; a batch entry (several `TxDtls`, e.g. a collective transfer)
is one row per detail, each with its own amount, side, counterparty and reference. A row's bank id is the
detail's `AcctSvcrRef` (else its `TxId`, else its `EndToEndId` unless "NOTPROVIDED"), else the entry's
`AcctSvcrRef` (numbered within a batch), qualified by the statement's IBAN. The description is the
counterparty (the creditor when money went out, the debtor when it came in), else the remittance text;
the remittance text is then the notes. Entries are parsed one at a time and then dropped: memory stays
flat whatever the statement's length.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, iterparse
from xml.parsers import expat

from colony.imports.bank.formats import (
    CHUNK_BYTES,
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
)

NOT_PROVIDED = "NOTPROVIDED"


class _DtdDeclared(Exception):
    pass


def parse(content: Content) -> Parsed:
    file = as_file(content)
    try:
        _refuse_dtd(file)
        yield from _entries(file)
    except _DtdDeclared:
        raise FileUnreadable("The XML file declares a DTD or entities, which are refused") from None
    except (ParseError, expat.ExpatError) as exc:
        raise FileUnreadable(f"Not well-formed XML: {exc}") from None


def _refuse_dtd(file: BinaryIO) -> None:
    """Raise _DtdDeclared when the file has a DTD: expat reads the prolog (where alone a DOCTYPE may stand,
    whatever the encoding) and stops at the root element."""
    parser = expat.ParserCreate()
    root_seen = False

    def refuse(*_args: object) -> None:
        raise _DtdDeclared

    def root(*_args: object) -> None:
        nonlocal root_seen
        root_seen = True

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = root
    file.seek(0)
    while not root_seen and (chunk := file.read(CHUNK_BYTES)):
        parser.Parse(chunk, False)
    file.seek(0)


def _entries(file: BinaryIO) -> Iterator[BankRow | RowError]:
    """Rows entry by entry. Only start events are read (half the events of a statement): an entry is whole
    once the next entry, or the next statement, begins, or the document ends; then it is read and taken out
    of its statement, so the tree holds one entry at a time whatever the statement's length. Only a
    statement's account is a bare `Acct` (a party's is `CdtrAcct`, `DbtrAcct`), and it comes before the
    statement's entries. Tags are compared whole, in the namespace of the document's root (the version's)."""
    events = iterparse(file, events=("start",))  # noqa: S314 - no DTD (refused first): nothing to expand
    _event, root = next(events)
    namespace = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    entry_tag, statement_tag = namespace + "Ntry", namespace + "Stmt"
    statement: Element | None = None
    account: str | None = None
    pending: tuple[Element, Element] | None = None  # an entry begun, and its statement
    seen_statement = False
    number = 0
    for _event, element in events:
        tag = element.tag
        if tag != entry_tag and tag != statement_tag:
            continue
        if pending is not None:  # whole now
            for row in _rows(_Node(pending[0], namespace), account, number):
                number = row.number
                yield row
            pending[1].remove(pending[0])
            pending = None
        if tag == statement_tag:
            if statement is not None:
                statement.clear()
            statement, account, seen_statement = element, None, True
        elif statement is not None:
            if account is None:  # the statement's account, whole before its first entry
                found = statement.find(namespace + "Acct")
                node = _Node(found, namespace) if found is not None else None
                account = (node.text("Id/IBAN") or node.text("Id/Othr/Id")) if node is not None else ""
            pending = (element, statement)
    if pending is not None:
        for row in _rows(_Node(pending[0], namespace), account, number):
            yield row
    if not seen_statement:
        raise FileUnreadable("Not a CAMT.053 statement: no BkToCstmrStmt/Stmt element")


DETAIL_PATH = "NtryDtls/TxDtls"  # a transaction detail: read as a node of its own


class _Node:
    """An element read with paths of local names, whatever the version's namespace: its descendants are
    indexed by path once (one walk, in document order; a detail's own descendants are left to its node), so
    each lookup is a dictionary's."""

    __slots__ = ("cut", "element", "paths")

    def __init__(self, element: Element, namespace: str | int) -> None:
        self.element = element
        self.cut = namespace if isinstance(namespace, int) else len(namespace)
        self.paths: dict[str, list[Element]] = {}
        self._index(element, "")

    def _index(self, parent: Element, prefix: str) -> None:
        for child in parent:
            path = prefix + child.tag[self.cut:]
            found = self.paths.get(path)
            if found is None:
                self.paths[path] = [child]
            else:
                found.append(child)
            if len(child) and path != DETAIL_PATH:
                self._index(child, path + "/")

    def find(self, path: str) -> Element | None:
        found = self.paths.get(path)
        return found[0] if found else None

    def findall(self, path: str) -> list["_Node"]:
        return [_Node(found, self.cut) for found in self.paths.get(path, ())]

    def text(self, path: str) -> str:
        found = self.paths.get(path)
        return (found[0].text or "").strip() if found else ""


def _text(node: "_Node | None", path: str) -> str:
    return "" if node is None else node.text(path)


def _status(entry: _Node) -> str:
    return (_text(entry, "Sts/Cd") or _text(entry, "Sts")).upper()


def _date(entry: _Node) -> dt.date | None:
    for path in ("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"):
        text = _text(entry, path)
        if text:
            try:
                return dt.date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def _amount(element: _Node, *paths: str) -> tuple[Decimal, str | None] | None:
    for path in paths:
        node = element.find(path)
        text = (node.text or "").strip() if node is not None else ""
        if node is not None and text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                return None
            return (value, node.get("Ccy")) if value.is_finite() else None
    return None


def _reference(detail: _Node | None, entry_reference: str = "") -> str:
    """The detail's own reference; the entry's comes before the payer's ids (which need not be unique)."""
    own = _text(detail, "Refs/AcctSvcrRef")
    if own or entry_reference:
        return own or entry_reference
    for path in ("Refs/TxId", "Refs/EndToEndId"):
        text = _text(detail, path)
        if text and text.upper() != NOT_PROVIDED:
            return text
    return ""


def _counterparty(detail: _Node, outgoing: bool) -> str:
    party = "Cdtr" if outgoing else "Dbtr"
    return _text(detail, f"RltdPties/{party}/Nm") or _text(detail, f"RltdPties/{party}/Pty/Nm")


def _remittance(detail: _Node | None) -> str:
    if detail is None:
        return ""
    return " ".join(text for node in detail.findall("RmtInf/Ustrd") if (text := (node.element.text or "").strip()))


def _rows(entry: _Node, account: str | None, last_number: int) -> list[BankRow | RowError]:
    status = _status(entry)
    if status and status not in ("BOOK", "BOOKED"):
        return []
    number = last_number + 1
    date = _date(entry)
    side = _text(entry, "CdtDbtInd").upper()
    entry_amount = _amount(entry, "Amt")
    if date is None:
        return [RowError(number, "BookgDt: the entry has no booking date")]
    if entry_amount is None or side not in ("CRDT", "DBIT"):
        return [RowError(number, "Amt/CdtDbtInd: the entry has no amount and side")]
    details = entry.findall("NtryDtls/TxDtls")
    entry_reference = _text(entry, "AcctSvcrRef")
    entry_info = _text(entry, "AddtlNtryInf")
    if len(details) > 1:  # a batch: one row per detail, when each has its amount
        rows: list[BankRow | RowError] = []
        for index, detail in enumerate(details, start=1):
            amount = _amount(detail, "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt")
            if amount is None:
                return [RowError(number, "TxDtls/Amt: a detail of the batch entry has no amount")]
            detail_side = _text(detail, "CdtDbtInd").upper() or side
            reference = _reference(detail, f"{entry_reference}/{index}" if entry_reference else "")
            rows.append(_row(number + index - 1, date, amount, detail_side, detail, reference, account, entry_info))
        return rows
    only = details[0] if details else None
    return [_row(number, date, entry_amount, side, only, _reference(only, entry_reference), account, entry_info)]


def _row(number: int, date: dt.date, amount: tuple[Decimal, str | None], side: str, detail: _Node | None,
         reference: str, account: str | None, entry_info: str) -> BankRow:
    value, currency = amount
    outgoing = side == "DBIT"
    name = clean_text(_counterparty(detail, outgoing) if detail is not None else "", DESCRIPTION_MAX)
    remittance = clean_text(_remittance(detail) or _text(detail, "AddtlTxInf"), NOTES_MAX)
    info = clean_text(entry_info, NOTES_MAX)
    description = name or remittance[:DESCRIPTION_MAX] or info[:DESCRIPTION_MAX] or ("Debit" if outgoing else "Credit")
    notes = remittance if name and remittance else (info if info and info != description else None)
    return BankRow(number, date, -abs(value) if outgoing else abs(value), description,
                   currency=currency.upper() if currency else None, notes=notes or None,
                   bank_id=bank_id(account, reference))
