"""Keep Bulk API 2.0 jobs and render their job-info documents.

Job info fields follow the Bulk API 2.0 guide's examples (docs/salesforce.md §6.2-6.3);
``contentUrl`` has no leading slash and is only present while an ingest job is open.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from plansync.emulators.salesforce import ids
from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.soql_fields import Column
from plansync.emulators.salesforce.store import Record
from plansync.emulators.salesforce.values import format_datetime

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_JOB_PREFIX = "750"
_TERMINAL = ("JobComplete", "Failed", "Aborted")


@dataclass(slots=True)
class Job:
    """What ingest and query jobs share."""

    id: str
    operation: str
    object: str
    delimiter: str
    line_ending: str
    version: str
    created: datetime
    created_by: str
    state: str = "Open"
    modstamp: datetime | None = None
    processed: int = 0
    polls_left: int = 1
    error_message: str | None = None

    def poll(self) -> None:
        """Advance the polled state: UploadComplete → InProgress → JobComplete.

        The ``polls_left``-th status poll after the job was closed finds it done
        (1: the first one, as a small job on a real org would be by then).
        """
        if self.state in ("UploadComplete", "InProgress"):
            self.polls_left -= 1
            if self.polls_left > 0:
                self.state = "InProgress"
            else:
                self.state = "Failed" if self.error_message else "JobComplete"

    def base_info(self) -> dict[str, Any]:
        """Return the fields every job-info document starts with."""
        return {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created),
            "systemModstamp": format_datetime(self.modstamp or self.created),
            "state": self.state,
        }

    def tail_info(self) -> dict[str, Any]:
        """Return the format fields that close every job-info document."""
        return {
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version.lstrip("v")),
        }


@dataclass(slots=True)
class IngestJob(Job):
    """An ingest job and its per-row outcomes."""

    external_id_field: str | None = None
    uploads: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    successes: list[list[Any]] = field(default_factory=list)
    failures: list[list[Any]] = field(default_factory=list)
    unprocessed: list[list[Any]] = field(default_factory=list)

    def abort(self, now: datetime) -> None:
        """Abort: nothing more is processed; uploaded rows count as unprocessed."""
        self.state = "Aborted"
        self.modstamp = now

    def info(self, *, full: bool) -> dict[str, Any]:
        """Return the job-info document (create/close answer or full poll answer)."""
        body = self.base_info()
        if self.external_id_field:
            body["externalIdFieldName"] = self.external_id_field
        body.update(self.tail_info())
        if self.state == "Open":
            body["contentUrl"] = (
                f"services/data/{self.version}/jobs/ingest/{self.id}/batches"
            )
        body.update({"lineEnding": self.line_ending, "columnDelimiter": self.delimiter})
        if full:
            body.update(
                {
                    "jobType": "V2Ingest",
                    "numberRecordsProcessed": self.processed
                    if self.state in _TERMINAL
                    else 0,
                    "numberRecordsFailed": len(self.failures)
                    if self.state in _TERMINAL
                    else 0,
                    "retries": 0,
                    "totalProcessingTime": 0,
                    "apiActiveProcessingTime": 0,
                    "apexProcessingTime": 0,
                }
            )
            if self.error_message and self.state == "Failed":
                body["errorMessage"] = self.error_message
        return body


@dataclass(slots=True)
class QueryJob(Job):
    """A query job with its evaluated rows."""

    columns: list[Column] = field(default_factory=list)
    rows: list[Record] = field(default_factory=list)

    def info(self, *, full: bool) -> dict[str, Any]:
        """Return the job-info document."""
        body = {**self.base_info(), **self.tail_info()}
        body.update({"lineEnding": self.line_ending, "columnDelimiter": self.delimiter})
        if full:
            body.update(
                {
                    "jobType": "V2Query",
                    "numberRecordsProcessed": len(self.rows)
                    if self.state in _TERMINAL
                    else 0,
                    "retries": 0,
                    "totalProcessingTime": 0,
                    "isPkChunkingSupported": True,
                }
            )
        return body


JobT = TypeVar("JobT", IngestJob, QueryJob)


class Jobs:
    """All jobs by id."""

    def __init__(self) -> None:
        """Start empty."""
        self._jobs: dict[str, Job] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """Mint a job id (key prefix 750)."""
        with self._lock:
            self._counter += 1
            return ids.mint(_JOB_PREFIX, self._counter)

    def add(self, job: Job) -> None:
        """Register ``job``."""
        with self._lock:
            self._jobs[job.id] = job

    def get(self, job_id: str) -> Job | None:
        """Return a job by id (15 or 18 characters)."""
        with self._lock:
            return self._jobs.get(ids.normalize(job_id) or job_id)

    def remove(self, job_id: str) -> None:
        """Forget a job."""
        with self._lock:
            self._jobs.pop(job_id, None)

    def all(self) -> list[Job]:
        """Return every job."""
        with self._lock:
            return list(self._jobs.values())

    def clear(self) -> None:
        """Forget every job."""
        with self._lock:
            self._jobs.clear()


def find_job(app: App, job_id: str, kind: type[JobT]) -> JobT:
    """Return the job ``job_id`` of the given kind.

    Raises:
        ApiError: 404 NOT_FOUND when there is no such job.
    """
    job = app.jobs.get(job_id)
    if not isinstance(job, kind):
        raise ApiError(404, "NOT_FOUND", f"Could not find job with id {job_id}")
    return job


def job_list(app: App, kind: type[JobT]) -> dict[str, Any]:
    """Return the ``GET /jobs/ingest`` (or ``/jobs/query``) listing."""
    records = [job.info(full=False) for job in app.jobs.all() if isinstance(job, kind)]
    return {"done": True, "records": records, "nextRecordsUrl": None}
