"""Run a SOQL statement against the store: resolve, filter, sort, page and render.

Evaluation is one pass over the object's rows (or over an index hit list when the
WHERE clause pins ``Id`` or an external-id field with ``=``/``IN``), plus a sort
only when ORDER BY asks for one. ``query`` hides soft-deleted rows, ``queryAll``
shows them (docs/salesforce.md §3.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.fields import TEXT_TYPES
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.soql_aggregate import aggregate_rows
from plansync.emulators.salesforce.soql_ast import (
    Aggregate,
    Comparison,
    Condition,
    Literal,
    Logical,
    Query,
)
from plansync.emulators.salesforce.soql_fields import Column, Resolver
from plansync.emulators.salesforce.soql_filter import FilterCompiler
from plansync.emulators.salesforce.soql_lexer import error_at
from plansync.emulators.salesforce.soql_parser import parse
from plansync.emulators.salesforce.store import Record, Store, Table

MAX_OFFSET = 2000
_NO_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom "
    "object, be sure to append the '__c' after the entity name. Please reference your "
    "WSDL or the "
    "describe call for the appropriate names."
)


@dataclass(slots=True)
class QueryOutcome:
    """The rows a statement selects, ready to render as JSON or CSV."""

    query: Query
    obj: ObjectDef
    columns: list[Column]
    rows: list[Record]
    total: int
    aggregates: list[dict[str, Any]] | None = None
    resolver: Resolver | None = field(default=None, repr=False)

    def render(self, version: str) -> list[dict[str, Any]]:
        """Render the rows as REST query records."""
        if self.aggregates is not None:
            return self.aggregates
        if self.query.is_count_only or self.resolver is None:
            return []
        tree = self.resolver.tree(self.columns)
        render = self.resolver.render
        name = self.obj.name
        return [render(tree, row, name, version) for row in self.rows]


class QueryEngine:
    """Parse and evaluate SOQL over a ``Store``."""

    def __init__(self, store: Store, *, api_version: str = "59.0") -> None:
        """Query ``store``; ``api_version`` appears in the OFFSET error message."""
        self.store = store
        self.api_version = api_version

    def run(self, soql: str, *, include_deleted: bool = False) -> QueryOutcome:
        """Evaluate ``soql``.

        Raises:
            ApiError: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE or
                NUMBER_OUTSIDE_VALID_RANGE.
        """
        query = parse(soql)
        obj = self._object(query)
        resolver = Resolver(self.store.schema, self.store, soql)
        self._check_shape(query)
        columns = self._columns(query, obj, resolver)
        rows = self._rows(query, obj, resolver, include_deleted=include_deleted)
        if query.is_aggregate:
            result = aggregate_rows(query, obj, resolver, rows)
            result = self._page(query, result)
            return QueryOutcome(query, obj, columns, [], len(result), result, resolver)
        for item in reversed(query.order_by):
            col = resolver.column(obj, item.field)
            if col.leaf.type == "textarea":
                raise error_at(
                    soql,
                    item.field.pos,
                    f"field '{col.label}' can not be sorted in a query call",
                    "INVALID_FIELD",
                )
            rows.sort(
                key=_sort_key(col, nulls_last=item.nulls_last, desc=item.descending),
                reverse=item.descending,
            )
        rows = self._page(query, rows)
        return QueryOutcome(query, obj, columns, rows, len(rows), None, resolver)

    def _object(self, query: Query) -> ObjectDef:
        obj = self.store.schema.get(query.sobject)
        if obj is None:
            raise error_at(
                query.text,
                query.sobject_pos,
                _NO_TYPE.format(name=query.sobject),
                "INVALID_TYPE",
            )
        return obj

    def _check_shape(self, query: Query) -> None:
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise error_at(
                query.text,
                query.offset_pos,
                f"Maximum SOQL offset allowed for apiVersion {self.api_version} is "
                f"{MAX_OFFSET}",
                "NUMBER_OUTSIDE_VALID_RANGE",
            )
        if query.is_count_only and (len(query.select) > 1 or query.order_by):
            raise error_at(
                query.text,
                0,
                "COUNT() must be the only item selected and cannot "
                "be combined with ORDER BY",
            )

    def _columns(
        self, query: Query, obj: ObjectDef, resolver: Resolver
    ) -> list[Column]:
        columns: list[Column] = []
        seen: set[str] = set()
        for item in query.select:
            if isinstance(item, Aggregate):
                continue
            col = resolver.column(obj, item)
            if col.label.lower() in seen:
                raise error_at(
                    query.text, item.pos, f"duplicate field selected: {col.label}"
                )
            seen.add(col.label.lower())
            columns.append(col)
        return columns

    def _rows(
        self, query: Query, obj: ObjectDef, resolver: Resolver, *, include_deleted: bool
    ) -> list[Record]:
        table = self.store.table(obj)
        source = self._candidates(query.where, table, include_deleted=include_deleted)
        rows = source if source is not None else list(table.rows.values())
        if not include_deleted:
            rows = [
                row
                for row in rows
                if not row["IsDeleted"] and not row.get("IsArchived")
            ]
        if query.where is None:
            return rows
        compiler = FilterCompiler(
            query.text,
            self.store.clock.today(),
            lambda path: resolver.column(obj, path),
            self._semi_join,
        )
        predicate = compiler.compile(query.where)
        return [row for row in rows if predicate(row)]

    def _candidates(
        self, where: Condition | None, table: Table, *, include_deleted: bool
    ) -> list[Record] | None:
        """Return rows found through an index for a pinned Id/external id, else None."""
        if where is None:
            return None
        items = (
            where.items
            if isinstance(where, Logical) and where.op == "AND"
            else (where,)
        )
        for item in items:
            if not isinstance(item, Comparison) or len(item.field.parts) != 1:
                continue
            if item.op == "=" and isinstance(item.value, Literal):
                literals: tuple[Literal, ...] = (item.value,)
            elif item.op == "IN" and isinstance(item.value, tuple):
                literals = item.value
            else:
                continue
            if any(lit.kind != "string" for lit in literals):
                continue
            found = self._lookup(table, item.field.parts[0], literals, include_deleted)
            if found is not None:
                return [table.rows[rid] for rid in sorted(found) if rid in table.rows]
        return None

    def _lookup(
        self,
        table: Table,
        name: str,
        literals: tuple[Literal, ...],
        include_deleted: bool,
    ) -> set[str] | None:
        if name.lower() == "id":
            return {
                rid for lit in literals if (rid := ids.normalize(lit.value)) is not None
            }
        fdef = table.obj.field(name)
        if fdef is None or include_deleted or name.lower() not in table.lookup:
            return None
        found: set[str] = set()
        for lit in literals:
            found.update(
                table.lookup[name.lower()].get(table.lookup_key(fdef, lit.value), ())
            )
        return found

    def _semi_join(self, sub: Query) -> set[Any]:
        obj = self._object(sub)
        resolver = Resolver(self.store.schema, self.store, sub.text)
        if len(sub.select) != 1 or isinstance(sub.select[0], Aggregate):
            raise error_at(
                sub.text,
                sub.sobject_pos,
                "semi-join sub-selects must select one Id field",
            )
        col = resolver.column(obj, sub.select[0])
        rows = self._rows(sub, obj, resolver, include_deleted=False)
        return {value for row in rows if (value := col.get(row)) is not None}

    @staticmethod
    def _page(query: Query, rows: list[Any]) -> list[Any]:
        start = query.offset or 0
        end = None if query.limit is None else start + query.limit
        return rows[start:end]


def _sort_key(
    col: Column, *, nulls_last: bool, desc: bool
) -> Callable[[Record], tuple[int, Any]]:
    """Key for one ORDER BY item.

    Text sorts by the upper-case value (English locale) and a picklist in its
    defined value order (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm,
    https://developer.salesforce.com/docs/platform/graphql/guide/order.html).
    """
    get = col.get
    null_key = (2 if nulls_last != desc else 0, None)
    rank = _rank_for(col)

    def key(row: Record) -> tuple[int, Any]:
        value = get(row)
        return null_key if value is None else (1, rank(value))

    return key


def _rank_for(col: Column) -> Callable[[Any], Any]:
    if col.leaf.type == "picklist" and col.leaf.picklist:
        positions = {value: index for index, value in enumerate(col.leaf.picklist)}
        last = len(positions)

        def picklist_rank(value: object) -> tuple[int, str]:
            return positions.get(str(value), last), str(value).upper()

        return picklist_rank
    if col.leaf.type in TEXT_TYPES:

        def text_rank(value: object) -> str:
            return str(value).upper()

        return text_rank
    return _identity


def _identity(value: object) -> object:
    return value


def check_bulk_query(query: Query) -> None:
    """Reject what Bulk API 2.0 query jobs do not support (docs/salesforce.md §6.2).

    Raises:
        ApiError: 400 for OFFSET, aggregates, GROUP BY.
    """
    if query.offset is not None or query.is_aggregate or query.is_count_only:
        raise ApiError(
            400,
            "INVALIDJOB",
            "OFFSET, GROUP BY and aggregate functions are not supported in Bulk API "
            "query jobs",
        )
