"""Serve getUpdated and getDeleted: ``/sobjects/{type}/updated/`` and ``/deleted/``.

Times are truncated to the minute; updated looks back at most 30 days, deleted 15
(docs/salesforce.md §7); start must precede end, else INVALID_REPLICATION_DATE
(https://developer.salesforce.com/docs/atlas.en-us.204.0.api.meta/api/sforce_api_calls_getdeleted.htm).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from plansync.emulators.salesforce.describe import find_object
from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import Request, Response, json_response
from plansync.emulators.salesforce.values import format_datetime, parse_datetime

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_UPDATED_DAYS = 30
_DELETED_DAYS = 15


def updated(app: App, req: Request, args: dict[str, str]) -> Response:
    """List ids of records changed between ``start`` and ``end``."""
    obj = find_object(app, args["type"])
    start, end = _window(app, req, _UPDATED_DAYS)
    table = app.store.table(obj)
    found = [
        rid
        for rid, row in table.rows.items()
        if not row["IsDeleted"] and start <= row["SystemModstamp"] < end
    ]
    return json_response(200, {"ids": found, "latestDateCovered": _latest(app, end)})


def deleted(app: App, req: Request, args: dict[str, str]) -> Response:
    """List records deleted between ``start`` and ``end`` with their deletion times."""
    obj = find_object(app, args["type"])
    start, end = _window(app, req, _DELETED_DAYS)
    table = app.store.table(obj)
    gone = sorted(
        (row["_deleted_at"], rid)
        for rid, row in table.rows.items()
        if row["IsDeleted"] and start <= row["_deleted_at"] < end
    )
    earliest = _minute(app.store.clock.now() - timedelta(days=_DELETED_DAYS))
    return json_response(
        200,
        {
            "deletedRecords": [
                {"id": rid, "deletedDate": format_datetime(stamp)}
                for stamp, rid in gone
            ],
            "earliestDateAvailable": format_datetime(earliest),
            "latestDateCovered": _latest(app, end),
        },
    )


def _window(app: App, req: Request, days: int) -> tuple[datetime, datetime]:
    start = parse_datetime(req.param("start") or "")
    end = parse_datetime(req.param("end") or "")
    if start is None or end is None:
        raise ApiError(400, "MISSING_ARGUMENT", "start and end are required dateTimes")
    start, end = _minute(start), _minute(end)
    now = app.store.clock.now()
    if start >= end:
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate",
        )
    if start < now - timedelta(days=days):
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            f"startDate cannot be more than {days} days ago",
        )
    return start, end


def _latest(app: App, end: datetime) -> str:
    return format_datetime(min(end, _minute(app.store.clock.now())))


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)
