"""sObject Collections, /composite and /composite/batch driven through sf.restful."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from plansync.emulators.salesforce.testing import error_content

pytestmark = pytest.mark.emulator

ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the "
    "request was "
    "using AllOrNone header",
    "fields": [],
}


def _task(key: str, **fields: object) -> dict[str, object]:
    return {
        "attributes": {"type": "Task"},
        "Subject": f"Subject {key}",
        "PlanSync_Key__c": key,
        **fields,
    }


def _count_tasks(sf, like: str) -> int:
    soql = f"SELECT COUNT() FROM Task WHERE PlanSync_Key__c LIKE '{like}'"
    return int(sf.query(soql)["totalSize"])


class TestCreate:
    def test_results_in_request_order(self, sf):
        """POST composite/sobjects answers {id, success, errors} per record."""
        results = sf.restful(
            "composite/sobjects",
            method="POST",
            json={"records": [_task("c1"), _task("c2")]},
        )
        assert [(True, [])] * 2 == [(r["success"], r["errors"]) for r in results]
        assert ["Subject c1", "Subject c2"] == [
            sf.Task.get(r["id"])["Subject"] for r in results
        ]

    def test_mixed_types_are_allowed(self, sf):
        """One create call may mix object types."""
        results = sf.restful(
            "composite/sobjects",
            method="POST",
            json={
                "records": [
                    {"attributes": {"type": "Account"}, "Name": "Mixed"},
                    _task("mix"),
                ]
            },
        )
        assert ["001", "00T"] == [r["id"][:3] for r in results]

    def test_partial_success_without_all_or_none(self, sf):
        """A bad record fails alone; the others are saved."""
        results = sf.restful(
            "composite/sobjects",
            method="POST",
            json={
                "allOrNone": False,
                "records": [_task("p1"), _task("p2", Status="Bogus")],
            },
        )
        assert (True, False) == (results[0]["success"], results[1]["success"])
        assert [
            {
                "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "message": "bad value for restricted picklist field: Bogus",
                "fields": ["Status"],
            }
        ] == results[1]["errors"]
        assert 1 == _count_tasks(sf, "p%")

    def test_all_or_none_rolls_back(self, sf):
        """With allOrNone one failure rolls all back; the others say ROLLED_BACK."""
        results = sf.restful(
            "composite/sobjects",
            method="POST",
            json={
                "allOrNone": True,
                "records": [_task("r1"), _task("r2", Status="Bogus"), _task("r3")],
            },
        )
        assert [False, False, False] == [r["success"] for r in results]
        assert [[ROLLED_BACK], [ROLLED_BACK]] == [
            results[0]["errors"],
            results[2]["errors"],
        ]
        assert (
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
            == results[1]["errors"][0]["statusCode"]
        )
        assert 0 == _count_tasks(sf, "r%")

    def test_more_than_200_records(self, sf):
        """More than 200 records answers 400 EXCEEDED_ID_LIMIT and writes nothing."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.restful(
                "composite/sobjects",
                method="POST",
                json={"records": [_task(f"x{n}") for n in range(201)]},
            )
        assert [
            {
                "message": "record limit reached. cannot submit more than 200 "
                "records into this call",
                "errorCode": "EXCEEDED_ID_LIMIT",
            }
        ] == error_content(caught.value)
        assert 0 == _count_tasks(sf, "x%")

    def test_unknown_field_fails_the_request(self, sf):
        """An unknown field fails the whole request with INVALID_FIELD."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.restful(
                "composite/sobjects",
                method="POST",
                json={"records": [_task("u", Nope__c=1)]},
            )
        assert "INVALID_FIELD" == error_content(caught.value)[0]["errorCode"]


class TestUpdate:
    def test_update_by_id(self, sf):
        """PATCH composite/sobjects updates each record by its id."""
        ids = [
            r["id"]
            for r in sf.restful(
                "composite/sobjects",
                method="POST",
                json={"records": [_task("u1"), _task("u2")]},
            )
        ]
        results = sf.restful(
            "composite/sobjects",
            method="PATCH",
            json={
                "records": [
                    {
                        "attributes": {"type": "Task"},
                        "id": ids[0],
                        "Status": "Completed",
                    },
                    {"attributes": {"type": "Task"}, "id": ids[1], "IsClosed": True},
                ]
            },
        )
        assert [(ids[0], True), (ids[1], False)] == [
            (r["id"], r["success"]) for r in results
        ]
        assert (
            "INVALID_FIELD_FOR_INSERT_UPDATE" == results[1]["errors"][0]["statusCode"]
        )
        assert sf.Task.get(ids[0])["IsClosed"] is True


class TestUpsert:
    def test_created_flag(self, sf):
        """PATCH composite/sobjects/Task/PlanSync_Key__c reports created true/false."""
        sf.Task.create({"Subject": "old", "PlanSync_Key__c": "k-old"})
        results = sf.restful(
            "composite/sobjects/Task/PlanSync_Key__c",
            method="PATCH",
            json={"allOrNone": False, "records": [_task("k-old"), _task("k-new")]},
        )
        assert [(True, False), (True, True)] == [
            (r["success"], r["created"]) for r in results
        ]
        assert (
            "Subject k-old"
            == sf.Task.get_by_custom_id("PlanSync_Key__c", "k-old")["Subject"]
        )

    def test_rerun_creates_nothing_twice(self, sf):
        """Upserting the same keys twice leaves one record per key."""
        body = {"records": [_task(f"idem-{n}") for n in range(5)]}
        sf.restful("composite/sobjects/Task/PlanSync_Key__c", method="PATCH", json=body)
        results = sf.restful(
            "composite/sobjects/Task/PlanSync_Key__c", method="PATCH", json=body
        )
        assert ([False] * 5, 5) == (
            [r["created"] for r in results],
            _count_tasks(sf, "idem-%"),
        )

    def test_key_matching_two_records_fails_that_record(self, sf):
        """A key held by two records fails with DUPLICATE_EXTERNAL_ID."""
        for subject in ("a", "b"):
            sf.Task.create({"Subject": subject, "PlanSync_Key__c": "twice"})
        results = sf.restful(
            "composite/sobjects/Task/PlanSync_Key__c",
            method="PATCH",
            json={"records": [_task("twice")]},
        )
        assert "DUPLICATE_EXTERNAL_ID" == results[0]["errors"][0]["statusCode"]


class TestDelete:
    def test_delete_by_ids(self, sf):
        """DELETE composite/sobjects?ids= soft-deletes each id and reports per id."""
        ids = [
            r["id"]
            for r in sf.restful(
                "composite/sobjects",
                method="POST",
                json={"records": [_task("d1"), _task("d2")]},
            )
        ]
        results = sf.restful(
            "composite/sobjects",
            method="DELETE",
            params={"ids": ",".join([*ids, "bogus"]), "allOrNone": "false"},
        )
        assert [(ids[0], True), (ids[1], True), ("bogus", False)] == [
            (r["id"], r["success"]) for r in results
        ]
        assert "MALFORMED_ID" == results[2]["errors"][0]["statusCode"]
        assert 0 == _count_tasks(sf, "d_")

    def test_deleting_twice_is_entity_is_deleted(self, sf):
        """A second delete of the same id fails with ENTITY_IS_DELETED."""
        task_id = sf.Task.create({"Subject": "x"})["id"]
        sf.restful("composite/sobjects", method="DELETE", params={"ids": task_id})
        results = sf.restful(
            "composite/sobjects", method="DELETE", params={"ids": task_id}
        )
        assert "ENTITY_IS_DELETED" == results[0]["errors"][0]["statusCode"]


class TestRetrieve:
    def test_retrieve_by_ids(self, sf):
        """GET composite/sobjects/Task?ids=&fields= returns records or null."""
        task_id = sf.Task.create({"Subject": "r"})["id"]
        results = sf.restful(
            "composite/sobjects/Task",
            params={"ids": f"{task_id},00T000000000000AAA", "fields": "Id,Subject"},
        )
        assert ["r", None] == [r and r["Subject"] for r in results]


class TestComposite:
    def test_references_between_subrequests(self, sf):
        """@{ref.id} feeds a created id into later subrequests; one API call."""
        response = sf.restful(
            "composite",
            method="POST",
            json={
                "allOrNone": True,
                "compositeRequest": [
                    {
                        "method": "POST",
                        "url": "/services/data/v59.0/sobjects/Account",
                        "referenceId": "acc",
                        "body": {"Name": "Composite Co"},
                    },
                    {
                        "method": "POST",
                        "url": "/services/data/v59.0/sobjects/Task",
                        "referenceId": "task",
                        "body": {"Subject": "Intro", "WhatId": "@{acc.id}"},
                    },
                    {
                        "method": "GET",
                        "url": "/services/data/v59.0/sobjects/Task/@{task.id}"
                        "?fields=AccountId",
                        "referenceId": "read",
                    },
                ],
            },
        )["compositeResponse"]
        assert [201, 201, 200] == [r["httpStatusCode"] for r in response]
        assert response[0]["body"]["id"] == response[2]["body"]["AccountId"]
        assert response[0]["httpHeaders"]["Location"].endswith(
            response[0]["body"]["id"]
        )
        assert 1 == sf.api_usage["api-usage"].used

    def test_all_or_none_rolls_back_earlier_subrequests(self, sf):
        """A failing subrequest with allOrNone rolls back the ones before it."""
        response = sf.restful(
            "composite",
            method="POST",
            json={
                "allOrNone": True,
                "compositeRequest": [
                    {
                        "method": "POST",
                        "url": "/services/data/v59.0/sobjects/Account",
                        "referenceId": "ok",
                        "body": {"Name": "Rolled Back Co"},
                    },
                    {
                        "method": "POST",
                        "url": "/services/data/v59.0/sobjects/Contact",
                        "referenceId": "bad",
                        "body": {"FirstName": "NoLastName"},
                    },
                ],
            },
        )["compositeResponse"]
        assert [400, 400] == [r["httpStatusCode"] for r in response]
        assert "PROCESSING_HALTED" == response[0]["body"][0]["errorCode"]
        assert "REQUIRED_FIELD_MISSING" == response[1]["body"][0]["errorCode"]
        assert (
            0
            == sf.query("SELECT COUNT() FROM Account WHERE Name = 'Rolled Back Co'")[
                "totalSize"
            ]
        )

    def test_missing_reference_id_is_json_parser_error(self, sf):
        """A subrequest without referenceId fails the whole request."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.restful(
                "composite",
                method="POST",
                json={
                    "compositeRequest": [
                        {"method": "GET", "url": "/services/data/v59.0/limits"}
                    ]
                },
            )
        assert [
            {
                "message": "'referenceId' is a required field.",
                "errorCode": "JSON_PARSER_ERROR",
            }
        ] == error_content(caught.value)

    def test_more_than_25_subrequests(self, sf):
        """More than 25 subrequests are refused."""
        subrequests = [
            {
                "method": "GET",
                "url": "/services/data/v59.0/limits",
                "referenceId": f"r{n}",
            }
            for n in range(26)
        ]
        with pytest.raises(SalesforceMalformedRequest):
            sf.restful(
                "composite", method="POST", json={"compositeRequest": subrequests}
            )

    def test_query_subrequests_answer_pages(self, sf):
        """Query and queryAll subrequests answer first pages with their totals."""
        response = sf.restful(
            "composite",
            method="POST",
            json={
                "allOrNone": False,
                "compositeRequest": [
                    {
                        "method": "GET",
                        "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Account",
                        "referenceId": "accounts",
                    },
                    {
                        "method": "GET",
                        "url": "/services/data/v59.0/queryAll/"
                        "?q=SELECT+Id+FROM+Task+WHERE+IsDeleted+%3D+true",
                        "referenceId": "deleted",
                    },
                ],
            },
        )["compositeResponse"]
        accounts, deleted = (r["body"] for r in response)
        assert [200, 200] == [r["httpStatusCode"] for r in response]
        assert (40, 40, 0) == (
            accounts["totalSize"],
            len(accounts["records"]),
            deleted["totalSize"],
        )
        assert 1 == sf.api_usage["api-usage"].used

    def test_more_than_5_query_subrequests(self, sf):
        """A sixth query, queryAll or collections subrequest is refused (documented)."""
        queries = [
            {
                "method": "GET",
                "url": f"/services/data/v59.0/{resource}/?q=SELECT+Id+FROM+User",
                "referenceId": f"q{n}",
            }
            for n, resource in enumerate(["query", "queryAll"] * 3)
        ]
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.restful("composite", method="POST", json={"compositeRequest": queries})
        five = sf.restful(
            "composite", method="POST", json={"compositeRequest": queries[:5]}
        )["compositeResponse"]
        assert "INVALID_INPUT" == error_content(caught.value)[0]["errorCode"]
        assert [200] * 5 == [r["httpStatusCode"] for r in five]


class TestBatch:
    def test_independent_subrequests_and_halt(self, sf):
        """composite/batch runs each subrequest; haltOnError turns the rest into 412."""
        task_id = sf.Task.create({"Subject": "b"})["id"]
        body = sf.restful(
            "composite/batch",
            method="POST",
            json={
                "haltOnError": True,
                "batchRequests": [
                    {
                        "method": "PATCH",
                        "url": f"v59.0/sobjects/task/{task_id}",
                        "richInput": {"Subject": "B2"},
                    },
                    {"method": "GET", "url": "v59.0/sobjects/Task/00T000000000000AAA"},
                    {
                        "method": "GET",
                        "url": f"v59.0/sobjects/Task/{task_id}?fields=Subject",
                    },
                ],
            },
        )
        assert (True, [204, 404, 412]) == (
            body["hasErrors"],
            [r["statusCode"] for r in body["results"]],
        )
        assert "BATCH_PROCESSING_HALTED" == body["results"][2]["result"][0]["errorCode"]
        assert "B2" == sf.Task.get(task_id)["Subject"]
