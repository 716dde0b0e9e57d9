"""Discovery resources and record ids look like a real org's."""

from __future__ import annotations

from typing import Any

import pytest

from plansync.emulators.salesforce import ids

pytestmark = pytest.mark.emulator


class TestVersions:
    def test_versions_list_includes_59(self, emu, http):
        """GET /services/data/ lists versions with label, url and version."""
        versions = http.get(f"{emu.url}/services/data/").json()
        assert {
            "label": "Winter '24",
            "url": "/services/data/v59.0",
            "version": "59.0",
        } in versions

    def test_resources_of_a_version(self, sf):
        """GET /services/data/v59.0/ names the resources, query and sobjects too."""
        resources = sf.restful("")
        assert ("/services/data/v59.0/query", "/services/data/v59.0/sobjects") == (
            resources["query"],
            resources["sobjects"],
        )

    def test_other_listed_version_works(self, emu, http):
        """Any listed version serves the same resources."""
        response = http.get(
            f"{emu.url}/services/data/v55.0/sobjects/Account/describe",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert (200, "Account") == (response.status_code, response.json()["name"])

    def test_unknown_version_is_not_found(self, emu, http):
        """An unknown version answers 404 NOT_FOUND."""
        response = http.get(
            f"{emu.url}/services/data/v99.0/sobjects",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert (404, "NOT_FOUND") == (
            response.status_code,
            response.json()[0]["errorCode"],
        )


class TestDescribe:
    def test_global_describe_lists_objects_with_prefixes(self, sf):
        """describe() lists every object with its key prefix."""
        prefixes = {o["name"]: o["keyPrefix"] for o in sf.describe()["sobjects"]}
        assert {
            "User": "005",
            "Account": "001",
            "Contact": "003",
            "Opportunity": "006",
            "Task": "00T",
            "Event": "00U",
            "PlanSync_Account_Plan__c": "a00",
            "PlanSync_Stakeholder__c": "a01",
        } == prefixes

    def test_describe_has_documented_top_level_keys(self, sf):
        """SObject describe carries the documented top-level keys."""
        body = sf.Task.describe()
        expected = {
            "childRelationships",
            "createable",
            "custom",
            "fields",
            "keyPrefix",
            "label",
            "labelPlural",
            "name",
            "queryable",
            "urls",
            "updateable",
        }
        assert expected <= set(body)

    def test_restricted_picklist_field(self, sf):
        """PlanSync_Status__c is a restricted picklist with the four statuses."""
        field = _field(sf.Account.describe(), "PlanSync_Status__c")
        assert ("picklist", True, ["on_track", "at_risk", "off_track", "no_plan"]) == (
            field["type"],
            field["restrictedPicklist"],
            [v["value"] for v in field["picklistValues"]],
        )

    def test_unrestricted_segment_picklist(self, sf):
        """PlanSync_Segment__c is an unrestricted A/B/C picklist."""
        field = _field(sf.Account.describe(), "PlanSync_Segment__c")
        assert (False, ["A", "B", "C"]) == (
            field["restrictedPicklist"],
            [v["value"] for v in field["picklistValues"]],
        )

    def test_activity_key_is_external_id(self, sf):
        """Task.PlanSync_Key__c is an 80-char external id, not unique."""
        field = _field(sf.Task.describe(), "PlanSync_Key__c")
        assert ("string", 80, True, False, True) == (
            field["type"],
            field["length"],
            field["externalId"],
            field["unique"],
            field["idLookup"],
        )

    def test_master_detail_field(self, sf):
        """Account__c on the account plan is a required cascade-delete reference."""
        field = _field(sf.PlanSync_Account_Plan__c.describe(), "Account__c")
        assert ("reference", ["Account"], False, True, "Account__r") == (
            field["type"],
            field["referenceTo"],
            field["nillable"],
            field["cascadeDelete"],
            field["relationshipName"],
        )

    def test_derived_task_fields_are_read_only(self, sf):
        """Derived Task fields are neither createable nor updateable."""
        described = sf.Task.describe()
        flags = {
            name: (
                _field(described, name)["createable"],
                _field(described, name)["updateable"],
            )
            for name in ("IsClosed", "AccountId", "CompletedDateTime")
        }
        assert dict.fromkeys(flags, (False, False)) == flags

    def test_basic_info(self, sf):
        """GET /sobjects/Account/ returns objectDescribe and recentItems."""
        body = sf.Account.metadata()
        assert ("001", []) == (body["objectDescribe"]["keyPrefix"], body["recentItems"])

    def test_unknown_object_is_not_found(self, emu, http):
        """Describing an unknown object answers 404."""
        response = http.get(
            f"{emu.url}/services/data/v59.0/sobjects/Nope__c/describe",
            headers={"Authorization": f"Bearer {emu.access_token}"},
        )
        assert 404 == response.status_code


class TestIds:
    def test_created_ids_are_18_chars_with_valid_checksum(self, sf):
        """Record ids are 18 characters whose suffix is the case checksum."""
        record_id = sf.Account.create({"Name": "Checksum"})["id"]
        assert (18, "001", ids.checksum(record_id[:15])) == (
            len(record_id),
            record_id[:3],
            record_id[15:],
        )

    def test_15_char_and_upper_case_ids_resolve(self, sf):
        """A record is found by its 15-char id and by its 18-char id in upper case."""
        record_id = sf.Account.create({"Name": "Case"})["id"]
        assert (record_id, record_id) == (
            sf.Account.get(record_id[:15])["Id"],
            sf.Account.get(record_id.upper())["Id"],
        )

    def test_checksum_matches_known_example(self):
        """The checksum algorithm matches a documented conversion."""
        assert "a0BA0000000L2ZCMA0" == "a0BA0000000L2ZC" + ids.checksum(
            "a0BA0000000L2ZC"
        )


def _field(described: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in described["fields"] if f["name"] == name)
