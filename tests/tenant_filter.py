"""A test-time check: every statement on a tenant-owned table filters by tenant.

A tenant-owned table is the table of a mapped class that inherits `TenantOwned` (as `TenantMixin` does).
Every SELECT, at every level (subqueries, CTEs, EXISTS, UNION), must compare the `tenant_id` column of
each owned table or alias in its FROM with a bound value (`=` or `IN`), as a condition of its WHERE or of
one of its JOINs' ON clauses; so must every UPDATE and DELETE in its WHERE; every INSERT must set
`tenant_id`. A comparison inside an OR, or with another column (`transactions.tenant_id = users.id`), is
no filter.

The listener (`before_cursor_execute`, on every engine) reads the statement the ORM actually compiled
(`compile_state.statement`): relationship loaders and loader criteria have added their conditions by then,
so `selectinload(Budget.entries.and_(...))` is seen with its filter.

Exempt, on purpose:
- statements executed with the execution option `ALL_TENANTS` (jobs that find which tenants have work);
- the unit of work's UPDATE and DELETE of objects it loaded, by primary key (SQLAlchemy's persistence code
  runs them with the execution option `compiled_cache` set to a mapper's own cache: that is the signal);
- DDL, textual SQL, and statements on no owned table.
Not exempt: `session.get()` and `session.refresh()`, which select by primary key alone. Not seen:
`insert_many` (a binary COPY on PostgreSQL, an executemany of driver SQL on SQLite), which bypasses the
statement layer (and `TenantRepository.insert_many` stamps the tenant itself).

The tests install it with `recording()` (an autouse fixture in tests/conftest.py): violations are recorded,
not raised, since an exception inside the app would turn into a 500 that hides which statement it was.
"""

import functools
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Alias,
    BinaryExpression,
    BindParameter,
    ColumnClause,
    CompoundSelect,
    Delete,
    Insert,
    Join,
    Select,
    TableClause,
    Update,
    event,
)
from sqlalchemy.engine import Compiled, Connection, Engine
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BooleanClauseList, ClauseElement, Grouping, _OverrideBinds
from sqlalchemy.sql.selectable import FromClause

from colony.core.models import Base, TenantOwned
from colony.core.repository import ALL_TENANTS

TENANT_COLUMN = "tenant_id"
_FILTERS = (operators.eq, operators.in_op)  # tenant_id = :value, tenant_id IN (:values)


@dataclass(frozen=True)
class Violation:
    sql: str
    problem: str

    def __str__(self) -> str:
        return f"{self.problem}:\n    {' '.join(self.sql.split())}"


_recorders: list[list[Violation]] = []
_verdicts: weakref.WeakKeyDictionary[Compiled, list[str]] = weakref.WeakKeyDictionary()  # see `problems`


@contextmanager
def recording() -> Iterator[list[Violation]]:
    """The violations of the statements executed inside the block (an inner block takes them from an outer)."""
    violations: list[Violation] = []
    _install()
    _recorders.append(violations)
    try:
        yield violations
    finally:
        _recorders.remove(violations)


def report(violations: list[Violation]) -> str:
    return "statements on tenant-owned tables without a tenant filter (tests/tenant_filter.py):\n" + "\n".join(
        f"- {violation}" for violation in dict.fromkeys(violations))


@functools.cache
def owned_tables() -> frozenset[str]:
    """The names of the tables of the mapped classes that inherit TenantOwned."""
    import colony.domains  # noqa: F401  (every model mapped)

    return frozenset(str(getattr(mapper.local_table, "name", "")) for mapper in Base.registry.mappers
                     if issubclass(mapper.class_, TenantOwned))


@functools.cache
def _flush_caches() -> frozenset[int]:
    """The mappers' own compiled caches (their ids), which the unit of work's statements run with."""
    return frozenset(id(mapper._compiled_cache) for mapper in Base.registry.mappers)


@functools.cache
def _install() -> None:
    event.listen(Engine, "before_cursor_execute", _before_cursor_execute)


def _before_cursor_execute(conn: Connection, cursor: DBAPICursor, statement: str, parameters: Any,
                           context: DefaultExecutionContext | None, executemany: bool) -> None:
    if not _recorders or context is None:
        return
    for problem in problems(context):
        _recorders[-1].append(Violation(statement, problem))


def problems(context: DefaultExecutionContext) -> list[str]:
    """What is wrong with the statement being executed (nothing, mostly)."""
    compiled = context.compiled
    if compiled is None or context.execution_options.get(ALL_TENANTS):
        return []
    state = getattr(compiled, "compile_state", None)  # the ORM's, once its loaders added their criteria
    statement = state.statement if state is not None else compiled.statement
    if not isinstance(statement, Select | CompoundSelect | Insert | Update | Delete):
        return []  # DDL, textual SQL
    if isinstance(statement, Update | Delete) and _from_flush(context):
        return []
    if compiled not in _verdicts:  # a compiled statement is reused: its structure is checked once
        _verdicts[compiled] = [f"{name} is not filtered by {TENANT_COLUMN}" for name in unfiltered(statement)]
    found = list(_verdicts[compiled])
    if isinstance(statement, Insert) and _owned_name(statement.table) and not all(
            params.get(TENANT_COLUMN) is not None for params in context.compiled_parameters):
        found.append(f"INSERT INTO {statement.table.name} without {TENANT_COLUMN}")
    return found


def _from_flush(context: DefaultExecutionContext) -> bool:
    """The unit of work's UPDATE or DELETE of an object it loaded, by primary key: SQLAlchemy's persistence
    code runs those with a mapper's own compiled cache (tests/test_tenant_filter.py checks it still does)."""
    return id(context.execution_options.get("compiled_cache")) in _flush_caches()


def unfiltered(statement: ClauseElement) -> list[str]:
    """The owned tables (or aliases) that some SELECT, UPDATE or DELETE of `statement` does not filter."""
    names: list[str] = []
    for level in _levels(statement):
        froms: list[FromClause] = []
        conditions: list[ClauseElement] = []
        if isinstance(level, Select):
            conditions += _conjuncts(level.whereclause)
            for from_ in level.get_final_froms():
                _flatten(from_, froms, conditions)
        elif isinstance(level, Update | Delete):
            froms.append(level.table)
            conditions += _conjuncts(level.whereclause)
        filtered = {name for condition in conditions if (name := _filtered_name(condition)) is not None}
        names += [name for from_ in froms if (name := _owned_name(from_)) is not None and name not in filtered]
    return names


def _levels(statement: ClauseElement) -> Iterator[ClauseElement]:
    """Every element of the statement, the subqueries that only columns refer to in a FROM included."""
    stack, seen = [statement], set()
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        stack.extend(element.get_children())
        if isinstance(element, Select):
            stack.extend(element.get_final_froms())


def _flatten(from_: FromClause, froms: list[FromClause], conditions: list[ClauseElement]) -> None:
    """The tables of a FROM item, and the conditions of its JOINs' ON clauses."""
    if isinstance(from_, Join):
        _flatten(from_.left, froms, conditions)
        _flatten(from_.right, froms, conditions)
        conditions += _conjuncts(from_.onclause)
    else:
        froms.append(from_)


def _conjuncts(clause: object) -> Iterator[ClauseElement]:
    """The conditions AND-ed at the top of a WHERE or ON clause (one inside an OR filters nothing)."""
    if isinstance(clause, Grouping | _OverrideBinds):  # parentheses; a loader's criteria with this query's values
        yield from _conjuncts(clause.element)
    elif isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            yield from _conjuncts(part)
    elif isinstance(clause, ClauseElement):
        yield clause


def _filtered_name(condition: ClauseElement) -> str | None:
    """The table (or alias) whose tenant_id this condition compares with a bound value, if any."""
    if not isinstance(condition, BinaryExpression) or condition.operator not in _FILTERS:
        return None
    for column, value in ((condition.left, condition.right), (condition.right, condition.left)):
        if (isinstance(column, ColumnClause) and column.name == TENANT_COLUMN and column.table is not None
                and isinstance(value, BindParameter)):
            return str(getattr(column.table, "name", ""))  # a table or an alias: both have a name
    return None


def _owned_name(from_: FromClause) -> str | None:
    """The name of a tenant-owned table, or of an alias of one (which needs a filter of its own)."""
    if isinstance(from_, Alias) and isinstance(from_.element, TableClause):
        return str(from_.name) if from_.element.name in owned_tables() else None
    if isinstance(from_, TableClause) and from_.name in owned_tables():
        return str(from_.name)
    return None
