"""Serve Bulk API 2.0 ingest jobs: create, upload CSV, close or abort, poll, results.

State machine Open → UploadComplete → InProgress → JobComplete (or Aborted/Failed).
Data is processed when the job is closed; the close answer says UploadComplete and
the ``App.bulk_job_polls``-th status poll after it JobComplete (the first one by
default, as for a small job on a real org; earlier polls say InProgress). Upload
answers 201 with no body; results are CSV with ``sf__Id``/``sf__Created`` or
``sf__Id``/``sf__Error`` columns first; the result path segment is matched
case-insensitively because simple-salesforce asks for ``unprocessedRecords``
(docs/salesforce.md §6.3-6.4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce.bulk2_jobs import IngestJob, find_job, job_list
from plansync.emulators.salesforce.bulk2_rows import process_job
from plansync.emulators.salesforce.csvio import DELIMITERS, LINE_ENDINGS, write_csv
from plansync.emulators.salesforce.describe import find_object
from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import (
    Request,
    Response,
    csv_response,
    empty_response,
    json_response,
)

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")


def create(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /jobs/ingest``."""
    body = req.json_object()
    operation = str(body.get("operation", ""))
    if operation not in _OPERATIONS:
        raise ApiError(
            400, "INVALIDJOB", f"InvalidJob : Invalid operation: {operation}"
        )
    obj = find_object(app, str(body.get("object", "")))
    external = body.get("externalIdFieldName")
    if operation == "upsert":
        key = obj.field(str(external or ""))
        if key is None or not (key.external_id or key.unique or key.name == "Id"):
            raise ApiError(
                400,
                "INVALIDJOB",
                f"InvalidJob : External ID was blank or invalid for {obj.name}",
            )
        external = key.name
    delimiter = str(body.get("columnDelimiter", "COMMA"))
    line_ending = str(body.get("lineEnding", "LF"))
    if delimiter not in DELIMITERS or line_ending not in LINE_ENDINGS:
        raise ApiError(
            400, "INVALIDJOB", "InvalidJob : invalid columnDelimiter or lineEnding"
        )
    job = IngestJob(
        id=app.jobs.new_id(),
        operation=operation,
        object=obj.name,
        external_id_field=str(external) if operation == "upsert" else None,
        delimiter=delimiter,
        line_ending=line_ending,
        version=args["version"],
        created=app.store.clock.now(),
        created_by=app.store.user_id,
        polls_left=app.bulk_job_polls,
    )
    app.jobs.add(job)
    return json_response(200, job.info(full=False))


def upload(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PUT /jobs/ingest/{id}/batches`` → 201 Created."""
    job = find_job(app, args["job"], IngestJob)
    if job.state != "Open":
        raise ApiError(
            409, "INVALIDJOBSTATE", f"Job {job.id} is not open for data upload"
        )
    job.uploads.append(req.body.decode("utf-8-sig"))
    app.bulk_batches += 1
    return empty_response(201)


def change_state(app: App, req: Request, args: dict[str, str]) -> Response:
    """``PATCH /jobs/ingest/{id}`` with ``{"state": "UploadComplete" | "Aborted"}``."""
    job = find_job(app, args["job"], IngestJob)
    state = str(req.json_object().get("state", ""))
    if state == "UploadComplete" and job.state == "Open":
        job.state = "UploadComplete"
        job.modstamp = app.store.clock.now()
        written = process_job(app, job)
        app.count_writes(written)
        return json_response(200, job.info(full=False))
    if state == "Aborted" and job.state in ("Open", "UploadComplete", "InProgress"):
        job.abort(app.store.clock.now())
        return json_response(200, job.info(full=False))
    raise ApiError(
        400,
        "INVALIDJOBSTATE",
        f"Job {job.id} cannot change from {job.state} to {state}",
    )


def info(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/ingest/{id}``."""
    del req
    job = find_job(app, args["job"], IngestJob)
    job.poll()
    return json_response(200, job.info(full=True))


def remove(app: App, req: Request, args: dict[str, str]) -> Response:
    """``DELETE /jobs/ingest/{id}``."""
    del req
    job = find_job(app, args["job"], IngestJob)
    app.jobs.remove(job.id)
    return empty_response(204)


def listing(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/ingest``."""
    del req, args
    return json_response(200, job_list(app, IngestJob))


def results(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /jobs/ingest/{id}/successfulResults|failedResults|unprocessedrecords``."""
    del req
    job = find_job(app, args["job"], IngestJob)
    kind = args["kind"].lower()
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "successfulresults": (["sf__Id", "sf__Created", *job.header], job.successes),
        "failedresults": (["sf__Id", "sf__Error", *job.header], job.failures),
        "unprocessedrecords": (job.header, job.unprocessed),
    }
    if kind not in tables:
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    header, rows = tables[kind]
    if not header:
        return csv_response("")
    return csv_response(
        write_csv(header, rows, delimiter=job.delimiter, line_ending=job.line_ending)
    )
