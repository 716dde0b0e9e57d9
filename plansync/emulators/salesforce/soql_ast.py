"""Represent a parsed SOQL statement as immutable syntax nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A field reference such as ``Name`` or ``Owner.Email`` and where it stands."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        """Return the path as written (``Owner.Email``)."""
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Literal:
    """A value in a condition.

    ``kind`` is one of string, number, boolean, null, date, datetime, dateliteral;
    a dateliteral's ``value`` is ``(NAME, n or None)``.
    """

    kind: str
    value: Any
    pos: int
    like: str | None = None
    like_only: bool = False


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An aggregate select item: ``COUNT()``, ``COUNT(Id) n``, ``SUM(Amount)``, ..."""

    func: str
    field: FieldPath | None
    alias: str | None
    pos: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """``field op value``; for IN/NOT IN the value is a tuple or a semi-join query."""

    field: FieldPath
    op: str
    value: Literal | tuple[Literal, ...] | Query


@dataclass(frozen=True, slots=True)
class Logical:
    """``AND``/``OR`` over several conditions."""

    op: str
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """``NOT`` condition."""

    item: Condition


Condition = Comparison | Logical | Not


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One ORDER BY key."""

    field: FieldPath
    descending: bool
    nulls_last: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A whole SELECT statement."""

    text: str
    select: tuple[FieldPath | Aggregate, ...]
    sobject: str
    sobject_pos: int
    where: Condition | None = None
    group_by: tuple[FieldPath, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    offset_pos: int = 0

    @property
    def is_count_only(self) -> bool:
        """Tell whether this is ``SELECT COUNT() FROM ...``."""
        return any(
            isinstance(item, Aggregate) and item.func == "COUNT" and item.field is None
            for item in self.select
        )

    @property
    def is_aggregate(self) -> bool:
        """Tell whether rows are AggregateResults (aggregates other than COUNT())."""
        return bool(self.group_by) or (
            any(isinstance(item, Aggregate) for item in self.select)
            and not self.is_count_only
        )
