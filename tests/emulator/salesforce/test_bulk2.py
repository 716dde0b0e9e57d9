"""Bulk API 2.0 ingest and query jobs through simple-salesforce's sf.bulk2."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceOperationError,
)

from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.testing import error_content, trusted_session

pytestmark = pytest.mark.emulator


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _tasks(count: int, prefix: str = "bulk") -> list[dict[str, str]]:
    return [
        {"Subject": f"Task {n}", "PlanSync_Key__c": f"{prefix}-{n}"}
        for n in range(count)
    ]


def _job_states(
    emu: SalesforceEmulator, http: requests.Session, *, polls: int
) -> tuple[str, int, bytes, str, list[str]]:
    """Run one ingest job by hand; return each step's state and the polls' states."""
    base = f"{emu.url}/services/data/v59.0/jobs/ingest"
    headers = {"Authorization": f"Bearer {emu.access_token}"}
    job = http.post(
        base,
        json={
            "object": "Task",
            "operation": "insert",
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA",
        },
        headers=headers,
    ).json()
    upload = http.put(
        f"{emu.url}/{job['contentUrl']}",
        data=b"Subject\nx\n",
        headers={**headers, "Content-Type": "text/csv"},
    )
    closed = http.patch(
        f"{base}/{job['id']}", json={"state": "UploadComplete"}, headers=headers
    )
    states = [
        http.get(f"{base}/{job['id']}", headers=headers).json()["state"]
        for _ in range(polls)
    ]
    return (
        job["state"],
        upload.status_code,
        upload.content,
        closed.json()["state"],
        states,
    )


class TestIngest:
    def test_insert_reports_counts_and_results(self, sf):
        """Insert reports counts; successfulResults carry sf__Id and sf__Created."""
        (result,) = sf.bulk2.Task.insert(records=_tasks(3), wait=0)
        records = sf.bulk2.Task.get_all_ingest_records(result["job_id"])
        created = records["successfulRecords"]
        assert (3, 0, 3) == (
            result["numberRecordsProcessed"],
            result["numberRecordsFailed"],
            result["numberRecordsTotal"],
        )
        assert ({"true"}, {"bulk-0", "bulk-1", "bulk-2"}) == (
            {row["sf__Created"] for row in created},
            {row["PlanSync_Key__c"] for row in created},
        )
        assert {row["sf__Id"][:3] for row in created} == {"00T"}
        assert ([], []) == (records["failedRecords"], records["unprocessedRecords"])

    def test_upsert_by_external_id(self, sf):
        """Upsert updates existing keys and creates new ones."""
        sf.bulk2.Task.insert(records=_tasks(2), wait=0)
        (result,) = sf.bulk2.Task.upsert(
            records=[
                {"PlanSync_Key__c": "bulk-1", "Subject": "Changed"},
                {"PlanSync_Key__c": "bulk-9", "Subject": "New"},
            ],
            external_id_field="PlanSync_Key__c",
            wait=0,
        )
        created = {
            r["PlanSync_Key__c"]: r["sf__Created"]
            for r in _rows(sf.bulk2.Task.get_successful_records(result["job_id"]))
        }
        assert {"bulk-1": "false", "bulk-9": "true"} == created
        assert (
            "Changed"
            == sf.Task.get_by_custom_id("PlanSync_Key__c", "bulk-1")["Subject"]
        )
        assert (
            3
            == sf.query("SELECT COUNT() FROM Task WHERE PlanSync_Key__c LIKE 'bulk-%'")[
                "totalSize"
            ]
        )

    def test_failed_rows_carry_the_error(self, sf):
        """Invalid rows land in failedResults with CODE:message:fields --."""
        (result,) = sf.bulk2.Task.insert(
            records=[
                {"Subject": "ok", "Status": "Completed"},
                {"Subject": "bad", "Status": "Nope"},
            ],
            wait=0,
        )
        failed = _rows(sf.bulk2.Task.get_failed_records(result["job_id"]))
        assert (1, 2) == (
            result["numberRecordsFailed"],
            result["numberRecordsProcessed"],
        )
        assert [
            (
                "",
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST:bad value for restricted "
                "picklist "
                "field: Nope:Status --",
                "bad",
            )
        ] == [(r["sf__Id"], r["sf__Error"], r["Subject"]) for r in failed]

    def test_delete_is_soft(self, sf):
        """Delete with an Id column soft-deletes the records."""
        (inserted,) = sf.bulk2.Task.insert(records=_tasks(2, "del"), wait=0)
        ids = [
            r["sf__Id"]
            for r in _rows(sf.bulk2.Task.get_successful_records(inserted["job_id"]))
        ]
        (result,) = sf.bulk2.Task.delete(
            records=[{"Id": task_id} for task_id in ids], wait=0
        )
        assert (2, 0) == (
            result["numberRecordsProcessed"],
            result["numberRecordsFailed"],
        )
        assert (
            0
            == sf.query("SELECT COUNT() FROM Task WHERE PlanSync_Key__c LIKE 'del-%'")[
                "totalSize"
            ]
        )
        assert 2 == len(
            sf.query_all(
                "SELECT Id FROM Task WHERE IsDeleted = true", include_deleted=True
            )["records"]
        )

    def test_null_marker_clears_a_field(self, sf):
        """#N/A sets a field to null on update, an empty cell leaves it alone."""
        task_id = sf.Task.create({"Subject": "s", "Description": "d", "Type": "Call"})[
            "id"
        ]
        sf.bulk2.Task.update(
            records=[{"Id": task_id, "Description": "#N/A", "Type": ""}], wait=0
        )
        task = sf.Task.get(task_id)
        assert (None, "Call") == (task["Description"], task["Type"])

    def test_unknown_column_fails_the_job(self, sf):
        """A header naming no field fails the job (SalesforceOperationError)."""
        with pytest.raises(
            SalesforceOperationError, match="Field name not found : Nope__c"
        ):
            sf.bulk2.Task.insert(records=[{"Subject": "x", "Nope__c": "1"}], wait=0)

    def test_job_states(self, emu, http):
        """A job reports Open, UploadComplete, then JobComplete at the first poll."""
        states = _job_states(emu, http, polls=2)
        assert ("Open", 201, b"", "UploadComplete", ["JobComplete"] * 2) == states

    def test_slower_jobs_report_in_progress_first(self):
        """With ``bulk_job_polls=3`` the first two polls find the job InProgress."""
        with (
            SalesforceEmulator(bulk_job_polls=3) as slow,
            trusted_session(slow) as http,
        ):
            states = _job_states(slow, http, polls=3)
        assert ["InProgress", "InProgress", "JobComplete"] == states[-1]

    def test_aborted_job_leaves_rows_unprocessed(self, emu, http):
        """Aborting an open job processes nothing."""
        base = f"{emu.url}/services/data/v59.0/jobs/ingest"
        headers = {"Authorization": f"Bearer {emu.access_token}"}
        job = http.post(
            base, json={"object": "Task", "operation": "insert"}, headers=headers
        ).json()
        http.put(
            f"{base}/{job['id']}/batches",
            data=b"Subject\nx\n",
            headers={**headers, "Content-Type": "text/csv"},
        )
        aborted = http.patch(
            f"{base}/{job['id']}", json={"state": "Aborted"}, headers=headers
        )
        assert "Aborted" == aborted.json()["state"]


class TestQuery:
    def test_query_pages_with_locator(self, sf):
        """Query yields CSV pages of maxRecords rows until the locator is null."""
        pages = list(
            sf.bulk2.Account.query(
                "SELECT Id, Name FROM Account", max_records=15, wait=0
            )
        )
        rows = [row for page in pages for row in _rows(page)]
        assert ([15, 15, 10], 40) == (
            [len(_rows(page)) for page in pages],
            len({r["Id"] for r in rows}),
        )
        assert ["Id", "Name"] == list(rows[0])

    def test_query_all_includes_deleted(self, sf):
        """query_all includes soft-deleted rows."""
        task_id = sf.Task.create({"Subject": "gone", "PlanSync_Key__c": "qa"})["id"]
        sf.Task.delete(task_id)
        soql = "SELECT Id, IsDeleted FROM Task WHERE PlanSync_Key__c = 'qa'"
        assert ([], [{"Id": task_id, "IsDeleted": "true"}]) == (
            [row for page in sf.bulk2.Task.query(soql, wait=0) for row in _rows(page)],
            [
                row
                for page in sf.bulk2.Task.query_all(soql, wait=0)
                for row in _rows(page)
            ],
        )

    def test_relationship_columns_and_nulls(self, sf):
        """Parent fields are dotted columns; nulls are empty cells."""
        sf.Task.create({"Subject": "orphan", "PlanSync_Key__c": "rel"})
        (page,) = sf.bulk2.Task.query(
            "SELECT Subject, What.Name, ActivityDate FROM Task WHERE PlanSync_Key__c "
            "= 'rel'",
            wait=0,
        )
        assert '"Subject","What.Name","ActivityDate"\n"orphan",,\n' == page

    def test_offset_is_refused(self, sf):
        """Bulk query jobs refuse OFFSET."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            list(
                sf.bulk2.Account.query(
                    "SELECT Id FROM Account LIMIT 5 OFFSET 1", wait=0
                )
            )
        assert "INVALIDJOB" == error_content(caught.value)[0]["errorCode"]
