"""Validate and apply record writes with Salesforce's error codes and bodies.

Request-level problems (unknown field, unreadable value) raise ``ApiError``;
per-record problems (read-only field, too long, restricted picklist, bad reference,
missing required field, duplicate unique value) raise ``RecordFailedError`` so that
collections and Bulk can report them per record (docs/salesforce.md §4.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from plansync.emulators.salesforce import derived, ids, values
from plansync.emulators.salesforce.errors import (
    ApiError,
    RecordError,
    RecordFailedError,
)
from plansync.emulators.salesforce.fields import FieldDef
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.store import Record, Store

Changes = list[tuple[FieldDef, values.FieldValue]]
_AUTO_FORMAT = re.compile(r"\{(0+)\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_READ_ONLY_MESSAGE = (
    "Unable to create/update fields: {}. Please check the security settings of this "
    "field and verify that it is read/write for your profile or permission set."
)


def parse_json(obj: ObjectDef, body: Mapping[str, Any]) -> Changes:
    """Read a JSON record body into field changes (``attributes`` is ignored).

    Raises:
        ApiError: 400 INVALID_FIELD for an unknown field, JSON_PARSER_ERROR for a
            value of the wrong type.
    """
    changes: Changes = []
    for key, raw in body.items():
        if key == "attributes":
            continue
        fdef = obj.field(key)
        if fdef is None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"No such column '{key}' on sobject of type {obj.name}",
            )
        try:
            changes.append((fdef, values.from_json(fdef, raw)))
        except values.ValueTypeError as exc:
            raise ApiError(400, "JSON_PARSER_ERROR", str(exc)) from None
    return changes


class Writer:
    """Create, update and delete records in a ``Store`` as Salesforce would."""

    def __init__(self, store: Store) -> None:
        """Write into ``store``."""
        self.store = store

    def create(self, obj: ObjectDef, changes: Changes) -> Record:
        """Insert a new record.

        Raises:
            RecordFailedError: the record is invalid.
        """
        forbidden = [f.name for f, _ in changes if not f.createable]
        if "Id" in forbidden:
            raise RecordFailedError(
                RecordError(
                    "INVALID_FIELD", "cannot specify Id in an insert call", ("Id",)
                )
            )
        if forbidden:
            raise RecordFailedError(_read_only(forbidden))
        table = self.store.table(obj)
        row: Record = {"IsDeleted": False}
        for fdef in obj.fields.values():
            if fdef.default is not None:
                row[fdef.name] = fdef.default
        if obj.field("OwnerId") is not None:
            row["OwnerId"] = self.store.user_id
        self._apply(row, changes)
        now = self.store.clock.now()
        name_field = obj.field("Name")
        if name_field is not None and name_field.auto_number:
            table.auto_number += 1
            row["Name"] = auto_name(name_field, table.auto_number)
        self._finish(obj, row, None, now)
        row["Id"] = self.store.new_id(table)
        row["CreatedDate"] = now
        row["CreatedById"] = self.store.user_id
        self.store.insert(table, row)
        return row

    def update(self, obj: ObjectDef, record_id: str, changes: Changes) -> Record:
        """Change fields of an existing live record.

        Raises:
            RecordFailedError: the record is missing, deleted or would be invalid.
        """
        old = self.existing(obj, record_id)
        forbidden = [
            f.name
            for f, value in changes
            if not f.updateable and not (f.name == "Id" and value == record_id)
        ]
        if forbidden:
            raise RecordFailedError(_read_only(forbidden))
        row = dict(old)
        self._apply(row, [(f, v) for f, v in changes if f.name != "Id"])
        self._finish(obj, row, old, self.store.clock.now())
        self.store.replace(self.store.table(obj), old, row)
        return row

    def delete(self, record_id: str) -> Record:
        """Soft-delete a live record (and its master-detail children).

        Raises:
            RecordFailedError: the record is missing or already deleted.
        """
        obj = self.store.schema.for_id(record_id)
        if obj is None:
            raise RecordFailedError(_cross_reference())
        row = self.existing(obj, record_id)
        self.store.soft_delete(self.store.table(obj), row)
        return row

    def existing(self, obj: ObjectDef, record_id: str) -> Record:
        """Return the live record ``record_id`` of ``obj``.

        Raises:
            RecordFailedError: ENTITY_IS_DELETED or INVALID_CROSS_REFERENCE_KEY.
        """
        row = self.store.table(obj).rows.get(record_id)
        if row is None:
            raise RecordFailedError(_cross_reference())
        if row["IsDeleted"]:
            raise RecordFailedError(
                RecordError("ENTITY_IS_DELETED", "entity is deleted")
            )
        return row

    def _apply(self, row: Record, changes: Changes) -> None:
        for fdef, raw in changes:
            value = self._check(fdef, raw)
            if value is None:
                row.pop(fdef.name, None)
                if fdef.type == "boolean":
                    row[fdef.name] = False
            else:
                row[fdef.name] = value

    def _finish(
        self, obj: ObjectDef, row: Record, old: Record | None, now: datetime
    ) -> None:
        derived.derive(self.store, obj, row, old, now)
        missing = derived.missing_required(obj, row)
        if missing:
            raise RecordFailedError(
                RecordError(
                    "REQUIRED_FIELD_MISSING",
                    f"Required fields are missing: [{', '.join(missing)}]",
                    tuple(missing),
                )
            )
        self._check_unique(obj, row)
        row["LastModifiedDate"] = row["SystemModstamp"] = now
        row["LastModifiedById"] = self.store.user_id

    def _check(self, fdef: FieldDef, value: values.FieldValue) -> values.FieldValue:
        if value is None:
            return None
        if fdef.type == "reference":
            return self._check_reference(fdef, value)
        if isinstance(value, str):
            _check_text(fdef, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return _check_number(fdef, value)
        return value

    def _check_reference(self, fdef: FieldDef, value: object) -> str:
        record_id = ids.normalize(str(value))
        if record_id is None:
            raise RecordFailedError(
                RecordError(
                    "MALFORMED_ID",
                    f"{fdef.label}: id value of incorrect type: {value}",
                    (fdef.name,),
                )
            )
        prefixes = {
            obj.key_prefix
            for name in fdef.reference_to
            if (obj := self.store.schema.get(name)) is not None
        }
        if record_id[:3] not in prefixes:
            raise RecordFailedError(
                RecordError(
                    "FIELD_INTEGRITY_EXCEPTION",
                    f"{fdef.label}: id value of incorrect type: {value}",
                    (fdef.name,),
                )
            )
        target = self.store.get(record_id)
        if target is None:
            raise RecordFailedError(_cross_reference())
        if target["IsDeleted"]:
            raise RecordFailedError(
                RecordError("ENTITY_IS_DELETED", "entity is deleted", (fdef.name,))
            )
        return record_id

    def _check_unique(self, obj: ObjectDef, row: Record) -> None:
        table = self.store.table(obj)
        for fdef in obj.lookup_fields:
            value = row.get(fdef.name)
            if not fdef.unique or value is None:
                continue
            others = [rid for rid in table.find(fdef, value) if rid != row.get("Id")]
            if others:
                raise RecordFailedError(
                    RecordError(
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {fdef.name} duplicates value on "
                        "record "
                        f"with id: {others[0]}",
                    )
                )


def auto_name(fdef: FieldDef, number: int) -> str:
    """Render auto number ``number`` in the field's display format (``AP-{00000}``)."""
    match = _AUTO_FORMAT.search(fdef.display_format)
    if match is None:
        return f"{fdef.display_format}{number}"
    digits = f"{number:0{len(match.group(1))}d}"
    return (
        fdef.display_format[: match.start()]
        + digits
        + fdef.display_format[match.end() :]
    )


def _check_text(fdef: FieldDef, value: str) -> None:
    if fdef.length and len(value) > fdef.length:
        raise RecordFailedError(
            RecordError(
                "STRING_TOO_LONG",
                f"{fdef.label}: data value too large: {value[:80]} "
                f"(max length={fdef.length})",
                (fdef.name,),
            )
        )
    if fdef.type == "picklist" and fdef.restricted and value not in fdef.picklist:
        raise RecordFailedError(
            RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"bad value for restricted picklist field: {value}",
                (fdef.name,),
            )
        )
    if fdef.type == "email" and not _EMAIL.match(value):
        raise RecordFailedError(
            RecordError(
                "INVALID_EMAIL_ADDRESS",
                f"{fdef.label}: invalid email address: {value}",
                (fdef.name,),
            )
        )


def _check_number(fdef: FieldDef, value: float) -> float:
    """Check a number against precision/scale and round it to the scale."""
    if fdef.type not in values.FLOAT_TYPES or not fdef.precision:
        return value
    if abs(value) >= 10 ** (fdef.precision - fdef.scale):
        raise RecordFailedError(
            RecordError(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{fdef.label}: value outside of valid range on numeric field: {value}",
                (fdef.name,),
            )
        )
    return round(value, fdef.scale)


def _read_only(names: list[str]) -> RecordError:
    return RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        _READ_ONLY_MESSAGE.format(", ".join(names)),
        tuple(names),
    )


def _cross_reference() -> RecordError:
    return RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
