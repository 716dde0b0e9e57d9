"""Single-record CRUD, upsert by external id and write validation error codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)
from simple_salesforce.format import format_external_id

from plansync.emulators.salesforce.testing import error_content

pytestmark = pytest.mark.emulator


def _account(sf) -> str:
    return str(
        sf.query("SELECT Id FROM Account ORDER BY Id LIMIT 1")["records"][0]["Id"]
    )


def _stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def _error(caught: pytest.ExceptionInfo[SalesforceError]) -> tuple[int, str]:
    return caught.value.status, error_content(caught.value)[0]["errorCode"]


class TestCrud:
    def test_create_answers_id_success_errors(self, sf):
        """Create returns {id, success, errors} (HTTP 201)."""
        created = sf.Account.create({"Name": "Acme"})
        assert (True, [], 18) == (
            created["success"],
            created["errors"],
            len(created["id"]),
        )

    def test_get_returns_all_fields_with_nulls(self, sf):
        """A record read returns attributes and every field, null when empty."""
        record = sf.Account.get(sf.Account.create({"Name": "Acme"})["id"])
        assert ("Account", "Acme", None, False) == (
            record["attributes"]["type"],
            record["Name"],
            record["Industry"],
            record["IsDeleted"],
        )

    def test_get_with_fields_parameter(self, sf, emu, http):
        """?fields=A,B limits the returned fields."""
        record_id = sf.Account.create({"Name": "Acme"})["id"]
        body = http.get(
            f"{emu.url}/services/data/v59.0/sobjects/Account/{record_id}",
            params={"fields": "Name,Id"},
            headers={"Authorization": f"Bearer {emu.access_token}"},
        ).json()
        assert ["attributes", "Name", "Id"] == list(body)

    def test_update_returns_204_and_changes_the_record(self, sf):
        """Update answers 204 and the change is visible."""
        record_id = sf.Account.create({"Name": "Acme"})["id"]
        status = sf.Account.update(
            record_id, {"Industry": "Energy", "AnnualRevenue": 5e5}
        )
        record = sf.Account.get(record_id)
        assert (204, "Energy", 500000.0) == (
            status,
            record["Industry"],
            record["AnnualRevenue"],
        )

    def test_delete_is_soft(self, sf):
        """Delete answers 204; the record is gone from query but visible to queryAll."""
        record_id = sf.Account.create({"Name": "Doomed"})["id"]
        status = sf.Account.delete(record_id)
        soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{record_id}'"
        assert (204, 0, [True]) == (
            status,
            sf.query(soql)["totalSize"],
            [
                r["IsDeleted"]
                for r in sf.query_all(soql, include_deleted=True)["records"]
            ],
        )

    def test_read_of_deleted_record_is_entity_is_deleted(self, sf):
        """Reading a deleted record answers 404 ENTITY_IS_DELETED."""
        record_id = sf.Account.create({"Name": "Doomed"})["id"]
        sf.Account.delete(record_id)
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sf.Account.get(record_id)
        assert (404, "ENTITY_IS_DELETED") == _error(caught)

    def test_unknown_id_is_not_found(self, sf):
        """Reading a well-formed id that does not exist answers 404 NOT_FOUND."""
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sf.Account.get("001000000000000AAA")
        assert (404, "NOT_FOUND") == _error(caught)

    def test_bad_checksum_is_malformed_id(self, sf):
        """An 18-char id whose suffix does not match is MALFORMED_ID."""
        record_id = sf.Account.create({"Name": "Acme"})["id"]
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Account.get(record_id[:15] + "ZZZ")
        assert (400, "MALFORMED_ID") == _error(caught)


class TestTaskDerivedFields:
    def test_account_and_closed_state_come_from_the_server(self, sf):
        """AccountId follows WhatId; Completed sets IsClosed and CompletedDateTime."""
        account_id = _account(sf)
        task_id = sf.Task.create(
            {"Subject": "Call", "WhatId": account_id, "Status": "Completed"}
        )["id"]
        task = sf.Task.get(task_id)
        assert (account_id, True, "Normal") == (
            task["AccountId"],
            task["IsClosed"],
            task["Priority"],
        )
        assert task["CompletedDateTime"] is not None

    def test_account_comes_from_the_contact(self, sf):
        """Without WhatId, AccountId is the WhoId contact's account."""
        contact = sf.query("SELECT Id, AccountId FROM Contact LIMIT 1")["records"][0]
        task_id = sf.Task.create({"Subject": "Ping", "WhoId": contact["Id"]})["id"]
        assert contact["AccountId"] == sf.Task.get(task_id)["AccountId"]

    def test_reopening_clears_completion(self, sf):
        """Reopening a task clears IsClosed and CompletedDateTime."""
        task_id = sf.Task.create({"Subject": "Call", "Status": "Completed"})["id"]
        sf.Task.update(task_id, {"Status": "In Progress"})
        task = sf.Task.get(task_id)
        assert (False, None) == (task["IsClosed"], task["CompletedDateTime"])

    def test_modstamp_increases_on_every_write(self, sf):
        """SystemModstamp and LastModifiedDate strictly increase (milliseconds)."""
        task_id = sf.Task.create({"Subject": "A"})["id"]
        first = sf.Task.get(task_id)["SystemModstamp"]
        sf.Task.update(task_id, {"Subject": "B"})
        second = sf.Task.get(task_id)
        assert _stamp(first) < _stamp(second["SystemModstamp"])
        assert second["SystemModstamp"] == second["LastModifiedDate"]
        assert _stamp(first) <= datetime.now(UTC)


class TestEventDerivedFields:
    def test_end_and_activity_date_follow_the_start(self, sf):
        """An Event's EndDateTime, ActivityDate and AccountId are derived."""
        account_id = _account(sf)
        event_id = sf.Event.create(
            {
                "Subject": "Review",
                "WhatId": account_id,
                "StartDateTime": "2026-03-02T09:00:00Z",
                "DurationInMinutes": 90,
            }
        )["id"]
        event = sf.Event.get(event_id)
        assert (
            "2026-03-02T10:30:00.000+0000",
            "2026-03-02",
            account_id,
        ) == (event["EndDateTime"], event["ActivityDate"], event["AccountId"])

    def test_event_needs_a_duration(self, sf):
        """An Event without duration or end answers REQUIRED_FIELD_MISSING."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Event.create({"Subject": "x", "StartDateTime": "2026-03-02T09:00:00Z"})
        assert ["DurationInMinutes"] == error_content(caught.value)[0]["fields"]


class TestUpsert:
    def test_update_only_does_not_create(self, emu, http):
        """?updateOnly=true answers 404 instead of creating."""
        response = http.patch(
            f"{emu.url}/services/data/v59.0/sobjects/Task/PlanSync_Key__c/none",
            params={"updateOnly": "true"},
            json={"Subject": "x"},
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert (404, "NOT_FOUND") == (
            response.status_code,
            response.json()[0]["errorCode"],
        )

    def test_new_key_creates_with_201(self, sf):
        """Upsert of an unknown key answers 201 and creates an auto-numbered record."""
        status = sf.PlanSync_Account_Plan__c.upsert(
            format_external_id("PlanSync_Key__c", "plan/2026 A+1"),
            {"Account__c": _account(sf), "Plan_Year__c": 2026},
        )
        found = sf.PlanSync_Account_Plan__c.get_by_custom_id(
            "PlanSync_Key__c", "plan/2026 A+1"
        )
        assert (201, 2026.0, "AP-00001") == (
            status,
            found["Plan_Year__c"],
            found["Name"],
        )

    def test_known_key_updates_with_200_created_false(self, sf):
        """Upsert of an existing key answers 200 with created:false (API ≥ 46.0)."""
        key = format_external_id("PlanSync_Key__c", "task-1")
        sf.Task.upsert(key, {"Subject": "First"})
        response = sf.Task.upsert(key, {"Subject": "Second"}, raw_response=True)
        assert (200, False) == (response.status_code, response.json()["created"])
        assert (
            "Second" == sf.Task.get_by_custom_id("PlanSync_Key__c", "task-1")["Subject"]
        )

    def test_duplicate_key_answers_300_with_urls(self, sf):
        """Two tasks sharing a key make upsert answer 300 listing both."""
        first = sf.Task.create({"Subject": "A", "PlanSync_Key__c": "dup"})["id"]
        second = sf.Task.create({"Subject": "B", "PlanSync_Key__c": "dup"})["id"]
        with pytest.raises(SalesforceMoreThanOneRecord) as caught:
            sf.Task.upsert(
                format_external_id("PlanSync_Key__c", "dup"), {"Subject": "C"}
            )
        assert (
            300,
            [
                f"/services/data/v59.0/sobjects/Task/{first}",
                f"/services/data/v59.0/sobjects/Task/{second}",
            ],
        ) == (
            caught.value.status,
            error_content(caught.value),
        )

    @pytest.mark.parametrize("key", ["a+b", "a/b", 'it\'s "quoted"', "with space"])
    def test_get_by_custom_id_decodes_special_characters(self, sf, key):
        """Keys with +, /, quotes and spaces round-trip through the URL."""
        sf.Task.upsert(format_external_id("PlanSync_Key__c", key), {"Subject": key})
        assert (
            key == sf.Task.get_by_custom_id("PlanSync_Key__c", key)["PlanSync_Key__c"]
        )

    def test_non_external_field_is_not_found(self, sf):
        """Upsert by a field that is not an external id answers 404 NOT_FOUND."""
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sf.Task.upsert("Subject/x", {"Status": "Completed"})
        assert (404, "NOT_FOUND") == _error(caught)


class TestValidation:
    def test_unknown_field_is_invalid_field(self, sf):
        """Writing a field the object lacks answers INVALID_FIELD."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Task.create({"Subject": "x", "Foo__c": 1})
        assert (
            [
                {
                    "message": "No such column 'Foo__c' on sobject of type Task",
                    "errorCode": "INVALID_FIELD",
                }
            ],
            400,
        ) == (error_content(caught.value), caught.value.status)

    def test_read_only_field_is_invalid_field_for_insert_update(self, sf):
        """Writing IsClosed answers INVALID_FIELD_FOR_INSERT_UPDATE naming the field."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Task.create({"Subject": "x", "IsClosed": True})
        error = error_content(caught.value)[0]
        assert ("INVALID_FIELD_FOR_INSERT_UPDATE", ["IsClosed"]) == (
            error["errorCode"],
            error["fields"],
        )
        assert error["message"].startswith("Unable to create/update fields: IsClosed.")

    def test_missing_required_field(self, sf):
        """Creating a Contact without LastName answers REQUIRED_FIELD_MISSING."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Contact.create({"FirstName": "Ann"})
        assert [
            {
                "message": "Required fields are missing: [LastName]",
                "errorCode": "REQUIRED_FIELD_MISSING",
                "fields": ["LastName"],
            }
        ] == error_content(caught.value)

    def test_string_too_long(self, sf):
        """A value longer than the field's length answers STRING_TOO_LONG."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Task.create({"Subject": "x", "PlanSync_Key__c": "k" * 81})
        error = error_content(caught.value)[0]
        assert ("STRING_TOO_LONG", ["PlanSync_Key__c"]) == (
            error["errorCode"],
            error["fields"],
        )
        assert error["message"].endswith("(max length=80)")

    def test_restricted_picklist(self, sf):
        """A value outside a restricted picklist is refused with its own code."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Account.update(_account(sf), {"PlanSync_Status__c": "great"})
        assert [
            {
                "message": "bad value for restricted picklist field: great",
                "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "fields": ["PlanSync_Status__c"],
            }
        ] == error_content(caught.value)

    def test_unrestricted_picklist_accepts_new_values(self, sf):
        """PlanSync_Segment__c is unrestricted, so any value is stored."""
        account_id = _account(sf)
        sf.Account.update(account_id, {"PlanSync_Segment__c": "D"})
        assert "D" == sf.Account.get(account_id)["PlanSync_Segment__c"]

    def test_duplicate_unique_value(self, sf):
        """A second plan with the same unique key answers DUPLICATE_VALUE."""
        account_id = _account(sf)
        first = sf.PlanSync_Account_Plan__c.create(
            {"Account__c": account_id, "PlanSync_Key__c": "k1"}
        )
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.PlanSync_Account_Plan__c.create(
                {"Account__c": account_id, "PlanSync_Key__c": "k1"}
            )
        assert [
            {
                "message": f"duplicate value found: PlanSync_Key__c duplicates value "
                "on record "
                f"with id: {first['id']}",
                "errorCode": "DUPLICATE_VALUE",
                "fields": [],
            }
        ] == (error_content(caught.value))

    @pytest.mark.parametrize(
        ("field", "value"),
        [("WhatId", "001000000000000AAA"), ("OwnerId", "005000000000000AAA")],
    )
    def test_reference_to_nothing_is_invalid_cross_reference_key(
        self, sf, field, value
    ):
        """A lookup to a missing record answers INVALID_CROSS_REFERENCE_KEY."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Task.create({"Subject": "x", field: value})
        assert (400, "INVALID_CROSS_REFERENCE_KEY") == _error(caught)

    def test_master_detail_to_nothing(self, sf):
        """Account__c pointing nowhere answers INVALID_CROSS_REFERENCE_KEY."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.PlanSync_Account_Plan__c.create({"Account__c": "001000000000000AAA"})
        assert (400, "INVALID_CROSS_REFERENCE_KEY") == _error(caught)

    def test_malformed_reference_is_malformed_id(self, sf):
        """A lookup value that is no id answers MALFORMED_ID."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Task.create({"Subject": "x", "WhatId": "001XYZ"})
        assert ("MALFORMED_ID", ["WhatId"]) == (
            error_content(caught.value)[0]["errorCode"],
            error_content(caught.value)[0]["fields"],
        )

    def test_update_of_deleted_record_is_entity_is_deleted(self, sf):
        """Updating a deleted record answers ENTITY_IS_DELETED."""
        record_id = sf.Account.create({"Name": "Gone"})["id"]
        sf.Account.delete(record_id)
        with pytest.raises(SalesforceResourceNotFound) as caught:
            sf.Account.update(record_id, {"Name": "Back"})
        assert (404, "ENTITY_IS_DELETED") == _error(caught)

    def test_deleting_an_account_cascades_to_its_plans(self, sf):
        """Master-detail children are deleted with their parent."""
        account_id = sf.Account.create({"Name": "Parent"})["id"]
        plan_id = sf.PlanSync_Account_Plan__c.create({"Account__c": account_id})["id"]
        sf.Account.delete(account_id)
        with pytest.raises(SalesforceResourceNotFound):
            sf.PlanSync_Account_Plan__c.get(plan_id)

    def test_wrong_type_is_json_parser_error(self, sf):
        """A string where a number belongs answers JSON_PARSER_ERROR."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Account.create({"Name": "x", "AnnualRevenue": "lots"})
        assert "JSON_PARSER_ERROR" == error_content(caught.value)[0]["errorCode"]


class TestReplication:
    def test_updated_and_deleted_windows(self, sf):
        """GetUpdated lists changed ids and getDeleted lists deletions in the window."""
        start = datetime.now(UTC).replace(second=0, microsecond=0)
        kept = sf.Account.create({"Name": "Kept"})["id"]
        gone = sf.Account.create({"Name": "Gone"})["id"]
        sf.Account.delete(gone)
        end = start + timedelta(minutes=2)
        updated = sf.Account.updated(start, end)
        deleted = sf.Account.deleted(start, end)
        assert kept in updated["ids"]
        assert gone not in updated["ids"]
        assert [gone] == [r["id"] for r in deleted["deletedRecords"]]

    def test_start_after_end_is_invalid_replication_date(self, sf):
        """A window that ends before it starts is INVALID_REPLICATION_DATE."""
        now = datetime.now(UTC)
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Account.updated(now, now.replace(year=now.year - 1))
        assert "INVALID_REPLICATION_DATE" == error_content(caught.value)[0]["errorCode"]

    def test_date_header_is_never_before_a_stamp_handed_out(self, sf, emu, http):
        """After a burst of writes the Date header still follows the newest stamp."""
        sf.bulk2.Task.insert(
            records=[{"Subject": f"Burst {n}"} for n in range(3000)], wait=0
        )
        newest = sf.query(
            "SELECT SystemModstamp FROM Task ORDER BY SystemModstamp DESC"
        )
        stamp = _stamp(newest["records"][0]["SystemModstamp"])
        answer = http.get(
            f"{emu.url}/services/data/v59.0/limits/",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert parsedate_to_datetime(answer.headers["Date"]) >= stamp.replace(
            microsecond=0
        )
