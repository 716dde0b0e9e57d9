"""Every field the Salesforce connector reads or writes exists in the package.

Custom fields are checked against the SFDX metadata an admin deploys
(``crm/salesforce``), standard fields against the declared standard schema;
written values must fit the field's type, length and picklist.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from plansync.config.settings import SalesforceFields
from plansync.connectors.salesforce import payloads, soql
from plansync.connectors.salesforce.metadata import ParsedField, load_package_fields
from plansync.connectors.salesforce.schema import SCHEMA
from plansync.planning.models import (
    AccountCompliance,
    AccountPlan,
    ActivityKind,
    Attitude,
    ComplianceStatus,
    Influence,
    Stakeholder,
    TaskWrite,
)

PACKAGE = load_package_fields(
    Path(__file__).resolve().parents[4] / "crm" / "salesforce"
)
_ACTIVITY = {"Task", "Event"}

READS = {
    "User": soql.USER_FIELDS,
    "Account": soql.account_fields(SalesforceFields()),
    "Contact": soql.contact_fields(SalesforceFields()),
    "Task": soql.TASK_FIELDS,
    "Event": soql.EVENT_FIELDS,
    soql.PLAN_OBJECT: soql.PLAN_FIELDS,
    soql.STAKEHOLDER_OBJECT: soql.STAKEHOLDER_FIELDS,
    "Account ": soql.COMPLIANCE_FIELDS,
}

PLAN = AccountPlan(
    key="ps:2026:001000000000001AAA:plan",
    account_id="001000000000001AAA",
    year=2026,
    segment="A",
    segment_since=date(2026, 1, 1),
    current_revenue_eur=1_250_000.5,
    products=("Analytics", "Platform"),
    recurring_share_pct=40.25,
    wallet_share_pct=25.0,
    red_flags=("unknown_key_role:procurement", "stale_plan"),
    planned_activities=19,
    planned_hours=30.5,
    last_reviewed=date(2026, 2, 2),
)
WRITES = {
    "Task": payloads.task_fields(
        TaskWrite(
            key="ps:2026:001000000000001AAA:A:steering:1",
            account_id="001000000000001AAA",
            kind=ActivityKind.MEETING,
            subject="Steering group 1/4: O'Brien",
            description="Agenda",
            due=date(2026, 3, 31),
            owner_id="005000000000001AAA",
            contact_ids=("003000000000001AAA", "003000000000002AAA"),
            fingerprint="v1.aaaaaa.bbbbbb.cccccc.dddddd.eeeeee",
        ),
        names={},
        is_open=True,
    ),
    soql.PLAN_OBJECT: payloads.plan_created(PLAN),
    soql.STAKEHOLDER_OBJECT: payloads.stakeholder_fields(
        Stakeholder(
            "decision_maker",
            "003000000000001AAA",
            "Aino",
            Influence.HIGH,
            Attitude.CHAMPION,
        )
    ),
    "Account": {
        **payloads.compliance_fields(
            AccountCompliance(
                account_id="001000000000001AAA",
                year=2026,
                as_of=date(2026, 3, 2),
                segment="A",
                owner_id=None,
                planned_year=19,
                planned_to_date=4,
                done_to_date=3,
                percent=75.0,
                status=ComplianceStatus.AT_RISK,
                overdue=1,
                next_due=date(2026, 3, 31),
                last_activity_on=None,
            )
        ),
        "PlanSync_Last_Reconciled__c": "2026-03-02T00:00:00+00:00",
    },
}


def _field(object_name: str, name: str) -> tuple[str, int, tuple[str, ...], bool]:
    """Return (describe type, length, restricted picklist values, writable)."""
    object_name = object_name.strip()
    if name.endswith("__c"):
        package_object = "Activity" if object_name in _ACTIVITY else object_name
        parsed: ParsedField = PACKAGE[package_object][name]
        values = (
            tuple(v.value for v in parsed.picklist_values) if parsed.restricted else ()
        )
        return (
            parsed.type,
            parsed.length,
            values,
            parsed.updateable or parsed.createable,
        )
    spec = SCHEMA[object_name].fields[name]
    return spec.type.value, spec.length or 0, (), spec.createable or spec.updateable


class TestReads:
    @pytest.mark.parametrize(
        ("object_name", "name"),
        [(o, f) for o, fields in READS.items() for f in fields if "." not in f],
    )
    def test_read_field_exists(self, object_name, name):
        """Each field in a SELECT the connector sends is declared."""
        assert _field(object_name, name)[0]

    def test_relationship_reads_point_at_real_lookups(self):
        """Parent fields (Contact__r.Name) go through a declared lookup."""
        parent = PACKAGE[soql.STAKEHOLDER_OBJECT]["Contact__c"]
        assert ("reference", ("Contact",)) == (parent.type, parent.reference_to)


class TestWrites:
    @pytest.mark.parametrize(
        ("object_name", "name"),
        [(o, f) for o, fields in WRITES.items() for f in fields],
    )
    def test_written_value_fits_the_field(self, object_name, name):
        """Each written value has the field's type, length and picklist value."""
        kind, length, allowed, writable = _field(object_name, name)
        value = WRITES[object_name][name]
        assert writable, f"{object_name}.{name} is read-only"
        if value is None:
            return
        if kind in {"string", "textarea", "reference", "id", "picklist", "combobox"}:
            assert isinstance(value, str)
            assert length == 0 or len(value) <= length
            assert not allowed or value in allowed
        elif kind in {"double", "currency", "percent", "int"}:
            assert isinstance(value, int | float)
            assert not isinstance(value, bool)
        elif kind == "date":
            assert isinstance(date.fromisoformat(str(value)), date)
        elif kind == "datetime":
            assert "T" in str(value)
        elif kind == "boolean":
            assert isinstance(value, bool)
        else:
            pytest.fail(f"{object_name}.{name}: unexpected type {kind}")
