"""Pairing write results with records: sObject Collections and Bulk API 2.0 files."""

from __future__ import annotations

import csv
import io
from typing import Any

from plansync.connectors.salesforce.bulk_csv import (
    NULL,
    CsvPart,
    parse_ingest_results,
    render_csv,
    render_parts,
)
from plansync.connectors.salesforce.ingest import IngestOutcome
from plansync.connectors.salesforce.writes import (
    Write,
    collection_results,
    ingest_results,
)
from plansync.planning.models import WriteResult

WRITES = [
    Write("k1", {"PlanSync_Key__c": "k1"}),
    Write("k2", {"PlanSync_Key__c": "k2"}),
    Write("k3", {"PlanSync_Key__c": "k3"}),
]


class TestCollections:
    def test_results_pair_in_request_order(self):
        """Each item answers the record at its position, errors by statusCode."""
        items: list[dict[str, Any]] = [
            {"id": "00T1", "success": True, "errors": [], "created": True},
            {
                "success": False,
                "errors": [
                    {
                        "statusCode": "STRING_TOO_LONG",
                        "message": "Subject: data value too large",
                        "fields": ["Subject"],
                    }
                ],
            },
            {
                "id": None,
                "success": False,
                "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "lock"}],
            },
        ]
        results = collection_results(WRITES, items)
        assert [
            WriteResult("k1", ok=True, crm_id="00T1", created=True),
            WriteResult(
                "k2",
                ok=False,
                error="Subject: data value too large",
                error_code="STRING_TOO_LONG",
            ),
            WriteResult(
                "k3",
                ok=False,
                error="lock",
                error_code="UNABLE_TO_LOCK_ROW",
                is_retriable=True,
            ),
        ] == results

    def test_a_missing_item_is_a_failure_not_a_crash(self):
        """A short response fails the records it does not answer."""
        results = collection_results(WRITES[:2], [{"id": "00T1", "success": True}])
        assert ["MISSING_RESULT"] == [r.error_code for r in results if not r.ok]


class TestBulk:
    def test_rows_share_columns_and_clear_with_na(self):
        """Rows get one column set; None becomes #N/A, absent cells stay empty."""
        text = render_csv(
            [
                {"Id": "a", "WhoId": None, "Known__c": True},
                {"Id": "b", "Subject": 'say "hi", then go'},
            ],
            clear=True,
        )
        assert (
            f'Id,WhoId,Known__c,Subject\na,{NULL},true,\nb,,,"say ""hi"", then go"\n'
        ) == text

    def test_results_are_matched_by_key_not_order(self):
        """Bulk result rows come in any order and are matched by the key column."""
        outcome = parse_ingest_results(
            '"sf__Id","sf__Created","PlanSync_Key__c"\n'
            '"00T3","false","k3"\n"00T1","true","k1"\n',
            '"sf__Id","sf__Error","PlanSync_Key__c"\n'
            '"","UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:--","k2"\n',
            "",
            column="PlanSync_Key__c",
        )
        results = ingest_results(
            WRITES,
            IngestOutcome(outcome, lists_successes=True),
            lambda w: str(w.fields["PlanSync_Key__c"]),
            column="PlanSync_Key__c",
        )
        assert [
            ("k1", True, "00T1", True, None, False),
            ("k2", False, None, False, "UNABLE_TO_LOCK_ROW", True),
            ("k3", True, "00T3", False, None, False),
        ] == [
            (r.key, r.ok, r.crm_id, r.created, r.error_code, r.is_retriable)
            for r in results
        ]

    def test_unprocessed_rows_are_retriable_failures(self):
        """A row the job never processed fails retriably."""
        outcome = parse_ingest_results(
            "", "", '"PlanSync_Key__c"\n"k1"\n', column="PlanSync_Key__c"
        )
        (result,) = ingest_results(
            WRITES[:1],
            IngestOutcome(outcome, lists_successes=False),
            lambda w: str(w.fields["PlanSync_Key__c"]),
            column="PlanSync_Key__c",
        )
        assert (False, "UNPROCESSED", True) == (
            result.ok,
            result.error_code,
            result.is_retriable,
        )

    def test_rows_not_named_by_the_failure_files_succeeded(self):
        """Without the success file, a row not listed as failed or unprocessed is ok."""
        outcome = parse_ingest_results(
            "",
            '"sf__Id","sf__Error","PlanSync_Key__c"\n'
            '"","STRING_TOO_LONG:Subject: data value too large:Subject --","k2"\n',
            "",
            column="PlanSync_Key__c",
        )
        results = ingest_results(
            WRITES,
            IngestOutcome(outcome, lists_successes=False),
            lambda w: str(w.fields["PlanSync_Key__c"]),
            column="PlanSync_Key__c",
            is_create=True,
        )
        assert [
            ("k1", True, None, True, None),
            ("k2", False, None, False, "STRING_TOO_LONG"),
            ("k3", True, None, True, None),
        ] == [(r.key, r.ok, r.crm_id, r.created, r.error_code) for r in results]

    def test_a_listed_success_file_missing_a_row_is_a_failure(self):
        """When successes are listed, a row named nowhere is a failed result."""
        (result,) = ingest_results(
            WRITES[:1],
            IngestOutcome([], lists_successes=True),
            lambda w: str(w.fields["PlanSync_Key__c"]),
            column="PlanSync_Key__c",
        )
        assert (False, "MISSING_RESULT") == (result.ok, result.error_code)

    def test_large_sets_are_split_into_jobs_under_the_upload_limit(self):
        """Records past the byte limit go to several parts, every row exactly once."""
        records = [{"Subject": f"Task {n:04d}", "Id": f"00T{n:04d}"} for n in range(50)]
        parts = render_parts(records, clear=True, max_bytes=400)
        rows = [
            row
            for part in parts
            for row in csv.DictReader(io.StringIO(part.data.decode("utf-8")))
        ]
        assert all(len(part.data) <= 400 for part in parts)
        assert len(parts) > 1
        assert [p.rows for p in parts] == [
            len(list(csv.DictReader(io.StringIO(p.data.decode())))) for p in parts
        ]
        assert records == rows

    def test_a_set_under_the_limit_is_one_part(self):
        """Records that fit are rendered once, as one part."""
        records = [{"Subject": "a"}, {"Subject": "b"}]
        assert [CsvPart(b"Subject\na\nb\n", 2)] == render_parts(records, clear=True)
