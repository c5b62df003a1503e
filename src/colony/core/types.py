"""Column types that keep money exact and datetimes in UTC on both engines."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class ExactDecimal(TypeDecorator[Decimal]):
    """A fixed-scale decimal stored exactly: NUMERIC on PostgreSQL, a scaled 64-bit integer on SQLite.

    SQLite has no exact decimal (its NUMERIC is a float), but its integer arithmetic is exact, so SUM,
    comparisons and ORDER BY over the scaled integers stay exact. Values are quantized to the scale,
    rounding half-even, before they are stored. Arithmetic between two columns of this type must
    happen in Python, not in SQL (the scales would multiply on SQLite).
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int, precision: int = 19) -> None:
        super().__init__()
        self.scale = scale
        self.precision = precision
        self._factor = Decimal(10) ** scale
        self._quantum = Decimal(1).scaleb(-scale)

    def __repr__(self) -> str:  # how Alembic writes the type into a migration
        return f"{type(self).__name__}(scale={self.scale}, precision={self.precision})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        quantum, factor = self._quantum, self._factor

        def scaled(value: Any) -> int | None:  # the hot path of bulk writes: no generic decorator chain
            if value is None:
                return None
            if isinstance(value, float):
                raise TypeError("an exact decimal column never takes a float")
            return int(Decimal(value).quantize(quantum) * factor)

        return scaled

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("an exact decimal column never takes a float")
        quantized = Decimal(value).quantize(self._quantum)
        if dialect.name == "sqlite":
            return int(quantized * self._factor)
        return quantized

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            return None  # asyncpg already hands back a Decimal at the column's scale: nothing to do per value
        if dialect.name == "sqlite":
            exponent = -self.scale

            def scaled(value: Any) -> Decimal | None:  # the hot path of long reads: exact, no division
                return None if value is None else Decimal(int(value)).scaleb(exponent)

            return scaled
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            # SUM over integers stays an integer; AVG would be a float and is not used on money.
            return (Decimal(int(value)) / self._factor).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self


class Derived(TypeDecorator[Decimal]):
    """A derived figure at a fixed scale: NUMERIC(38, scale) on PostgreSQL, decimal text on SQLite.

    Unlike what users enter, derived figures have no bound a request could check (a price uploaded for a
    security multiplies every holding of it, a split multiplies a quantity), and no SQL adds them up: text
    holds any of them exactly, where SQLite's 64-bit integers (ExactDecimal) would stop at 9.2e12 at 6
    places."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def __repr__(self) -> str:  # how Alembic writes the type into a migration
        return f"{type(self).__name__}(scale={self.scale})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(38, self.scale, asdecimal=True))

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        quantum = self._quantum

        def text(value: Any) -> str | None:  # the hot path of a state's bulk write
            return None if value is None else format(Decimal(value).quantize(quantum), "f")

        return text

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else Decimal(value).quantize(self._quantum)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


MONEY_SCALE = 4  # enough for every ISO 4217 minor unit (KWD has 3) with room for exact sums
RATE_SCALE = 10
QUANTITY_SCALE = 8


def Money() -> ExactDecimal:
    return ExactDecimal(MONEY_SCALE)


def Rate() -> ExactDecimal:
    return ExactDecimal(RATE_SCALE, precision=24)


def Quantity() -> ExactDecimal:
    return ExactDecimal(QUANTITY_SCALE, precision=28)


def Price() -> ExactDecimal:
    """A security's price, as quoted: up to 8 decimals, like quantities."""
    return ExactDecimal(QUANTITY_SCALE, precision=28)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out; SQLite hands back naive values, which are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name == "postgresql":
            return None  # asyncpg already hands back aware datetimes in UTC
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
