"""Run Bulk API 2.0 ingest jobs by direct REST calls, as few as each job needs.

A clean job costs four calls: create it, upload the CSV, close it (state
``UploadComplete``), and poll its state until ``JobComplete``
(docs/salesforce.md §6.3,
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0_ingest.htm).
simple-salesforce's ``bulk2`` helper spends three more on every job: a second
status read after the poll loop, and the successful and failed result files
whether anything needs them. Here the failed and unprocessed files are fetched
only when the final job info counts such rows, and the successful file only when
the caller needs the ids of created records: every row of a completed job that
is in neither of the other two files succeeded.

The calls go through the simple-salesforce client's own session and its
``bulk2_url`` (``util.call_salesforce`` raises simple-salesforce's exceptions on
any status ≥ 300), inside ``SalesforceApi.call``, so errors are translated by
``_translate_errors`` like every other call, and transient faults are retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceOperationError
from simple_salesforce.util import call_salesforce

from plansync.connectors.salesforce.api import SalesforceApi
from plansync.connectors.salesforce.bulk_csv import (
    CsvPart,
    IngestRow,
    parse_ingest_results,
)

JSON = "application/json"
CSV = "text/csv"
DONE = "JobComplete"
ENDED = frozenset({"Failed", "Aborted"})
MAX_POLLS = 720
MAX_POLL_WAIT_S = 10.0
"""Polls back off to this wait; 720 of them give a job two hours at least."""


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """The rows a set of ingest jobs reported on.

    ``rows`` holds every failed and unprocessed row, and every successful one
    when ``lists_successes``; otherwise a row not listed succeeded.
    """

    rows: list[IngestRow]
    lists_successes: bool


class BulkIngest:
    """Load CSV into one object through Bulk API 2.0 ingest jobs."""

    def __init__(
        self,
        api: SalesforceApi,
        *,
        sleep: Callable[[float], None],
        first_wait_s: float,
    ) -> None:
        """Call through ``api``; wait ``first_wait_s`` before a job's first poll."""
        self.api = api
        self._sleep = sleep
        self.first_wait_s = first_wait_s

    def run(
        self,
        object_name: str,
        operation: str,
        parts: Sequence[CsvPart],
        *,
        match_on: str,
        external_id: str | None = None,
        needs_ids: bool = False,
    ) -> IngestOutcome:
        """Run one job per part and gather the rows their result files name.

        ``match_on`` is the column that identifies a row (key or Id).

        Raises:
            CRMError: a job could not be run, failed as a whole, or never ended.
        """
        rows: list[IngestRow] = []
        for part in parts:
            job_id = self.api.call(
                f"bulk_{operation}",
                partial(_submit, object_name, operation, part, external_id),
                object_name=object_name,
            )
            info = self._wait(job_id, object_name)
            failed = int(info.get("numberRecordsFailed") or 0)
            left = part.rows - int(info.get("numberRecordsProcessed") or 0)
            rows += parse_ingest_results(
                self._results(job_id, "successfulResults", object_name, needs_ids),
                self._results(job_id, "failedResults", object_name, failed > 0),
                self._results(job_id, "unprocessedrecords", object_name, left > 0),
                column=match_on,
            )
        return IngestOutcome(rows, lists_successes=needs_ids)

    def _wait(self, job_id: str, object_name: str) -> dict[str, Any]:
        """Poll the job until it is complete, backing off between polls."""
        wait, polls = self.first_wait_s, 0
        while True:
            if wait > 0:
                self._sleep(wait)
            polls += 1
            info = self.api.call(
                "bulk_poll",
                partial(_poll, job_id, is_last=polls >= MAX_POLLS),
                object_name=object_name,
            )
            if info.get("state") == DONE:
                return info
            wait = min(max(wait * 2, 0.5), MAX_POLL_WAIT_S)

    def _results(self, job_id: str, kind: str, object_name: str, wanted: bool) -> str:
        if not wanted:
            return ""
        return self.api.call(
            "bulk_results", partial(_result_file, job_id, kind), object_name=object_name
        )


def _submit(
    object_name: str,
    operation: str,
    part: CsvPart,
    external_id: str | None,
    sf: Salesforce,
) -> str:
    """Create a job, upload its CSV and close it; abort it if that fails midway."""
    spec: dict[str, str] = {
        "object": object_name,
        "operation": operation,
        "contentType": "CSV",
        "columnDelimiter": "COMMA",
        "lineEnding": "LF",
    }
    if external_id is not None:
        spec["externalIdFieldName"] = external_id
    job_id = str(_request(sf, "POST", "ingest", json=spec).json()["id"])
    try:
        _request(
            sf, "PUT", f"ingest/{job_id}/batches", data=part.data, content_type=CSV
        )
        _request(sf, "PATCH", f"ingest/{job_id}", json={"state": "UploadComplete"})
    except (SalesforceError, requests.RequestException):
        # An open job holds nothing yet; abort it so it does not linger a day.
        with contextlib.suppress(SalesforceError, requests.RequestException):
            _request(sf, "PATCH", f"ingest/{job_id}", json={"state": "Aborted"})
        raise
    return job_id


def _poll(job_id: str, sf: Salesforce, *, is_last: bool) -> dict[str, Any]:
    """Read the job's state; a job that failed or never ends raises."""
    info: dict[str, Any] = _request(sf, "GET", f"ingest/{job_id}").json()
    state = info.get("state")
    if state in ENDED:
        # Caught by _translate_errors, like simple-salesforce's own job failures.
        raise SalesforceOperationError(f"Bulk job {job_id} ended {state}")
    if state != DONE and is_last:
        raise SalesforceOperationError(f"Bulk job {job_id} is still {state}")
    return info


def _result_file(job_id: str, kind: str, sf: Salesforce) -> str:
    response = _request(sf, "GET", f"ingest/{job_id}/{kind}/", accept=CSV)
    return response.content.decode("utf-8")


def _request(
    sf: Salesforce,
    method: str,
    path: str,
    *,
    json: object = None,
    data: bytes | None = None,
    content_type: str = JSON,
    accept: str = JSON,
) -> requests.Response:
    headers = {
        "Authorization": f"Bearer {sf.session_id}",
        "Content-Type": content_type,
        "Accept": accept,
    }
    response: requests.Response = call_salesforce(
        f"{sf.bulk2_url}{path}", method, sf.session, headers, json=json, data=data
    )
    return response
