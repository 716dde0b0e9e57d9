"""Keep records in memory: ids, external-id indexes, soft delete, modstamps, rollback.

Every lookup the write and query paths need is a dict access: records by id, live
records by external-id or unique value, master-detail children by parent. Writes made
inside ``transaction()`` can be undone (allOrNone, composite).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.fields import FieldDef
from plansync.emulators.salesforce.schema import ObjectDef, Schema

Record = dict[str, Any]


class Clock:
    """Hand out strictly increasing, millisecond-precision UTC timestamps."""

    def __init__(self) -> None:
        """Start at the current time."""
        self._last = datetime(1970, 1, 1, tzinfo=UTC)
        self._issued_at = self._last
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return a timestamp later than every one returned before."""
        with self._lock:
            wall = datetime.now(UTC)
            current = wall.replace(microsecond=wall.microsecond // 1000 * 1000)
            if current <= self._last:
                current = self._last + timedelta(milliseconds=1)
            self._last, self._issued_at = current, wall
            return current

    def latest(self) -> datetime:
        """Return the org's current time for a ``Date`` header.

        A burst of writes pushes the stamps ahead of the wall clock (one
        millisecond each); from the newest stamp the time goes on with the wall
        clock, so it is never earlier than a stamp handed out and never stalls.
        """
        with self._lock:
            wall = datetime.now(UTC)
            return max(wall, self._last + (wall - self._issued_at))

    def today(self) -> date:
        """Return today's date in the org's time zone (UTC)."""
        return datetime.now(UTC).date()


class Table:
    """All records of one object type."""

    def __init__(self, obj: ObjectDef) -> None:
        """Create an empty table for ``obj``."""
        self.obj = obj
        self.rows: dict[str, Record] = {}
        self.counter = 0
        self.auto_number = 0
        self.lookup: dict[str, dict[str, set[str]]] = {
            f.name.lower(): {} for f in obj.lookup_fields
        }
        self.masters = [f for f in obj.fields.values() if f.master_detail]
        self.children: dict[str, dict[str, set[str]]] = {
            f.name: {} for f in self.masters
        }

    def lookup_key(self, fdef: FieldDef, value: object) -> str:
        """Normalise an external-id value for its index (case-folded if insensitive)."""
        text = str(value)
        return text if fdef.case_sensitive else text.lower()

    def find(self, fdef: FieldDef, value: object) -> list[str]:
        """Return the ids of live records whose ``fdef`` equals ``value``."""
        index = self.lookup.get(fdef.name.lower())
        if index is None:
            return [
                rid
                for rid, row in self.rows.items()
                if not row["IsDeleted"] and row.get(fdef.name) == value
            ]
        return sorted(index.get(self.lookup_key(fdef, value), ()))

    def index(self, row: Record) -> None:
        """Add a live record to the lookup and master-detail indexes."""
        rid = row["Id"]
        for name, index in self.lookup.items():
            fdef = self.obj.fields[name]
            value = row.get(fdef.name)
            if value is not None:
                index.setdefault(self.lookup_key(fdef, value), set()).add(rid)
        for fdef in self.masters:
            parent = row.get(fdef.name)
            if parent is not None:
                self.children[fdef.name].setdefault(parent, set()).add(rid)

    def unindex(self, row: Record) -> None:
        """Remove a record from the lookup and master-detail indexes."""
        rid = row["Id"]
        for name, index in self.lookup.items():
            fdef = self.obj.fields[name]
            value = row.get(fdef.name)
            if value is not None:
                index.get(self.lookup_key(fdef, value), set()).discard(rid)
        for fdef in self.masters:
            parent = row.get(fdef.name)
            if parent is not None:
                self.children[fdef.name].get(parent, set()).discard(rid)


class Store:
    """The org's data: one table per object, a clock, and an undo log."""

    def __init__(self, schema: Schema, clock: Clock | None = None) -> None:
        """Create empty tables for every object of ``schema``."""
        self.schema = schema
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.tables = {name: Table(obj) for name, obj in schema.objects.items()}
        self.user_id = ""
        self._undo: list[Callable[[], None]] = []
        self._depth = 0
        self._replaying = False

    def table(self, obj: ObjectDef | str) -> Table:
        """Return the table of an object (by definition or name)."""
        name = obj.name if isinstance(obj, ObjectDef) else obj
        return self.tables[name.lower()]

    def new_id(self, table: Table) -> str:
        """Mint the next record id of ``table``."""
        while True:
            table.counter += 1
            record_id = ids.mint(table.obj.key_prefix, table.counter)
            if record_id not in table.rows:
                return record_id

    def get(self, record_id: str) -> Record | None:
        """Return the record with 18-char id ``record_id`` (live or deleted)."""
        obj = self.schema.for_id(record_id)
        if obj is None:
            return None
        return self.tables[obj.name.lower()].rows.get(record_id)

    def live(self, table: Table) -> Iterator[Record]:
        """Iterate over the records of ``table`` that are not deleted."""
        return (row for row in table.rows.values() if not row["IsDeleted"])

    def insert(self, table: Table, row: Record) -> None:
        """Add a fully built record and index it."""
        table.rows[row["Id"]] = row
        if not row["IsDeleted"]:
            table.index(row)
        self._log(lambda: self._forget(table, row))

    def replace(self, table: Table, old: Record, new: Record) -> None:
        """Swap a record for its updated version, keeping indexes right."""
        table.unindex(old)
        table.rows[new["Id"]] = new
        if not new["IsDeleted"]:
            table.index(new)
        self._log(lambda: self.replace(table, new, old))

    def soft_delete(self, table: Table, row: Record) -> list[Record]:
        """Move a record (and its master-detail children) to the recycle bin."""
        deleted = []
        for child_table, child_id in self._children_of(row):
            child = child_table.rows[child_id]
            if not child["IsDeleted"]:
                deleted.extend(self.soft_delete(child_table, child))
        stamp = self.clock.now()
        self.replace(
            table,
            row,
            {**row, "IsDeleted": True, "SystemModstamp": stamp, "_deleted_at": stamp},
        )
        deleted.append(table.rows[row["Id"]])
        return deleted

    def hard_delete(self, table: Table, row: Record) -> None:
        """Remove a record for good (Bulk hardDelete)."""
        for child_table, child_id in self._children_of(row):
            self.hard_delete(child_table, child_table.rows[child_id])
        self._forget(table, row)
        self._log(lambda: self.insert(table, row))

    @contextmanager
    def transaction(self) -> Iterator[Callable[[], None]]:
        """Record writes so that calling the yielded function undoes them all."""
        mark = len(self._undo)
        self._depth += 1

        def rollback() -> None:
            self._replaying = True
            try:
                while len(self._undo) > mark:
                    self._undo.pop()()
            finally:
                self._replaying = False

        try:
            yield rollback
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._undo.clear()

    def clear(self) -> None:
        """Drop every record."""
        self.tables = {name: Table(obj) for name, obj in self.schema.objects.items()}

    def _children_of(self, row: Record) -> Iterator[tuple[Table, str]]:
        obj = self.schema.for_id(row["Id"])
        if obj is None:
            return
        for child_name, fdef in obj.children:
            if fdef.master_detail:
                child_table = self.tables[child_name.lower()]
                yield from (
                    (child_table, cid)
                    for cid in sorted(
                        child_table.children[fdef.name].get(row["Id"], ())
                    )
                )

    def _forget(self, table: Table, row: Record) -> None:
        table.unindex(row)
        table.rows.pop(row["Id"], None)

    def _log(self, undo: Callable[[], None]) -> None:
        if self._depth and not self._replaying:
            self._undo.append(undo)
