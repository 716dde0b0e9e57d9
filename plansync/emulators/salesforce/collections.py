"""Serve sObject Collections: create, update, upsert, delete, retrieve ≤200 records.

A well-formed request answers 200 with one result per record in request order (errors
under ``statusCode``); with ``allOrNone`` one failure rolls everything back and the
other records report ALL_OR_NONE_OPERATION_ROLLED_BACK (docs/salesforce.md §5.1).
More than 200 records: 400 EXCEEDED_ID_LIMIT, wording as reported from real orgs in
https://github.com/sorenkrabbe/Chrome-Salesforce-inspector/issues/134
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.describe import find_object
from plansync.emulators.salesforce.errors import (
    ApiError,
    RecordError,
    RecordFailedError,
)
from plansync.emulators.salesforce.http import Request, Response, json_response
from plansync.emulators.salesforce.render import record_json
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.writes import Changes, parse_json

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

MAX_RECORDS = 200
ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using "
    "AllOrNone header",
)
# (result without errors, the write to attempt, keys a record-level fault may name)
Item = tuple[dict[str, Any], Callable[[], dict[str, Any]], tuple[str, ...]]


def create(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /composite/sobjects``."""
    del args
    records, all_or_none = _records(req)
    items: list[Item] = []
    for record in records:
        obj = _type_of(app, record, None)
        changes = parse_json(obj, record)
        keys = tuple(str(v) for f, v in changes if v is not None and f.external_id)
        items.append(({}, _creator(app, obj, changes), keys))
    return _run(app, items, all_or_none, keep_ids=False)


def update(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PATCH /composite/sobjects`` (each record carries its ``id``)."""
    del args
    records, all_or_none = _records(req)
    items: list[Item] = []
    for record in records:
        raw_id = str(record.get("id") or record.get("Id") or "")
        record_id = ids.normalize(raw_id)
        if record_id is None:
            error = RecordError("MALFORMED_ID", f"malformed id {raw_id}", ("Id",))
            if not raw_id:
                error = RecordError(
                    "MISSING_ARGUMENT", "Id not specified in an update call"
                )
            items.append(({"id": raw_id or None}, _failing(error), ()))
            continue
        obj = _type_of(app, record, record_id)
        body = {k: v for k, v in record.items() if k not in ("id", "Id")}
        changes = parse_json(obj, body)
        items.append(
            ({"id": record_id}, _updater(app, obj, record_id, changes), (record_id,))
        )
    return _run(app, items, all_or_none)


def upsert(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PATCH /composite/sobjects/{type}/{externalIdField}``."""
    obj = find_object(app, args["type"])
    key_field = obj.field(unquote(args["field"]))
    if key_field is None or not (key_field.external_id or key_field.unique):
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"Field name provided, {unquote(args['field'])} is not an External ID or "
            f"indexed field for {obj.name}",
        )
    records, all_or_none = _records(req)
    table = app.store.table(obj)
    keys = [record.get(key_field.name) for record in records]
    repeated = Counter(table.lookup_key(key_field, k) for k in keys if k is not None)
    items: list[Item] = []
    for record, key in zip(records, keys, strict=True):
        changes = parse_json(obj, record)
        if key is None:
            error = RecordError("MISSING_ARGUMENT", f"{key_field.name} not specified")
            items.append(({"created": False}, _failing(error), ()))
        elif repeated[table.lookup_key(key_field, key)] > 1:
            error = RecordError(
                "DUPLICATE_EXTERNAL_ID",
                f"Duplicate external id specified: {key}",
                (key_field.name,),
            )
            items.append(({"created": False}, _failing(error), (str(key),)))
        else:
            items.append(
                (
                    {},
                    _upserter(app, obj, key_field.name, str(key), changes),
                    (str(key),),
                )
            )
    return _run(app, items, all_or_none)


def delete(app: App, req: Request, args: dict[str, str]) -> Response:
    """``DELETE /composite/sobjects?ids=a,b&allOrNone=false``."""
    del args
    raw_ids = [value for value in (req.param("ids") or "").split(",") if value]
    if len(raw_ids) > MAX_RECORDS:
        raise _too_many()
    all_or_none = (req.param("allOrNone") or "false").lower() == "true"
    items: list[Item] = []
    for raw_id in raw_ids:
        record_id = ids.normalize(raw_id)
        if record_id is None:
            error = RecordError("MALFORMED_ID", f"malformed id {raw_id}", ())
            items.append(({"id": raw_id}, _failing(error), ()))
            continue
        items.append(({"id": record_id}, _deleter(app, record_id), (record_id,)))
    return _run(app, items, all_or_none)


def retrieve(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET|POST /composite/sobjects/{type}?ids=&fields=``: records or null per id."""
    obj = find_object(app, args["type"])
    if req.method == "POST":
        body = req.json_object()
        raw_ids, names = list(body.get("ids") or []), list(body.get("fields") or [])
    else:
        raw_ids = (req.param("ids") or "").split(",")
        names = (req.param("fields") or "Id").split(",")
    fields = []
    for name in names:
        fdef = obj.field(name.strip())
        if fdef is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'"
            )
        fields.append(fdef.name)
    table = app.store.table(obj)
    out: list[dict[str, Any] | None] = []
    for raw_id in raw_ids:
        row = table.rows.get(ids.normalize(str(raw_id)) or "")
        live = row is not None and not row["IsDeleted"]
        out.append(
            record_json(obj, row, args["version"], fields) if live and row else None
        )
    return json_response(200, out)


def _run(
    app: App, items: list[Item], all_or_none: bool, *, keep_ids: bool = True
) -> Response:
    results: list[dict[str, Any]] = []
    with app.store.transaction() as rollback:
        for base, action, keys in items:
            if keys and app.faults.record_fails(keys):
                record_id = keys[0]
                results.append(
                    _failure(
                        base,
                        [
                            RecordError(
                                "UNABLE_TO_LOCK_ROW",
                                "unable to obtain exclusive access to this record "
                                f"or 1 records: {record_id}",
                            )
                        ],
                    )
                )
                continue
            try:
                results.append({**base, **action(), "success": True, "errors": []})
            except RecordFailedError as failure:
                results.append(_failure(base, failure.errors))
        failed = any(not result["success"] for result in results)
        if all_or_none and failed:
            rollback()
            results = [
                result
                if not result["success"]
                else _failure(
                    _rolled_back_base(result, keep_ids=keep_ids), [ROLLED_BACK]
                )
                for result in results
            ]
    app.count_writes(sum(1 for result in results if result["success"]))
    return json_response(200, [_ordered(result) for result in results])


def _records(req: Request) -> tuple[list[dict[str, Any]], bool]:
    body = req.json_object()
    records = body.get("records")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", "records must be a list of objects")
    if len(records) > MAX_RECORDS:
        raise _too_many()
    return records, bool(body.get("allOrNone", False))


def _type_of(app: App, record: dict[str, Any], record_id: str | None) -> ObjectDef:
    attributes = record.get("attributes")
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if name:
        return find_object(app, str(name))
    obj = app.schema.for_id(record_id) if record_id else None
    if obj is None:
        raise ApiError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    return obj


def _creator(
    app: App, obj: ObjectDef, changes: Changes
) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": app.writer.create(obj, changes)["Id"]}


def _updater(
    app: App, obj: ObjectDef, record_id: str, changes: Changes
) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": app.writer.update(obj, record_id, changes)["Id"]}


def _deleter(app: App, record_id: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"id": app.writer.delete(record_id)["Id"]}


def _upserter(
    app: App, obj: ObjectDef, field_name: str, key: str, changes: Changes
) -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        table = app.store.table(obj)
        fdef = obj.fields[field_name.lower()]
        matches = table.find(fdef, key)
        if len(matches) > 1:
            raise RecordFailedError(
                RecordError(
                    "DUPLICATE_EXTERNAL_ID",
                    f"{field_name}: more than one record found for external id field: "
                    f"[{', '.join(matches)}]",
                    (field_name,),
                )
            )
        if matches:
            return {
                "id": app.writer.update(obj, matches[0], changes)["Id"],
                "created": False,
            }
        return {"id": app.writer.create(obj, changes)["Id"], "created": True}

    return run


def _failing(error: RecordError) -> Callable[[], dict[str, Any]]:
    def fail() -> dict[str, Any]:
        raise RecordFailedError(error)

    return fail


def _failure(base: dict[str, Any], errors: list[RecordError]) -> dict[str, Any]:
    return {**base, "success": False, "errors": [error.as_result() for error in errors]}


def _rolled_back_base(result: dict[str, Any], *, keep_ids: bool) -> dict[str, Any]:
    base = {key: value for key, value in result.items() if key in ("id", "created")}
    if not keep_ids or base.get("created"):
        base.pop("id", None)
    if "created" in base:
        base["created"] = False
    return base


def _ordered(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "success", "errors", "created")
    return {key: result[key] for key in keys if key in result}


def _too_many() -> ApiError:
    return ApiError(
        400,
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
