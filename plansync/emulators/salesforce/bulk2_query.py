"""Serve Bulk API 2.0 query jobs: create, poll, page through CSV results, abort, delete.

Results pages carry ``Sforce-NumberOfRecords`` always and ``Sforce-Locator`` with the
literal ``null`` on the last page (simple-salesforce needs both); OFFSET, GROUP BY and
aggregates are refused (docs/salesforce.md §6.2).
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from plansync.emulators.salesforce import values
from plansync.emulators.salesforce.bulk2_jobs import QueryJob, find_job, job_list
from plansync.emulators.salesforce.csvio import DELIMITERS, LINE_ENDINGS, write_csv
from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import (
    Request,
    Response,
    csv_response,
    empty_response,
    json_response,
)
from plansync.emulators.salesforce.soql_engine import check_bulk_query

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

DEFAULT_MAX_RECORDS = 50000


def create(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /jobs/query``: evaluate the SOQL now, report UploadComplete."""
    body = req.json_object()
    operation = str(body.get("operation", "query"))
    if operation not in ("query", "queryAll"):
        raise ApiError(
            400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}"
        )
    delimiter = str(body.get("columnDelimiter", "COMMA"))
    line_ending = str(body.get("lineEnding", "LF"))
    if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
        raise ApiError(
            400, "INVALIDJOB", "InvalidJob : invalid columnDelimiter or lineEnding"
        )
    outcome = app.engine(args["version"]).run(
        str(body.get("query", "")), include_deleted=operation == "queryAll"
    )
    check_bulk_query(outcome.query)
    job = QueryJob(
        id=app.jobs.new_id(),
        operation=operation,
        object=outcome.obj.name,
        delimiter=delimiter,
        line_ending=line_ending,
        version=args["version"],
        created=app.store.clock.now(),
        created_by=app.store.user_id,
        state="UploadComplete",
        polls_left=app.bulk_job_polls,
        columns=outcome.columns,
        rows=outcome.rows,
    )
    app.jobs.add(job)
    app.bulk_query_jobs += 1
    return json_response(200, job.info(full=False))


def info(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/query/{id}``."""
    del req
    job = find_job(app, args["job"], QueryJob)
    job.poll()
    return json_response(200, job.info(full=True))


def change_state(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PATCH /jobs/query/{id}`` with ``{"state": "Aborted"}``."""
    job = find_job(app, args["job"], QueryJob)
    if req.json_object().get("state") != "Aborted" or job.state in (
        "JobComplete",
        "Failed",
    ):
        raise ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} cannot be aborted now")
    job.state = "Aborted"
    return json_response(200, job.info(full=False))


def remove(app: App, req: Request, args: dict[str, str]) -> Response:
    """``DELETE /jobs/query/{id}``."""
    del req
    job = find_job(app, args["job"], QueryJob)
    app.jobs.remove(job.id)
    return empty_response(204)


def listing(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/query``."""
    del req, args
    return json_response(200, job_list(app, QueryJob))


def results(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/query/{id}/results[?locator=&maxRecords=]``: one CSV page."""
    job = find_job(app, args["job"], QueryJob)
    if job.state == "Aborted":
        raise ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} was aborted")
    job.state = "JobComplete"
    start = _offset(req.param("locator"))
    size = int(req.param("maxRecords") or DEFAULT_MAX_RECORDS)
    page = job.rows[start : start + size]
    end = start + len(page)
    locator = _locator(end) if end < len(job.rows) else "null"
    columns = job.columns
    text = write_csv(
        [col.label for col in columns],
        ([values.to_csv(col.leaf, col.get(row)) for col in columns] for row in page),
        delimiter=job.delimiter,
        line_ending=job.line_ending,
    )
    return csv_response(
        text, {"Sforce-NumberOfRecords": str(len(page)), "Sforce-Locator": locator}
    )


def _locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str | None) -> int:
    if not locator or locator == "null":
        return 0
    try:
        padded = locator + "=" * (-len(locator) % 4)
        return int(base64.b64decode(padded).decode())
    except (ValueError, binascii.Error):
        raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}") from None
