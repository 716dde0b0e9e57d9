"""Compile a SOQL WHERE clause into a fast Python predicate, checking literal types.

Text compares without regard to case (``LIKE`` too, with ``%`` and ``_``); ids accept
the 15- and 18-character forms; a date value only matches date fields and a dateTime
value only dateTime fields; a date literal is a range of days (``soql_dates.py``).
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.fields import NUMBER_TYPES, TEXT_TYPES
from plansync.emulators.salesforce.soql_ast import (
    Comparison,
    Condition,
    Literal,
    Logical,
    Not,
)
from plansync.emulators.salesforce.soql_dates import date_range
from plansync.emulators.salesforce.soql_fields import Column
from plansync.emulators.salesforce.soql_lexer import error_at
from plansync.emulators.salesforce.store import Record

Predicate = Callable[[Record], bool]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ALLOWED = {
    "string": "string",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "dateTime",
}


class FilterCompiler:
    """Build predicates (``column`` resolves paths, ``subquery`` runs semi-joins)."""

    def __init__(
        self,
        soql: str,
        today: date,
        column: Callable[[Any], Column],
        subquery: Callable[[Any], set[Any]],
    ) -> None:
        """Compile conditions of ``soql`` relative to ``today``."""
        self.soql = soql
        self.today = today
        self.column = column
        self.subquery = subquery

    def compile(self, condition: Condition) -> Predicate:
        """Return a predicate for ``condition``."""
        if isinstance(condition, Logical):
            parts = [self.compile(item) for item in condition.items]
            if condition.op == "AND":
                return lambda row: all(part(row) for part in parts)
            return lambda row: any(part(row) for part in parts)
        if isinstance(condition, Not):
            inner = self.compile(condition.item)
            return lambda row: not inner(row)
        return self._comparison(condition)

    def _comparison(self, cmp: Comparison) -> Predicate:
        col = self.column(cmp.field)
        kind = col.leaf.type
        if kind == "textarea":
            raise error_at(
                self.soql,
                cmp.field.pos,
                f"field '{col.label}' can not be filtered in a query call",
                "INVALID_FIELD",
            )
        get = col.get
        if cmp.op in ("IN", "NOT IN"):
            if isinstance(cmp.value, tuple):
                wanted = {self._value(col, lit) for lit in cmp.value}
            else:
                wanted = self.subquery(cmp.value)
            fold = self._folder(col)
            if cmp.op == "IN":
                return lambda row: fold(get(row)) in wanted
            return lambda row: fold(get(row)) not in wanted
        if cmp.op in ("INCLUDES", "EXCLUDES"):
            raise error_at(
                self.soql,
                cmp.field.pos,
                f"{cmp.op} can only be used on multi-select picklists",
                "INVALID_FIELD",
            )
        literal = cmp.value
        if not isinstance(literal, Literal):
            raise error_at(self.soql, cmp.field.pos, "unexpected subquery")
        if cmp.op == "LIKE":
            return self._like(col, literal)
        if literal.kind == "dateliteral":
            return self._range(col, literal, cmp.op)
        return self._scalar(col, cmp.op, literal)

    def _scalar(self, col: Column, op: str, literal: Literal) -> Predicate:
        value = self._value(col, literal)
        fold = self._folder(col)
        get = col.get
        if op == "=":
            return lambda row: fold(get(row)) == value
        if op == "!=":
            return lambda row: fold(get(row)) != value
        if value is None or col.leaf.type == "boolean":
            raise error_at(
                self.soql,
                literal.pos,
                f"invalid operator on field '{col.label}'",
                "INVALID_QUERY_FILTER_OPERATOR",
            )
        compare = _OPS[op]

        def ordered(row: Record) -> bool:
            current = fold(get(row))
            return current is not None and compare(current, value)

        return ordered

    def _like(self, col: Column, literal: Literal) -> Predicate:
        if col.leaf.type not in TEXT_TYPES and col.leaf.type not in ("id", "reference"):
            raise error_at(
                self.soql,
                literal.pos,
                f"invalid operator on field '{col.label}'",
                "INVALID_QUERY_FILTER_OPERATOR",
            )
        pattern = re.compile(literal.like or "", re.IGNORECASE | re.DOTALL)
        get = col.get

        def like(row: Record) -> bool:
            current = get(row)
            return current is not None and pattern.fullmatch(str(current)) is not None

        return like

    def _range(self, col: Column, literal: Literal, op: str) -> Predicate:
        if col.leaf.type not in ("date", "datetime"):
            raise self._type_error(col, literal)
        name, amount = literal.value
        first, last = date_range(name, amount, self.today)
        start: Any = first
        end: Any = last
        if col.leaf.type == "datetime":
            start = datetime.combine(first, time(0), tzinfo=UTC)
            end = datetime.combine(last, time(0), tzinfo=UTC)
        get = col.get
        tests: dict[str, Callable[[Any], bool]] = {
            "=": lambda v: start <= v < end,
            "!=": lambda v: not start <= v < end,
            "<": lambda v: v < start,
            "<=": lambda v: v < end,
            ">": lambda v: v >= end,
            ">=": lambda v: v >= start,
        }
        test = tests[op]

        def in_range(row: Record) -> bool:
            current = get(row)
            return current is not None and test(current)

        return in_range

    def _value(self, col: Column, literal: Literal) -> object:
        """Check ``literal`` against the column type and fold it like column values."""
        kind = col.leaf.type
        if literal.kind == "null":
            return None
        if literal.like_only:
            raise error_at(
                self.soql,
                literal.pos,
                "the escapes \\% and \\_ are only valid in LIKE patterns",
            )
        if kind in ("id", "reference"):
            if literal.kind != "string":
                raise self._type_error(col, literal)
            normalized = ids.normalize(literal.value)
            if normalized is None:
                raise error_at(
                    self.soql,
                    literal.pos,
                    f"invalid ID field: {literal.value}",
                    "INVALID_QUERY_FILTER_OPERATOR",
                )
            return normalized
        expected = _expected_kind(kind)
        if literal.kind != expected:
            raise self._type_error(col, literal)
        if expected == "string":
            return literal.value if col.leaf.case_sensitive else literal.value.lower()
        if expected == "number":
            return float(literal.value)
        return literal.value

    def _folder(self, col: Column) -> Callable[[Any], Any]:
        if col.leaf.type in TEXT_TYPES and not col.leaf.case_sensitive:
            return lambda v: v.lower() if isinstance(v, str) else v
        if col.leaf.type in TEXT_TYPES:
            return lambda v: v
        if col.leaf.type in NUMBER_TYPES:
            return lambda v: None if v is None else float(v)
        return lambda v: v

    def _type_error(self, col: Column, literal: Literal) -> Exception:
        kind = col.leaf.type
        expected = _ALLOWED.get(_expected_kind(kind), "string")
        if kind in ("id", "reference"):
            expected = "id"
        quoted = expected in ("string", "id")
        return error_at(
            self.soql,
            literal.pos,
            f"value of filter criterion for field '{col.label}' must be of type "
            f"{expected} "
            f"and should {'' if quoted else 'not '}be enclosed in quotes",
            "INVALID_FIELD",
        )


def _expected_kind(field_type: str) -> str:
    if field_type in TEXT_TYPES:
        return "string"
    if field_type in NUMBER_TYPES:
        return "number"
    if field_type in ("boolean", "date", "datetime"):
        return field_type
    return "string"
