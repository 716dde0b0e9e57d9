"""Serve ``query`` and ``queryAll`` with cursors and ``nextRecordsUrl`` paging.

Pages hold 2,000 rows unless ``Sforce-Query-Options: batchSize=N`` asks otherwise
(clamped to 200..2,000); the locator is ``<cursorId>-<offsetOfNextRow>`` and even a
queryAll cursor is served under ``/query/`` (docs/salesforce.md §3.1):
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.errors import ApiError, malformed_query
from plansync.emulators.salesforce.http import Request, Response, json_response

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_BATCH = 2000
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_CURSOR_PREFIX = "01g"


@dataclass(slots=True)
class Cursor:
    """The rendered rows of one query, kept for follow-up pages."""

    records: list[dict[str, Any]]
    batch: int


class Cursors:
    """Open query cursors, the oldest evicted once ``capacity`` is reached."""

    def __init__(self, capacity: int = 1000) -> None:
        """Keep at most ``capacity`` cursors."""
        self.capacity = capacity
        self._items: OrderedDict[str, Cursor] = OrderedDict()
        self._counter = 0
        self._lock = threading.Lock()

    def open(self, records: list[dict[str, Any]], batch: int) -> str:
        """Store ``records`` and return the new cursor id."""
        with self._lock:
            self._counter += 1
            cursor_id = ids.mint(_CURSOR_PREFIX, self._counter)
            self._items[cursor_id] = Cursor(records, batch)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return cursor_id

    def get(self, cursor_id: str) -> Cursor | None:
        """Return an open cursor, or None when unknown or evicted."""
        with self._lock:
            return self._items.get(cursor_id)

    def clear(self) -> None:
        """Close every cursor."""
        with self._lock:
            self._items.clear()


def batch_size(req: Request) -> int | None:
    """Read ``Sforce-Query-Options: batchSize=N`` clamped to 200..2,000, if sent."""
    options = req.header("Sforce-Query-Options") or ""
    match = _BATCH.search(options)
    if match is None:
        return None
    return max(MIN_BATCH, min(MAX_BATCH, int(match.group(1))))


def run_query(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /query?q=`` (and ``/queryAll?q=``, chosen by the ``all`` argument)."""
    soql = req.param("q")
    if not soql:
        raise malformed_query("A query string has to be specified")
    outcome = app.engine(args["version"]).run(
        soql, include_deleted=args.get("all") == "1"
    )
    records = outcome.render(args["version"])
    total = outcome.total
    batch = batch_size(req) or DEFAULT_BATCH
    if len(records) <= batch:
        return json_response(
            200, {"totalSize": total, "done": True, "records": records}
        )
    cursor_id = app.cursors.open(records, batch)
    return _page(args["version"], cursor_id, app.cursors.get(cursor_id), 0, total)


def query_more(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /query/<cursorId>-<offset>``: the next page of an open cursor."""
    locator = args["locator"]
    cursor_id, _, raw_offset = locator.rpartition("-")
    cursor = app.cursors.get(cursor_id)
    if cursor is None or not raw_offset.isdigit():
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    batch = batch_size(req) or cursor.batch
    return _page(
        args["version"],
        cursor_id,
        Cursor(cursor.records, batch),
        int(raw_offset),
        len(cursor.records),
    )


def _page(
    version: str, cursor_id: str, cursor: Cursor | None, offset: int, total: int
) -> Response:
    if cursor is None:
        raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    end = offset + cursor.batch
    page = cursor.records[offset:end]
    body: dict[str, Any] = {"totalSize": total, "done": end >= len(cursor.records)}
    if not body["done"]:
        body["nextRecordsUrl"] = f"/services/data/{version}/query/{cursor_id}-{end}"
    body["records"] = page
    return json_response(200, body)
