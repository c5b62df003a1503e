"""The document as bytes: written as JSON or as a zip of CSV files, and read back as JSON, all as streams.

Writing keeps no more than one batch of rows: JSON is written section by section, a batch at a time; the
zip is built by the standard library's `zipfile` on a sink that hands over what it was given after every
batch (an unseekable output: each member carries its sizes after its data, as the format allows).

Reading is ijson's event stream, turned into the document's top-level fields and, one at a time, the rows
of its sections: a restore never holds more than the row it checks and the batch it inserts.
"""

import csv
import datetime as dt
import io
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import ijson
import orjson


class AsyncReadable(Protocol):
    async def read(self, size: int = -1, /) -> bytes: ...


class DocumentUnreadable(Exception):
    """The bytes are not a JSON object (the message says what is wrong where)."""


@dataclass(frozen=True, slots=True)
class Field:
    """A top-level field that is not an array (the header: format, version, ...)."""

    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class SectionStart:
    name: str


@dataclass(frozen=True, slots=True)
class Row:
    section: str
    index: int
    value: Any


@dataclass(frozen=True, slots=True)
class SectionEnd:
    name: str


Entry = Field | SectionStart | Row | SectionEnd
_CONTAINERS = frozenset({"start_map", "start_array"})
_ENDS = frozenset({"end_map", "end_array"})


def _builder(event: str, value: Any) -> ijson.ObjectBuilder:
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    return builder


async def read(source: AsyncReadable) -> AsyncIterator[Entry]:
    """The entries of a JSON object, in document order: an array at the top level is a section (its start,
    each element as a Row, its end); any other value is a Field. Numbers that are not integers come as
    Decimal, never float.

    The parser's events are read without their paths (the cheapest of ijson's streams) and a row, the flat
    object of scalars that nearly every element is, is built here directly; anything nested is left to
    ijson's builder."""
    events = ijson.basic_parse_async(source, use_float=False)
    try:
        first = await anext(events, None)
        if first is None or first[0] != "start_map":
            raise DocumentUnreadable("the document must be a JSON object")
        key = field = ""  # the top-level key, and the row's field, whose value comes next
        section: str | None = None  # the top-level array being read
        index = -1
        row: dict[str, Any] | None = None
        nested: ijson.ObjectBuilder | None = None  # a container being built (a field's, an element, a top value)
        depth = 0  # how deep inside `nested`
        async for event, value in events:
            if nested is not None:
                nested.event(event, value)
                if event in _CONTAINERS:
                    depth += 1
                elif event in _ENDS:
                    depth -= 1
                    if depth == 0:
                        built, nested = nested.value, None
                        if row is not None:
                            row[field] = built
                        elif section is not None:
                            yield Row(section, index, built)
                        else:
                            yield Field(key, built)
            elif row is not None:  # inside an element of a section that is an object
                if event == "map_key":
                    field = value
                elif event == "end_map":
                    yield Row(section or "", index, row)
                    row = None
                elif event in _CONTAINERS:
                    nested, depth = _builder(event, value), 1
                else:
                    row[field] = value
            elif section is not None:  # between the elements of a section
                if event == "start_map":
                    index, row = index + 1, {}
                elif event == "end_array":
                    yield SectionEnd(section)
                    section = None
                elif event == "start_array":
                    index, nested, depth = index + 1, _builder(event, value), 1
                else:  # a scalar element: not a row, but the caller says so
                    index += 1
                    yield Row(section, index, value)
            elif event == "map_key":
                key = value
            elif event == "start_array":
                section, index = key, -1
                yield SectionStart(key)
            elif event == "start_map":
                nested, depth = _builder(event, value), 1
            elif event == "end_map":
                async for _ in events:
                    raise DocumentUnreadable("the document goes on after its closing brace")
                return
            else:
                yield Field(key, value)
    except ijson.JSONError as exc:
        said = exc.args[0] if exc.args else ""
        said = (said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)).strip()
        raise DocumentUnreadable(f"the document is not valid JSON: {said.splitlines()[0] if said else exc!r}"
                                 ) from None


# ---- writing ---------------------------------------------------------------------------------------------

def json_header(header: dict[str, Any]) -> bytes:
    """The document's opening: `{` and the header's fields, ready for the first section."""
    return orjson.dumps(header)[:-1]


def json_section_start(name: str) -> bytes:
    return b"," + orjson.dumps(name) + b":["


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # exact, without trailing zeros, never an exponent
    if isinstance(value, uuid.UUID):  # asyncpg's own UUID class, which orjson does not know
        return str(value)
    raise TypeError(f"{type(value).__name__} has no place in an export")


def json_rows(keys: Sequence[str], rows: Iterable[Sequence[Any]], *, first: bool) -> bytes:
    """Rows of one section, as the database gives them, written as the comma-separated objects of its array
    (after the first batch, led by a comma): ids as text, decimals as exact text, dates ISO, timestamps UTC
    with `Z`, enums by value."""
    body = orjson.dumps([dict(zip(keys, row, strict=True)) for row in rows], default=_json_default,
                        option=orjson.OPT_UTC_Z)[1:-1]
    return body if first or not body else b"," + body


JSON_SECTION_END = b"]"
JSON_END = b"}"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, free_text: bool) -> Any:
    """A cell a spreadsheet shows as written: free text it would run as a formula gets a leading `'` (an
    amount such as `-5` stays a number); booleans are `true` / `false` as in the JSON document."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if free_text and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class _Sink:
    """An unseekable output that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        taken = b"".join(self._chunks)
        self._chunks.clear()
        return taken


class ZipWriter:
    """A zip archive written member by member; `take()` returns the bytes produced since the last call."""

    def __init__(self, modified: dt.datetime) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)
        self._modified = modified.timetuple()[:6]
        self._text: io.TextIOWrapper | None = None
        self._csv: Any = None

    def _member(self, name: str) -> zipfile.ZipInfo:
        member = zipfile.ZipInfo(name, date_time=self._modified)
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o644 << 16  # a regular file, readable by all once unpacked
        return member

    def add(self, name: str, data: bytes) -> None:
        self._zip.writestr(self._member(name), data)

    def start_csv(self, name: str, header: Sequence[str]) -> None:
        # Its size is not known before it is written: ZIP64 sizes, after its data.
        member = self._zip.open(self._member(name), "w", force_zip64=True)
        self._text = io.TextIOWrapper(member, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text)
        self._csv.writerow(header)

    def csv_rows(self, rows: Iterable[Sequence[Any]], free_text: Sequence[bool]) -> None:
        """Rows of the open CSV member; `free_text` marks the columns that people write (names, notes)."""
        self._csv.writerows([csv_cell(value, text) for value, text in zip(row, free_text, strict=True)]
                            for row in rows)
        assert self._text is not None
        self._text.flush()

    def end_csv(self) -> None:
        assert self._text is not None
        self._text.close()  # closes the member too: its sizes follow its data
        self._text = self._csv = None

    def close(self) -> None:
        self._zip.close()

    def take(self) -> bytes:
        return self._sink.take()
