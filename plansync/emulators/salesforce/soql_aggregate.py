"""Evaluate GROUP BY and aggregate functions into AggregateResult rows.

Unaliased aggregates are named ``expr0``, ``expr1``, ...; grouped fields keep their
field name; each row's ``attributes`` is ``{"type": "AggregateResult"}``
(docs/salesforce.md §3.3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plansync.emulators.salesforce import values
from plansync.emulators.salesforce.fields import TEXT_TYPES
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.soql_ast import Aggregate, Query
from plansync.emulators.salesforce.soql_fields import Column, Resolver
from plansync.emulators.salesforce.soql_lexer import error_at
from plansync.emulators.salesforce.store import Record

Item = tuple[str, str | None, Column | None]


def aggregate_rows(
    query: Query, obj: ObjectDef, resolver: Resolver, rows: list[Record]
) -> list[dict[str, Any]]:
    """Group ``rows`` and compute the selected aggregates."""
    group_cols = [resolver.column(obj, path) for path in query.group_by]
    grouped = {col.label.lower() for col in group_cols}
    items = _items(query, obj, resolver, grouped)
    groups: dict[tuple[Any, ...], list[Record]] = {}
    folds = [_fold(col) for col in group_cols]
    for row in rows:
        key = tuple(
            fold(col.get(row)) for fold, col in zip(folds, group_cols, strict=True)
        )
        groups.setdefault(key, []).append(row)
    if not group_cols and not groups:
        groups[()] = []
    members = list(groups.values())
    for order in reversed(query.order_by):
        col = resolver.column(obj, order.field)
        if col.label.lower() not in grouped:
            raise error_at(
                query.text,
                order.field.pos,
                f"Ordered field must be grouped or aggregated: {col.label}",
            )
        members.sort(key=_group_key(col), reverse=order.descending)
    return [_row(items, group) for group in members]


def _items(
    query: Query, obj: ObjectDef, resolver: Resolver, grouped: set[str]
) -> list[Item]:
    items: list[Item] = []
    counter = 0
    for item in query.select:
        if isinstance(item, Aggregate):
            col = resolver.column(obj, item.field) if item.field is not None else None
            name = item.alias or f"expr{counter}"
            counter += 0 if item.alias else 1
            items.append((name, item.func, col))
            continue
        col = resolver.column(obj, item)
        if col.label.lower() not in grouped:
            raise error_at(
                query.text,
                item.pos,
                f"Field must be grouped or aggregated: {col.label}",
            )
        items.append((col.leaf.name, None, col))
    return items


def _row(items: list[Item], group: list[Record]) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for name, func, col in items:
        if func is None and col is not None:
            out[name] = values.to_json(col.leaf, col.get(group[0])) if group else None
        else:
            out[name] = _compute(func or "COUNT", col, group)
    return out


def _compute(func: str, col: Column | None, group: list[Record]) -> object:
    if col is None:
        return len(group)
    found = [value for row in group if (value := col.get(row)) is not None]
    if func in ("COUNT", "COUNT_DISTINCT"):
        fold = _fold(col)
        return len(found) if func == "COUNT" else len({fold(value) for value in found})
    if not found:
        return None
    functions: dict[str, Callable[[list[Any]], object]] = {
        "SUM": lambda items: float(sum(items)),
        "AVG": lambda items: float(sum(items)) / len(items),
        "MIN": lambda items: values.to_json(col.leaf, min(items)),
        "MAX": lambda items: values.to_json(col.leaf, max(items)),
    }
    return functions[func](found)


def _fold(col: Column) -> Callable[[Any], Any]:
    if col.leaf.type in TEXT_TYPES and not col.leaf.case_sensitive:
        return lambda value: value.lower() if isinstance(value, str) else value
    return lambda value: value


def _group_key(col: Column) -> Callable[[list[Record]], tuple[int, Any]]:
    fold = _fold(col)

    def key(group: list[Record]) -> tuple[int, Any]:
        value = fold(col.get(group[0]))
        return (0, None) if value is None else (1, value)

    return key
