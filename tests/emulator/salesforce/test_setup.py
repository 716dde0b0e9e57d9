"""Emulator options: preloaded data files, the state directory and the schema source."""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from typing import Any

import pytest

from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.package import PACKAGE_ROOT, to_field_def
from plansync.emulators.salesforce.schema import build_schema
from plansync.emulators.salesforce.testing import direct_client, trusted_session

pytestmark = pytest.mark.emulator


class TestDataFile:
    def test_records_from_a_json_file_are_loaded(self, tmp_path):
        """A data file of REST-shaped records is loaded, references included."""
        data = tmp_path / "org.json"
        data.write_text(
            json.dumps(
                {
                    "Account": [{"Id": "001000000000001AAA", "Name": "From File"}],
                    "Task": [
                        {
                            "Subject": "Loaded",
                            "WhatId": "001000000000001AAA",
                            "Status": "Completed",
                            "ActivityDate": "2026-02-03",
                            "PlanSync_Key__c": "file-1",
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        with SalesforceEmulator(data=data) as emu, trusted_session(emu) as http:
            sf: Any = direct_client(emu, http)
            task = sf.Task.get_by_custom_id("PlanSync_Key__c", "file-1")
        assert ("001000000000001AAA", True, "2026-02-03") == (
            task["AccountId"],
            task["IsClosed"],
            task["ActivityDate"],
        )

    def test_unknown_field_in_file_is_refused(self, tmp_path):
        """A data file naming a field the object lacks fails at start."""
        data = tmp_path / "bad.json"
        data.write_text(json.dumps({"Account": [{"Nope__c": 1}]}), encoding="utf-8")
        emu = SalesforceEmulator(data=data)
        with pytest.raises(ValueError, match="no field Nope__c on Account"):
            emu.start()
        emu.stop()


class TestStateDir:
    def test_tls_material_and_jwt_key_are_reused(self, tmp_path):
        """A second emulator on the same state_dir serves the same CA and JWT key."""
        with SalesforceEmulator(state_dir=tmp_path) as first:
            ca, key = first.ca_file.read_bytes(), first.private_key_pem
        with SalesforceEmulator(state_dir=tmp_path) as second:
            assert (ca, key) == (second.ca_file.read_bytes(), second.private_key_pem)
            context = ssl.create_default_context(cafile=str(second.ca_file))
            assert 1 == len(context.get_ca_certs())


@dataclass(frozen=True)
class _ParsedLike:
    name: str
    type: str
    length: int = 0
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    master_detail: bool = False


class TestSchemaSource:
    def test_parsed_fields_read_as_attributes_or_keys(self):
        """Package fields are read from attribute-style or dict-style parser output."""
        from_object = to_field_def("K__c", _ParsedLike("K__c", "string", 80, True))
        from_dict = to_field_def(
            "P__c",
            {"type": "MasterDetail", "referenceTo": "Account", "required": "true"},
        )
        assert (("string", 80, True), ("reference", ("Account",), False, "P__r")) == (
            (from_object.type, from_object.length, from_object.external_id),
            (
                from_dict.type,
                from_dict.reference_to,
                from_dict.nillable,
                from_dict.relationship_name,
            ),
        )

    def test_built_in_definitions_match_the_package(self, tmp_path):
        """The built-in fallback names the same custom fields as crm/salesforce."""
        if not PACKAGE_ROOT.is_dir():
            pytest.skip("the SFDX package is not in this checkout")
        from_package = build_schema()
        built_in = build_schema(package_root=tmp_path / "missing")
        names = {
            obj.name: sorted(f.name for f in obj.fields.values() if f.custom)
            for obj in from_package.objects.values()
        }
        assert names == {
            obj.name: sorted(f.name for f in obj.fields.values() if f.custom)
            for obj in built_in.objects.values()
        }

    def test_master_detail_cannot_be_reparented(self, sf):
        """A non-reparentable master-detail cannot be changed by an update."""
        accounts = sf.query("SELECT Id FROM Account ORDER BY Id LIMIT 2")["records"]
        plan = sf.PlanSync_Account_Plan__c.create({"Account__c": accounts[0]["Id"]})
        response = sf.restful(
            "composite/sobjects",
            method="PATCH",
            json={
                "records": [
                    {
                        "attributes": {"type": "PlanSync_Account_Plan__c"},
                        "id": plan["id"],
                        "Account__c": accounts[1]["Id"],
                    }
                ]
            },
        )
        assert (
            "INVALID_FIELD_FOR_INSERT_UPDATE" == response[0]["errors"][0]["statusCode"]
        )
