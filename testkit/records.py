"""Checks of back-office rows after a conversation: "a booking with status booked exists".

Tables are reflected from the database itself, so a check works for every feature without
importing its models, and on SQLite as well as PostgreSQL. Script values arrive as text (scripts
are read without YAML type guessing) and are converted to each column's Python type here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, ColumnElement, Engine, MetaData, Table, func, inspect, select
from sqlalchemy.exc import NoSuchTableError

SAMPLE_ROWS = 5
# Comparison operators a `where` value may use instead of plain equality.
OPERATORS = ("ne", "gt", "gte", "lt", "lte", "like", "in")
_TRUE = {"true", "yes", "1", "是"}
_FALSE = {"false", "no", "0", "否"}


class RecordQueryError(ValueError):
    """The check itself is wrong: unknown table, unknown column, value of the wrong type."""


@dataclass(frozen=True)
class RecordCount:
    """How many rows matched, and a few rows of the table to show when the count is wrong."""

    matched: int
    sample: list[dict[str, Any]]
    total: int


def count_rows(engine: Engine, *, table: str, where: Mapping[str, Any]) -> RecordCount:
    """Count the rows of `table` matching every condition in `where`.

    A condition is ``column: value`` (equality; ``null`` means IS NULL), ``column: [a, b]``
    (IN) or ``column: {op: value}`` with op one of ne, gt, gte, lt, lte, like, in.

    Raises:
        RecordQueryError: The table or a column does not exist, or a value cannot be converted.
    """
    reflected = _reflect(engine, table)
    conditions = [_condition(reflected, name, value) for name, value in where.items()]
    with engine.connect() as connection:
        matched = connection.execute(
            select(func.count()).select_from(reflected).where(*conditions)
        ).scalar_one()
        total = connection.execute(select(func.count()).select_from(reflected)).scalar_one()
        rows = connection.execute(select(reflected).limit(SAMPLE_ROWS)).mappings().all()
    return RecordCount(matched=int(matched), sample=[dict(row) for row in rows], total=int(total))


def _reflect(engine: Engine, table: str) -> Table:
    try:
        return Table(table, MetaData(), autoload_with=engine)
    except NoSuchTableError:
        tables = ", ".join(sorted(inspect(engine).get_table_names())) or "(none)"
        raise RecordQueryError(f"no table {table!r} in the back office; tables: {tables}") from None


def _condition(table: Table, name: str, value: Any) -> ColumnElement[bool]:
    if name not in table.c:
        columns = ", ".join(table.c.keys())
        raise RecordQueryError(f"table {table.name} has no column {name!r}; columns: {columns}")
    column = table.c[name]
    if isinstance(value, Mapping):
        if len(value) != 1 or next(iter(value)) not in OPERATORS:
            raise RecordQueryError(
                f"{table.name}.{name}: write {{op: value}} with op one of {', '.join(OPERATORS)}"
            )
        op, operand = next(iter(value.items()))
        return _compare(column, op, operand)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return _compare(column, "in", value)
    if value is None or value in ("null", "~"):
        return column.is_(None)
    condition: ColumnElement[bool] = column == convert(column, value)
    return condition


def _compare(column: Column[Any], op: str, operand: Any) -> ColumnElement[bool]:
    if op == "in":
        if isinstance(operand, str) or not isinstance(operand, Sequence):
            raise RecordQueryError(f"{column.name}: `in` needs a list")
        return column.in_([convert(column, item) for item in operand])
    if op == "like":
        return column.like(str(operand))
    value = convert(column, operand)
    comparisons = {
        "ne": column != value,
        "gt": column > value,
        "gte": column >= value,
        "lt": column < value,
        "lte": column <= value,
    }
    condition: ColumnElement[bool] = comparisons[op]
    return condition


def convert(column: Column[Any], value: Any) -> Any:
    """Convert a script value (usually text) to the Python type of `column`."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if isinstance(value, python_type) and not (python_type is int and isinstance(value, bool)):
        return value
    text = str(value).strip()
    try:
        if python_type is bool:
            return _to_bool(text)
        if python_type is dt.datetime:
            return dt.datetime.fromisoformat(text)
        if python_type is dt.date:
            return dt.date.fromisoformat(text)
        if python_type is dt.time:
            return dt.time.fromisoformat(text)
        if python_type is Decimal:
            return Decimal(text)
        if python_type in (int, float):
            return python_type(text)
    except (ValueError, InvalidOperation):
        raise RecordQueryError(
            f"{column.table.name}.{column.name}: {text!r} is not a {python_type.__name__}"
        ) from None
    return text if python_type is str else value


def _to_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)
