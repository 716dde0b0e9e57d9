"""Serve single-record sObject resources: CRUD, upsert and read by external id.

Statuses per docs/salesforce.md §4: create 201 ``{id, success, errors}``; update and
delete 204; upsert 201 ``created:true`` / 200 ``created:false`` (API ≥ 46.0, the
``created`` key is documented for 46.0+:
https://developer.salesforce.com/docs/atlas.ja-jp.api_rest.meta/api_rest/dome_upsert.htm)
/ 300 with the matching record URLs; 404 NOT_FOUND or ENTITY_IS_DELETED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote, unquote_plus

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.describe import find_object
from plansync.emulators.salesforce.errors import ApiError, RecordFailedError, not_found
from plansync.emulators.salesforce.http import (
    Request,
    Response,
    empty_response,
    json_response,
)
from plansync.emulators.salesforce.render import record_json
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.store import Record
from plansync.emulators.salesforce.writes import parse_json

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_CREATED_FLAG_SINCE = 46.0


def create(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /sobjects/{type}`` (also ``POST /sobjects/{type}/Id``)."""
    obj = find_object(app, args["type"])
    changes = parse_json(obj, req.json_object())
    row = _write(lambda: app.writer.create(obj, changes))
    app.count_writes(1)
    location = f"/services/data/{args['version']}/sobjects/{obj.name}/{row['Id']}"
    return json_response(
        201, {"id": row["Id"], "success": True, "errors": []}, {"Location": location}
    )


def read(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /sobjects/{type}/{id}[?fields=A,B]``."""
    obj = find_object(app, args["type"])
    row = _record(app, obj, args["id"])
    return json_response(200, record_json(obj, row, args["version"], _fields(obj, req)))


def update(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PATCH /sobjects/{type}/{id}`` → 204."""
    obj = find_object(app, args["type"])
    row = _record(app, obj, args["id"])
    changes = parse_json(obj, req.json_object())
    _write(lambda: app.writer.update(obj, row["Id"], changes))
    app.count_writes(1)
    return empty_response(204)


def delete(app: App, req: Request, args: dict[str, str]) -> Response:
    """``DELETE /sobjects/{type}/{id}`` → 204 (soft delete)."""
    del req
    obj = find_object(app, args["type"])
    row = _record(app, obj, args["id"])
    _write(lambda: app.writer.delete(row["Id"]))
    app.count_writes(1)
    return empty_response(204)


def by_external_id(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET|PATCH|DELETE /sobjects/{type}/{field}/{value}``."""
    obj = find_object(app, args["type"])
    field_name = unquote(args["field"])
    value = unquote_plus(args["value"])
    if field_name.lower() == "id":
        record_args = {**args, "id": args["value"]}
        handlers = {"GET": read, "PATCH": update, "DELETE": delete}
        return handlers[req.method](app, req, record_args)
    fdef = obj.field(field_name)
    if fdef is None or not (fdef.external_id or fdef.unique or fdef.name_field):
        raise ApiError(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: "
            f"{field_name}",
        )
    matches = app.store.table(obj).find(fdef, value)
    if len(matches) > 1:
        version = args["version"]
        return json_response(
            300,
            [f"/services/data/{version}/sobjects/{obj.name}/{rid}" for rid in matches],
        )
    if req.method == "GET":
        if not matches:
            raise not_found()
        row = app.store.table(obj).rows[matches[0]]
        return json_response(
            200, record_json(obj, row, args["version"], _fields(obj, req))
        )
    if req.method == "DELETE":
        if not matches:
            raise not_found()
        return delete(app, req, {**args, "id": matches[0]})
    return _upsert(
        app,
        req,
        obj=obj,
        key=(fdef.name, value),
        matches=matches,
        version=args["version"],
    )


def _upsert(
    app: App,
    req: Request,
    *,
    obj: ObjectDef,
    key: tuple[str, str],
    matches: list[str],
    version: str,
) -> Response:
    field_name, value = key
    body = req.json_object()
    if any(name.lower() == field_name.lower() for name in body):
        raise ApiError(
            400,
            "INVALID_FIELD",
            f"The external ID field {field_name} cannot be set in the body of an "
            "upsert "
            "that uses it as the key",
        )
    changes = parse_json(obj, body)
    if not matches:
        if req.param("updateOnly") == "true":
            raise not_found()
        key_field = obj.field(field_name)
        if key_field is None:
            raise not_found()
        row = _write(lambda: app.writer.create(obj, [*changes, (key_field, value)]))
        app.count_writes(1)
        return json_response(
            201, {"id": row["Id"], "success": True, "errors": [], "created": True}
        )
    row = _write(lambda: app.writer.update(obj, matches[0], changes))
    app.count_writes(1)
    if float(version.lstrip("v")) < _CREATED_FLAG_SINCE:
        return empty_response(204)
    return json_response(
        200, {"id": row["Id"], "success": True, "errors": [], "created": False}
    )


def _record(app: App, obj: ObjectDef, raw_id: str) -> Record:
    """Return the record a URL segment names, or raise the REST error for it."""
    decoded = unquote(raw_id)
    record_id = ids.normalize(decoded)
    if record_id is None:
        if ids.looks_like_id(decoded):
            raise ApiError(
                400, "MALFORMED_ID", f"malformed id {decoded}", fields=("Id",)
            )
        raise ApiError(
            404,
            "NOT_FOUND",
            "Provided external ID field does not exist or is not accessible: "
            f"{decoded}",
        )
    row = app.store.table(obj).rows.get(record_id)
    if row is None:
        raise not_found()
    if row["IsDeleted"]:
        raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", fields=())
    return row


def _fields(obj: ObjectDef, req: Request) -> list[str] | None:
    raw = req.param("fields")
    if not raw:
        return None
    names = []
    for name in (part.strip() for part in raw.split(",")):
        fdef = obj.field(name)
        if fdef is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'"
            )
        names.append(fdef.name)
    return names


def _write(action: Callable[[], Record]) -> Record:
    try:
        row: Record = action()
    except RecordFailedError as failure:
        error = failure.first()
        status = 404 if error.code == "ENTITY_IS_DELETED" else 400
        raise ApiError(status, error.code, error.message, fields=error.fields) from None
    return row
