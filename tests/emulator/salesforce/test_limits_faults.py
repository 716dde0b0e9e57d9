"""API usage limits, fault injection and traffic stats."""

from __future__ import annotations

import time

import pytest
from simple_salesforce.exceptions import (
    SalesforceGeneralError,
    SalesforceRefusedRequest,
)

from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.testing import (
    direct_client,
    error_content,
    trusted_session,
)

pytestmark = pytest.mark.emulator


def _task(key: str) -> dict[str, object]:
    return {"attributes": {"type": "Task"}, "Subject": key, "PlanSync_Key__c": key}


class TestLimits:
    def test_limits_resource(self, sf):
        """/limits reports DailyApiRequests with Max and Remaining."""
        limits = sf.limits()
        assert (1_000_000, 999_999) == (
            limits["DailyApiRequests"]["Max"],
            limits["DailyApiRequests"]["Remaining"],
        )

    def test_usage_header_on_every_response(self, sf):
        """Sforce-Limit-Info starts with api-usage=N/M so sf.api_usage is filled."""
        sf.Account.describe()
        sf.query("SELECT Id FROM Account LIMIT 1")
        assert (2, 1_000_000) == (
            sf.api_usage["api-usage"].used,
            sf.api_usage["api-usage"].total,
        )

    def test_spent_allocation_is_request_limit_exceeded(self):
        """Once the allocation is spent, calls answer 403 REQUEST_LIMIT_EXCEEDED."""
        with SalesforceEmulator(daily_api_limit=2) as emu, trusted_session(emu) as http:
            sf = direct_client(emu, http)
            sf.query("SELECT Id FROM User")
            sf.query("SELECT Id FROM User")
            with pytest.raises(SalesforceRefusedRequest) as caught:
                sf.query("SELECT Id FROM User")
        assert (
            403,
            [
                {
                    "message": "TotalRequests Limit exceeded.",
                    "errorCode": "REQUEST_LIMIT_EXCEEDED",
                }
            ],
        ) == (caught.value.status, error_content(caught.value))

    def test_usage_can_be_set(self, emu, sf):
        """set_api_usage moves the counter (for tests near the limit)."""
        emu.set_api_usage(used=41)
        sf.query("SELECT Id FROM User LIMIT 1")
        assert 42 == sf.api_usage["api-usage"].used


class TestFaults:
    def test_count_fails_the_next_matching_calls(self, emu, sf):
        """count=2 fails two matching calls with the documented 503 body."""
        emu.inject_fault(count=2, status=503, path_contains="/query")
        outcomes: list[object] = []
        for _ in range(3):
            try:
                sf.query("SELECT Id FROM Account LIMIT 1")
                outcomes.append("ok")
            except SalesforceGeneralError as error:
                outcomes.append((error.status, error_content(error)[0]["errorCode"]))
        assert [
            (503, "SERVER_UNAVAILABLE"),
            (503, "SERVER_UNAVAILABLE"),
            "ok",
        ] == outcomes

    def test_path_filter_leaves_other_calls_alone(self, emu, sf):
        """A fault on /composite does not touch queries."""
        emu.inject_fault(count=1, path_contains="/composite")
        assert 1 == len(sf.query("SELECT Id FROM Account LIMIT 1")["records"])

    def test_rate_with_seed_is_reproducible(self, emu, http):
        """Rate + seed fail the same calls every time."""
        url = f"{emu.url}/services/data/v59.0/limits"
        headers = {"Authorization": f"Bearer {emu.access_token}"}

        def pattern() -> list[int]:
            emu.clear_faults()
            emu.inject_fault(rate=0.5, seed=11, status=500)
            return [http.get(url, headers=headers).status_code for _ in range(12)]

        first, second = pattern(), pattern()
        assert first == second
        assert {200, 500} == set(first)

    def test_429_with_retry_after(self, emu, http):
        """Status 429 answers REQUEST_LIMIT_EXCEEDED with a Retry-After header."""
        emu.inject_fault(status=429, retry_after_s=2)
        response = http.get(
            f"{emu.url}/services/data/v59.0/limits",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert (429, "2", "REQUEST_LIMIT_EXCEEDED") == (
            response.status_code,
            response.headers["Retry-After"],
            response.json()[0]["errorCode"],
        )

    def test_record_fault_fails_one_record_inside_collections(self, emu, sf):
        """record_ids fails only that record (UNABLE_TO_LOCK_ROW); the call succeeds."""
        emu.inject_fault(record_ids=["lock-2"])
        results = sf.restful(
            "composite/sobjects/Task/PlanSync_Key__c",
            method="PATCH",
            json={"records": [_task("lock-1"), _task("lock-2"), _task("lock-3")]},
        )
        assert [True, False, True] == [r["success"] for r in results]
        assert "UNABLE_TO_LOCK_ROW" == results[1]["errors"][0]["statusCode"]
        retried = sf.restful(
            "composite/sobjects/Task/PlanSync_Key__c",
            method="PATCH",
            json={"records": [_task("lock-2")]},
        )
        assert [True] == [r["success"] for r in retried]

    def test_record_fault_in_bulk_results(self, emu, sf):
        """record_ids also fails the matching Bulk row."""
        emu.inject_fault(record_ids=["bulk-lock"])
        (result,) = sf.bulk2.Task.upsert(
            records=[{"PlanSync_Key__c": "bulk-lock", "Subject": "x"}],
            external_id_field="PlanSync_Key__c",
            wait=0,
        )
        failed = sf.bulk2.Task.get_failed_records(result["job_id"])
        assert 1 == result["numberRecordsFailed"]
        assert "UNABLE_TO_LOCK_ROW:" in failed

    def test_latency(self, emu, sf):
        """latency_ms delays the response without failing it."""
        emu.inject_fault(latency_ms=250, path_contains="/limits")
        started = time.monotonic()
        sf.limits()
        assert 0.25 <= time.monotonic() - started

    def test_control_api(self, emu, http):
        """POST /__emulator/faults works without auth and matches inject_fault."""
        added = http.post(
            f"{emu.url}/__emulator/faults",
            json={
                "count": 1,
                "status": 503,
                "errorCode": "SERVER_UNAVAILABLE",
                "message": "down for a moment",
                "path_contains": "/limits",
            },
        )
        response = http.get(
            f"{emu.url}/services/data/v59.0/limits",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert (
            200,
            503,
            [{"message": "down for a moment", "errorCode": "SERVER_UNAVAILABLE"}],
        ) == (added.status_code, response.status_code, response.json())

    def test_reset_clears_faults(self, emu, http, sf):
        """POST /__emulator/reset drops faults and stats."""
        emu.inject_fault(count=5)
        http.post(f"{emu.url}/__emulator/reset", json={})
        sf.query("SELECT Id FROM User LIMIT 1")
        assert 1 == emu.stats()["total"]


class TestStats:
    def test_counts_by_endpoint_and_writes(self, emu, sf, http):
        """Stats count requests per method and resource, and records written."""
        emu.reset_stats()
        task_id = sf.Task.create({"Subject": "s"})["id"]
        sf.Task.update(task_id, {"Subject": "t"})
        sf.query("SELECT Id FROM Task LIMIT 1")
        sf.restful(
            "composite/sobjects",
            method="POST",
            json={"records": [_task("s1"), _task("s2")]},
        )
        over_http = http.get(f"{emu.url}/__emulator/stats").json()
        assert over_http == emu.stats()
        assert {
            "total": 4,
            "by_endpoint": {
                "GET query": 1,
                "PATCH sobjects": 1,
                "POST composite/sobjects": 1,
                "POST sobjects": 1,
            },
            "writes": 4,
        } == {key: over_http[key] for key in ("total", "by_endpoint", "writes")}

    def test_records_snapshot(self, emu, sf):
        """records() returns what the org holds, rendered like the REST API."""
        sf.Account.create({"Name": "Snapshot"})
        names = [r["Name"] for r in emu.records("Account")]
        assert (41, "Snapshot") == (len(names), names[-1])
