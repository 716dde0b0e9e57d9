"""Apply the rows of a closed Bulk API 2.0 ingest job, one record at a time.

CSV rules (docs/salesforce.md §6.3): the header names fields (``Rel.ExtField`` sets a
lookup by the parent's external id); an empty cell is ignored, ``#N/A`` sets null;
per-row errors are ``CODE:message:fields --``. An unknown column fails the whole job.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_csv_valid_record_rows.htm
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce import ids, values
from plansync.emulators.salesforce.bulk2_jobs import IngestJob
from plansync.emulators.salesforce.csvio import read_csv
from plansync.emulators.salesforce.errors import RecordError, RecordFailedError
from plansync.emulators.salesforce.fields import FieldDef
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.writes import Changes

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

NULL_MARKER = "#N/A"
# Reads one column's cell into a (field, value) change, or None to skip it.
Reader = Callable[[str], tuple[FieldDef, Any] | None]


def process_job(app: App, job: IngestJob) -> int:
    """Process every uploaded row of ``job``; return how many records were written."""
    obj = app.schema.get(job.object)
    if obj is None:
        job.error_message = f"InvalidJob : unknown object {job.object}"
        return 0
    rows: list[list[str]] = []
    for upload in job.uploads:
        try:
            header, data = read_csv(upload, job.delimiter)
        except ValueError:
            continue
        job.header = job.header or header
        rows.extend(data)
    try:
        readers = [_reader(app, obj, name) for name in job.header]
    except ValueError as problem:
        job.error_message = f"InvalidBatch : {problem}"
        job.unprocessed = [list(row) for row in rows]
        return 0
    if job.operation in ("delete", "hardDelete") and [
        h.lower() for h in job.header
    ] != ["id"]:
        job.error_message = "InvalidBatch : The 'delete' batch must contain only 'Id'"
        job.unprocessed = [list(row) for row in rows]
        return 0
    written = 0
    for row in rows:
        cells = (row + [""] * len(job.header))[: len(job.header)]
        try:
            record_id, created = _apply(app, obj, job, readers, cells)
        except RecordFailedError as failure:
            job.failures.append(
                [_failed_id(job, cells), failure.first().as_bulk(), *cells]
            )
            continue
        job.successes.append([record_id, "true" if created else "false", *cells])
        written += 1
    job.processed = len(rows)
    return written


def _apply(
    app: App, obj: ObjectDef, job: IngestJob, readers: list[Reader], cells: list[str]
) -> tuple[str, bool]:
    lowered = [name.lower() for name in job.header]
    keyed = dict(zip(lowered, cells, strict=True))
    key_name = (job.external_id_field or "Id").lower()
    fault_keys = [value for value in (keyed.get("id"), keyed.get(key_name)) if value]
    if fault_keys and app.faults.record_fails(fault_keys):
        raise RecordFailedError(
            RecordError(
                "UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record or 1 records: "
                f"{fault_keys[0]}",
            )
        )
    changes: Changes = []
    for reader, name, cell in zip(readers, lowered, cells, strict=True):
        if name == "id" and job.operation != "insert":
            continue
        change = reader(cell)
        if change is not None:
            changes.append(change)
    operation = job.operation
    if operation == "insert":
        return app.writer.create(obj, changes)["Id"], True
    if operation in ("update", "delete", "hardDelete"):
        record_id = _record_id(keyed.get("id", ""))
        if operation == "update":
            return app.writer.update(obj, record_id, changes)["Id"], False
        if operation == "delete":
            return app.writer.delete(record_id)["Id"], False
        row = app.writer.existing(obj, record_id)
        app.store.hard_delete(app.store.table(obj), row)
        return record_id, False
    return _upsert(app, obj, job, keyed, changes)


def _upsert(
    app: App, obj: ObjectDef, job: IngestJob, keyed: dict[str, str], changes: Changes
) -> tuple[str, bool]:
    key_field = obj.fields[(job.external_id_field or "Id").lower()]
    key = keyed.get(key_field.name.lower(), "")
    if key_field.name == "Id":
        if not key:
            return app.writer.create(obj, changes)["Id"], True
        return app.writer.update(obj, _record_id(key), changes)["Id"], False
    matches = app.store.table(obj).find(key_field, key) if key else []
    if len(matches) > 1:
        raise RecordFailedError(
            RecordError(
                "DUPLICATE_EXTERNAL_ID",
                f"{key_field.name}: more than one record found for external id field: "
                f"[{', '.join(matches)}]",
                (key_field.name,),
            )
        )
    if matches:
        return app.writer.update(obj, matches[0], changes)["Id"], False
    return app.writer.create(obj, changes)["Id"], True


def _reader(app: App, obj: ObjectDef, column: str) -> Reader:
    """Build the cell reader of one header column.

    Raises:
        ValueError: the column names no field (``Field name not found : X``).
    """
    if "." in column:
        return _relationship_reader(app, obj, column)
    fdef = obj.field(column)
    if fdef is None:
        raise ValueError(f"Field name not found : {column}")

    def read(cell: str) -> tuple[FieldDef, Any] | None:
        if cell == "":
            return None
        if cell == NULL_MARKER:
            return fdef, None
        try:
            return fdef, values.from_text(fdef, cell)
        except values.ValueTypeError:
            raise RecordFailedError(
                RecordError(
                    "INVALID_TYPE_ON_FIELD_IN_RECORD",
                    f"{fdef.label}: value not of required type: {cell}",
                    (fdef.name,),
                )
            ) from None

    return read


def _relationship_reader(app: App, obj: ObjectDef, column: str) -> Reader:
    relationship, _, key_name = column.partition(".")
    ref = obj.relationship(relationship)
    target = app.schema.get(ref.reference_to[0]) if ref and ref.reference_to else None
    key_field = target.field(key_name) if target else None
    if ref is None or target is None or key_field is None:
        raise ValueError(f"Field name not found : {column}")
    table = app.store.table(target)

    def read(cell: str) -> tuple[FieldDef, Any] | None:
        if cell == "":
            return None
        matches = table.find(key_field, cell)
        if len(matches) != 1:
            raise RecordFailedError(
                RecordError(
                    "INVALID_FIELD",
                    f"Foreign key external ID: {cell} not found for field "
                    f"{key_field.name} in "
                    f"entity {target.name}",
                    (ref.name,),
                )
            )
        return ref, matches[0]

    return read


def _record_id(raw: str) -> str:
    record_id = ids.normalize(raw)
    if record_id is None:
        raise RecordFailedError(
            RecordError("MALFORMED_ID", f"malformed id {raw}", ("Id",))
        )
    return record_id


def _failed_id(job: IngestJob, cells: list[str]) -> str:
    if job.operation == "insert":
        return ""
    lowered = [name.lower() for name in job.header]
    return cells[lowered.index("id")] if "id" in lowered else ""
