"""The pure Salesforce mappers, driven by fixed REST and Bulk payloads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from plansync.config.settings import SalesforceFields
from plansync.connectors.salesforce.bulk_csv import parse_query_csv
from plansync.connectors.salesforce.mapping import (
    account_from_sf,
    contact_from_sf,
    event_from_sf,
    owner_from_sf,
    parse_datetime,
    plan_from_sf,
    split_contacts,
    task_from_sf,
)
from plansync.connectors.salesforce.payloads import (
    activity_type,
    changed,
    compliance_fields,
    plan_computed,
    plan_created,
    reconciled_at,
    same_value,
    stakeholder_lines,
    task_fields,
)
from plansync.planning.models import (
    AccountCompliance,
    AccountPlan,
    ActivityKind,
    Attitude,
    ComplianceStatus,
    Influence,
    Stakeholder,
    TaskStatus,
    TaskWrite,
)

MAPPED = SalesforceFields()
ACCOUNT = {
    "attributes": {"type": "Account", "url": "/services/data/v59.0/sobjects/Account/1"},
    "Id": "0018d0000000001AAA",
    "Name": "O'Brien \\ Sons",
    "OwnerId": "0058d0000000001AAA",
    "AnnualRevenue": 1250000.0,
    "Industry": "Energy",
    "SystemModstamp": "2026-03-02T06:00:30.000+0000",
    "IsDeleted": False,
    "MasterRecordId": None,
    "PlanSync_Segment__c": "A",
    "PlanSync_NPS__c": 42.0,
    "PlanSync_Wallet__c": 5000000.0,
    "PlanSync_Recurring_Share__c": 37.5,
}
TASK = {
    "Id": "00T8d0000000001AAA",
    "AccountId": "0018d0000000001AAA",
    "WhatId": "0018d0000000001AAA",
    "WhoId": "0038d0000000001AAA",
    "OwnerId": "0058d0000000001AAA",
    "Subject": "Steering group Q1",
    "Description": "Agenda",
    "ActivityDate": "2026-03-31",
    "Type": "Meeting",
    "SystemModstamp": "2026-03-02T06:00:30.000+0000",
    "IsDeleted": False,
    "PlanSync_Key__c": "ps:2026:a:A:steering:1",
    "PlanSync_Fingerprint__c": "v1.a.b.c.d.e",
    "PlanSync_Kind__c": "meeting",
    "Status": "Not Started",
    "TaskSubtype": "Task",
    "CompletedDateTime": None,
}


class TestReads:
    def test_account_maps_typed_and_named_fields(self):
        """An Account row maps to typed attributes and canonical field names."""
        account = account_from_sf(ACCOUNT, MAPPED)
        assert (
            "O'Brien \\ Sons",
            42,
            5_000_000.0,
            37.5,
            {"segment": "A", "industry": "Energy"},
            datetime(2026, 3, 2, 6, 0, 30, tzinfo=UTC),
            False,
        ) == (
            account.name,
            account.nps,
            account.wallet_eur,
            account.recurring_share_pct,
            dict(account.fields),
            account.modified_at,
            account.is_deleted,
        )

    def test_merged_account_is_deleted_and_names_the_winner(self):
        """The loser of a merge is read as deleted, pointing at the winner."""
        loser = {**ACCOUNT, "IsDeleted": True, "MasterRecordId": "0018d0000000009AAA"}
        account = account_from_sf(loser, MAPPED)
        assert account.is_deleted
        assert "0018d0000000009AAA" == account.fields["master_record_id"]

    def test_contact_without_account_is_skipped(self):
        """A private contact (no AccountId) is not mapped."""
        assert contact_from_sf({"Id": "0038d0000000001AAA"}, MAPPED) is None

    def test_contact_role_and_power_attributes(self):
        """The configured role field and the power-map picklists are read."""
        contact = contact_from_sf(
            {
                "Id": "0038d0000000001AAA",
                "AccountId": "0018d0000000001AAA",
                "Name": "Aino Virtanen",
                "PlanSync_Role__c": "procurement",
                "PlanSync_Influence__c": "high",
                "PlanSync_Attitude__c": "not-a-value",
            },
            MAPPED,
        )
        assert contact is not None
        assert ("procurement", Influence.HIGH, None) == (
            contact.role,
            contact.influence,
            contact.attitude,
        )

    def test_owner(self):
        """A User row maps to an owner."""
        owner = owner_from_sf(
            {"Id": "005x", "Name": "Aino", "Email": None, "IsActive": False}
        )
        assert ("005x", "Aino", None, False) == (
            owner.id,
            owner.name,
            owner.email,
            owner.is_active,
        )


class TestTasks:
    def test_open_task_keeps_key_fingerprint_and_contact(self):
        """An open plansync task comes back with its key, fingerprint and WhoId."""
        task = task_from_sf(TASK)
        assert task is not None
        assert (
            TaskStatus.OPEN,
            ActivityKind.MEETING,
            "ps:2026:a:A:steering:1",
            "v1.a.b.c.d.e",
            ("0038d0000000001AAA",),
            date(2026, 3, 31),
        ) == (
            task.status,
            task.kind,
            task.key,
            task.fingerprint,
            task.contact_ids,
            task.due,
        )

    @pytest.mark.parametrize(
        ("completed_at", "due", "expected"),
        [
            ("2026-03-20T10:00:00.000+0000", "2026-03-31", date(2026, 3, 20)),
            ("2026-05-02T10:00:00.000+0000", "2026-03-18", date(2026, 3, 18)),
            (None, "2026-03-18", date(2026, 3, 18)),
        ],
    )
    def test_completion_day_is_the_earlier_of_stamp_and_date(
        self, completed_at, due, expected
    ):
        """Done early counts when done; logged later counts on the activity day."""
        raw = {
            **TASK,
            "Status": "Completed",
            "CompletedDateTime": completed_at,
            "ActivityDate": due,
        }
        task = task_from_sf(raw)
        assert task is not None
        assert (TaskStatus.COMPLETED, expected) == (task.status, task.completed_on)

    def test_deferred_is_withdrawn_only_for_plansync_tasks(self):
        """A Deferred task with a key is withdrawn; a rep's Deferred task is open."""
        ours = task_from_sf({**TASK, "Status": "Deferred"})
        theirs = task_from_sf({**TASK, "Status": "Deferred", "PlanSync_Key__c": None})
        assert ours is not None
        assert theirs is not None
        assert (TaskStatus.WITHDRAWN, TaskStatus.OPEN) == (ours.status, theirs.status)

    @pytest.mark.parametrize(
        ("kind", "subtype", "type_", "expected"),
        [
            ("call", "Task", "Meeting", ActivityKind.CALL),
            (None, "Call", None, ActivityKind.CALL),
            (None, "Email", "Meeting", ActivityKind.EMAIL),
            (None, "Task", "Meeting", ActivityKind.MEETING),
            (None, None, None, ActivityKind.TODO),
        ],
    )
    def test_kind_from_plansync_field_then_subtype_then_type(
        self, kind, subtype, type_, expected
    ):
        """PlanSync_Kind__c wins; otherwise TaskSubtype, then Type decide."""
        raw = {**TASK, "PlanSync_Kind__c": kind, "TaskSubtype": subtype, "Type": type_}
        task = task_from_sf(raw)
        assert task is not None
        assert expected is task.kind

    def test_account_from_what_id_when_account_id_is_empty(self):
        """A task related to an account is that account's even without AccountId."""
        task = task_from_sf({**TASK, "AccountId": None})
        assert task is not None
        assert "0018d0000000001AAA" == task.account_id

    def test_task_of_no_account_is_skipped(self):
        """A task on neither an account nor its contact is not mapped."""
        assert task_from_sf({**TASK, "AccountId": None, "WhatId": None}) is None

    def test_further_contacts_come_back_from_the_description(self):
        """Contacts named on plansync's description line are read back."""
        text = (
            "Agenda\n\n[PlanSync] Also with: Mikko Laine (0038d0000000002AAA), "
            "(0038d0000000003AAA)"
        )
        task = task_from_sf({**TASK, "Description": text})
        assert task is not None
        assert (
            "Agenda",
            ("0038d0000000001AAA", "0038d0000000002AAA", "0038d0000000003AAA"),
        ) == (task.description, task.contact_ids)


class TestEvents:
    def test_past_event_is_a_completed_meeting(self):
        """An event that has ended counts as a meeting done on its day."""
        raw = {
            **TASK,
            "Id": "00U8d0000000001AAA",
            "PlanSync_Kind__c": None,
            "ActivityDate": "2026-02-10",
            "EndDateTime": "2026-02-10T10:00:00.000+0000",
        }
        event = event_from_sf(raw, now=datetime(2026, 3, 2, tzinfo=UTC))
        assert event is not None
        assert (ActivityKind.MEETING, TaskStatus.COMPLETED, date(2026, 2, 10)) == (
            event.kind,
            event.status,
            event.completed_on,
        )

    def test_future_event_is_open(self):
        """An event still to come is open."""
        raw = {**TASK, "EndDateTime": "2026-04-10T10:00:00.000+0000"}
        event = event_from_sf(raw, now=datetime(2026, 3, 2, tzinfo=UTC))
        assert event is not None
        assert TaskStatus.OPEN is event.status


class TestPlans:
    def test_plan_with_power_map_in_key_order(self):
        """A plan row and its stakeholder rows map back to one AccountPlan."""
        raw = {
            "Id": "a008d0000000001AAA",
            "PlanSync_Key__c": "ps:2026:a:plan",
            "Account__c": "0018d0000000001AAA",
            "Plan_Year__c": 2026.0,
            "Segment__c": "A",
            "Segment_Since__c": "2026-01-01",
            "Customer_Strategy__c": "Grow",
            "Products__c": "Analytics;Platform",
            "Red_Flags__c": "no_owner\nunknown_key_role:procurement",
            "Planned_Activities__c": 16.0,
            "Planned_Hours__c": 14.5,
        }
        lines: list[dict[str, Any]] = [
            {
                "PlanSync_Key__c": "ps:2026:a:plan:sh01:procurement",
                "Role__c": "procurement",
                "Contact__c": None,
                "Contact__r": None,
            },
            {
                "PlanSync_Key__c": "ps:2026:a:plan:sh00:decision_maker",
                "Role__c": "decision_maker",
                "Contact__c": "0038d0000000001AAA",
                "Contact__r": {"attributes": {"type": "Contact"}, "Name": "Aino"},
                "Influence__c": "high",
                "Attitude__c": "champion",
            },
        ]
        plan = plan_from_sf(raw, lines)
        assert (
            2026,
            ("Analytics", "Platform"),
            ("no_owner", "unknown_key_role:procurement"),
            16,
            (
                Stakeholder(
                    "decision_maker",
                    "0038d0000000001AAA",
                    "Aino",
                    Influence.HIGH,
                    Attitude.CHAMPION,
                ),
                Stakeholder("procurement"),
            ),
        ) == (
            plan.year,
            plan.products,
            plan.red_flags,
            plan.planned_activities,
            plan.power_map,
        )


class TestFormats:
    @pytest.mark.parametrize(
        "text",
        [
            "2026-03-02T06:00:30.000+0000",
            "2026-03-02T06:00:30.000Z",
            "2026-03-02T06:00:30+00:00",
        ],
    )
    def test_datetimes_from_rest_and_bulk(self, text):
        """REST and Bulk dateTime renderings parse to the same aware instant."""
        assert datetime(2026, 3, 2, 6, 0, 30, tzinfo=UTC) == parse_datetime(text)

    def test_bulk_csv_rows_map_like_rest_rows(self):
        """A Bulk query CSV row, typed by the schema, maps to the same account."""
        text = (
            '"Id","Name","OwnerId","AnnualRevenue","Industry","SystemModstamp",'
            '"IsDeleted","MasterRecordId","PlanSync_Segment__c","PlanSync_NPS__c",'
            '"PlanSync_Wallet__c","PlanSync_Recurring_Share__c"\n'
            '"0018d0000000001AAA","O\'Brien \\ Sons","0058d0000000001AAA","1250000",'
            '"Energy","2026-03-02T06:00:30.000Z","false","","A","42","5000000","37.5"\n'
        )
        (row,) = parse_query_csv("Account", text)
        assert account_from_sf(ACCOUNT, MAPPED) == account_from_sf(row, MAPPED)

    def test_parent_fields_nest_and_empty_parents_are_null(self):
        """``Contact__r.Name`` nests like REST; an empty parent is null."""
        text = '"Id","Contact__r.Name"\n"a1","Aino"\n"a2",""\n'
        rows = parse_query_csv("PlanSync_Stakeholder__c", text)
        assert [{"Name": "Aino"}, None] == [r["Contact__r"] for r in rows]


class TestWrites:
    def _write(self, **changes):
        values = {
            "key": "ps:2026:a:B:call:1",
            "account_id": "0018d0000000001AAA",
            "kind": ActivityKind.CALL,
            "subject": "Quarterly call",
            "description": "Talk",
            "due": date(2026, 3, 31),
            "owner_id": "0058d0000000001AAA",
            "contact_ids": ("0038d0000000001AAA", "0038d0000000002AAA"),
            "fingerprint": "v1.1.2.3.4.5",
            **changes,
        }
        return TaskWrite(**values)

    def test_every_kind_has_a_task_type(self):
        """Each kind maps to one of the Task Type picklist values."""
        assert {"Call", "Email", "Meeting", "Other"} >= {
            activity_type(kind) for kind in ActivityKind
        }

    def test_task_fields_round_trip_through_a_read(self):
        """What a task write sends reads back as the same owned fields."""
        write = self._write()
        fields = task_fields(write, names={"0038d0000000002AAA": "Mikko"})
        raw = {**fields, "Id": "00T1", "AccountId": write.account_id, "Status": None}
        back = task_from_sf(raw)
        assert back is not None
        assert (
            write.subject,
            write.description,
            write.due,
            write.owner_id,
            write.contact_ids,
            write.kind,
            write.key,
            write.fingerprint,
        ) == (
            back.subject,
            back.description,
            back.due,
            back.owner_id,
            back.contact_ids,
            back.kind,
            back.key,
            back.fingerprint,
        )

    def test_no_owner_leaves_owner_id_to_salesforce(self):
        """Without an owner, OwnerId is not sent (Salesforce defaults it)."""
        fields = task_fields(self._write(owner_id=None, contact_ids=()), names={})
        assert "OwnerId" not in fields
        assert (None, "Talk") == (fields["WhoId"], fields["Description"])

    def test_open_status_only_when_asked(self):
        """Status is written on create and reopen only, never on a plain update."""
        assert "Status" not in task_fields(self._write(), names={})
        assert (
            "Not Started"
            == task_fields(self._write(), names={}, is_open=True)["Status"]
        )

    def test_new_plan_has_empty_narrative_and_update_only_computed(self):
        """A created plan writes the narrative empty; updates never name it."""
        plan = AccountPlan(
            key="ps:2026:a:plan",
            account_id="001a",
            year=2026,
            segment="A",
            segment_since=date(2026, 1, 1),
            customer_strategy="never written",
            power_map=(Stakeholder("decision_maker"),),
        )
        created = plan_created(plan)
        assert created["Customer_Strategy__c"] is None
        assert "Customer_Strategy__c" not in plan_computed(plan)
        assert ["ps:2026:a:plan:sh00:decision_maker"] == list(stakeholder_lines(plan))

    def test_changed_compares_as_salesforce_stores(self):
        """Numbers as floats, empty text as null, dates as text are equal values."""
        stored = {
            "PlanSync_Compliance_Pct__c": 75.0,
            "PlanSync_Planned_To_Date__c": 4.0,
            "PlanSync_Next_Due__c": "2026-03-31",
            "PlanSync_Plan_Segment__c": "A",
            "PlanSync_Status__c": "at_risk",
            "PlanSync_Done_To_Date__c": 3.0,
            "PlanSync_Overdue__c": None,
        }
        row = AccountCompliance(
            account_id="001a",
            year=2026,
            as_of=date(2026, 3, 2),
            segment="A",
            owner_id=None,
            planned_year=16,
            planned_to_date=4,
            done_to_date=3,
            percent=75.0,
            status=ComplianceStatus.AT_RISK,
            overdue=1,
            next_due=date(2026, 3, 31),
            last_activity_on=None,
        )
        assert {"PlanSync_Overdue__c": 1} == changed(stored, compliance_fields(row))
        assert "2026-03-02T00:00:00+00:00" == reconciled_at(row)

    @pytest.mark.parametrize(
        ("stored", "wanted", "same"),
        [
            (None, "", True),
            ("", None, True),
            (16.0, 16, True),
            (14.5, 14.4, False),
            ("2026-03-02T00:00:00.000+0000", "2026-03-02T00:00:00+00:00", True),
            (True, False, False),
            ("Talk T1", "Talk T1", True),
        ],
    )
    def test_same_value(self, stored, wanted, same):
        """Stored and wanted values compare the way Salesforce stores them."""
        assert same is same_value(stored, wanted)

    def test_contact_line_is_only_added_for_further_contacts(self):
        """One contact needs no description line; split finds none."""
        assert ("Talk", ()) == split_contacts("Talk")
