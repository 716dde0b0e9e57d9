"""Serve the emulator's own control API under ``/__emulator`` (not Salesforce; no auth).

``POST /faults`` adds a fault rule, ``DELETE /faults`` clears them; ``GET /stats``;
``POST /reset`` resets stats, faults and API usage (and data with ``{"data": true}``);
``POST /expire-sessions``; ``POST /limits`` sets ``daily_api_limit`` and ``used``;
``GET /records/{type}`` returns a snapshot of one object's records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.faults import build_rule
from plansync.emulators.salesforce.http import (
    Request,
    Response,
    error_response,
    json_response,
)
from plansync.emulators.salesforce.render import record_json

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_RULE_KEYS = frozenset(
    {
        "count",
        "rate",
        "seed",
        "status",
        "errorCode",
        "error_code",
        "message",
        "path_contains",
        "record_ids",
        "latency_ms",
        "retry_after_s",
    }
)


def handle(app: App, req: Request) -> Response:
    """Answer a control request."""
    parts = [part for part in req.path.split("/") if part][1:]
    try:
        return _dispatch(app, req, parts)
    except ApiError as error:
        return error_response(error)


def _dispatch(app: App, req: Request, parts: list[str]) -> Response:
    actions: dict[tuple[str, str], Callable[[App, Request, list[str]], object]] = {
        ("POST", "faults"): _add_fault,
        ("DELETE", "faults"): lambda app, req, parts: app.faults.clear(),
        ("GET", "stats"): lambda app, req, parts: app.stats.snapshot(app.faults.fired),
        ("POST", "reset"): _reset,
        ("POST", "expire-sessions"): lambda app, req, parts: app.sessions.expire_all(),
        ("POST", "limits"): _limits,
        ("GET", "records"): lambda app, req, parts: records(app, "/".join(parts[1:])),
    }
    action = actions.get((req.method, parts[0] if parts else ""))
    if action is None:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    result = action(app, req, parts)
    return json_response(200, {"ok": True} if result is None else result)


def _add_fault(app: App, req: Request, parts: list[str]) -> None:
    del parts
    spec = req.json_object()
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ApiError(400, "INVALID_FAULT", f"unknown fault keys: {sorted(unknown)}")
    app.faults.add(build_rule(spec))


def _reset(app: App, req: Request, parts: list[str]) -> None:
    del parts
    body = req.json_object() if req.body else {}
    reset(app, data=bool(body.get("data")))


def _limits(app: App, req: Request, parts: list[str]) -> dict[str, int]:
    del parts
    body = req.json_object()
    limit, used = body.get("daily_api_limit"), body.get("used")
    app.usage.configure(
        limit=None if limit is None else int(limit),
        used=None if used is None else int(used),
    )
    return {"daily_api_limit": app.usage.limit, "used": app.usage.used}


def reset(app: App, *, data: bool) -> None:
    """Reset stats, faults and API usage; with ``data``, reload the seeded records."""
    app.stats.reset()
    app.faults.clear()
    app.usage.reset()
    if data:
        with app.store.lock:
            app.cursors.clear()
            app.jobs.clear()
            if app.reseed is not None:
                app.reseed()


def records(app: App, sobject: str) -> list[dict[str, Any]]:
    """Return every record (deleted ones too) of ``sobject`` as REST renders it."""
    obj = app.schema.get(sobject)
    if obj is None:
        raise ApiError(404, "NOT_FOUND", f"unknown sObject {sobject}")
    with app.store.lock:
        rows = list(app.store.table(obj).rows.values())
        return [record_json(obj, row, "v59.0") for row in rows]
