"""The one suite every CRMConnector must pass (like Meltano's standard tap tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from plansync.connectors.base import Changes, CRMConnector, Watermarks
from plansync.planning.keys import fingerprint
from plansync.planning.models import (
    Account,
    AccountCompliance,
    AccountPlan,
    Activity,
    ActivityKind,
    ComplianceStatus,
    Stakeholder,
    TaskStatus,
    TaskWithdrawal,
    TaskWrite,
)
from plansync.planning.plan_changes import COMPUTED_FIELDS
from plansync.planning.playbooks import WithdrawMode
from plansync.sample import generate_sample
from plansync.sync.replica import FLOOR
from tests.contract.harness import ContractHarness

AS_OF = date(2026, 3, 2)


def _seeded(harness: ContractHarness, accounts: int = 5) -> list[Account]:
    sample = generate_sample(accounts=accounts, seed=7, as_of=AS_OF)
    first = sample.accounts[0]
    tricky = replace(first, name='O\'Brien \\ Sons "Ltd"')
    harness.seed(replace(sample, accounts=(tricky, *sample.accounts[1:])))
    return sorted(harness.connector.fetch_accounts(), key=lambda a: a.name)


def _task(
    account: Account, key: str, *, subject: str = "Steering group 1/4"
) -> TaskWrite:
    values: dict[str, str | date | tuple[str, ...] | None] = {
        "subject": subject,
        "description": "Agenda: plan review",
        "due": date(2026, 3, 31),
        "owner_id": account.owner_id,
        "contact_ids": (),
    }
    return TaskWrite(
        key=key,
        account_id=account.id,
        kind=ActivityKind.MEETING,
        subject=subject,
        description="Agenda: plan review",
        due=date(2026, 3, 31),
        owner_id=account.owner_id,
        contact_ids=(),
        fingerprint=fingerprint(values),
    )


def _ours(connector: CRMConnector) -> dict[str, Activity]:
    return {
        a.key: a for a in connector.fetch_activities() if a.key and not a.is_deleted
    }


class TestReads:
    def test_accounts_owners_and_contacts_come_back_canonical(self, harness):
        """Seeded accounts, owners and contacts are read back as canonical records."""
        accounts = _seeded(harness)
        owners = {o.id for o in harness.connector.fetch_owners()}
        contacts = list(harness.connector.fetch_contacts())
        assert 5 == len(accounts)
        assert 'O\'Brien \\ Sons "Ltd"' in {a.name for a in accounts}
        assert all(a.owner_id is None or a.owner_id in owners for a in accounts)
        assert {a.id for a in accounts} >= {c.account_id for c in contacts}
        assert all(a.fields.get("segment") in {"A", "B", "C"} for a in accounts)
        assert any(c.role for c in contacts)

    def test_incremental_read_returns_only_changes(self, harness):
        """Reading since the newest stamp returns only what changed after it."""
        accounts = _seeded(harness)
        watermark = max(a.modified_at for a in accounts if a.modified_at)
        harness.touch_account(accounts[1].id, "Renamed Oy")
        changed = list(harness.connector.fetch_accounts(since=watermark))
        assert ["Renamed Oy"] == [a.name for a in changed]

    def test_history_activities_are_read(self, harness):
        """Completed activities logged by reps are read with kind and completion day."""
        _seeded(harness, accounts=8)
        done = [a for a in harness.connector.fetch_activities() if a.is_completed]
        assert done
        assert all(
            a.completed_on is not None and a.kind in set(ActivityKind) for a in done
        )


class TestTaskWrites:
    def test_upsert_creates_then_updates_by_key(self, harness):
        """The first upsert creates, the second with the same key updates in place."""
        account = _seeded(harness)[0]
        key = "ps:2026:x:A:steering:1"
        (first,) = harness.connector.upsert_tasks([_task(account, key)])
        (second,) = harness.connector.upsert_tasks(
            [_task(account, key, subject="Renamed")]
        )
        ours = _ours(harness.connector)
        assert (True, True, False) == (first.ok, first.created, second.created)
        assert first.crm_id == second.crm_id
        assert [key] == list(ours)
        assert "Renamed" == ours[key].subject

    def test_task_round_trips_every_owned_field(self, harness):
        """Key, fingerprint, due date, owner and status come back as written."""
        account = _seeded(harness)[0]
        write = _task(account, "ps:2026:x:A:steering:'quoted'")
        harness.connector.upsert_tasks([write])
        back = _ours(harness.connector)[write.key]
        assert (
            write.subject,
            write.due,
            write.owner_id,
            write.fingerprint,
            TaskStatus.OPEN,
            account.id,
        ) == (
            back.subject,
            back.due,
            back.owner_id,
            back.fingerprint,
            back.status,
            back.account_id,
        )

    def test_one_bad_record_does_not_fail_the_batch(self, harness):
        """A record the CRM rejects comes back failed; the rest are written."""
        account = _seeded(harness)[0]
        good = _task(account, "ps:2026:x:A:steering:1")
        bad = _task(account, "ps:2026:x:A:steering:2", subject="x" * 300)
        results = harness.connector.upsert_tasks([good, bad])
        assert [True, False] == [r.ok for r in results]
        assert results[1].error_code
        assert ["ps:2026:x:A:steering:1"] == list(_ours(harness.connector))

    def test_completed_task_is_seen_completed(self, harness):
        """A task a rep completes is read back completed with its day."""
        account = _seeded(harness)[0]
        harness.connector.upsert_tasks([_task(account, "ps:k1")])
        harness.complete_task("ps:k1", on=date(2026, 3, 20))
        back = _ours(harness.connector)["ps:k1"]
        assert (TaskStatus.COMPLETED, date(2026, 3, 20)) == (
            back.status,
            back.completed_on,
        )

    def test_hand_edit_keeps_old_fingerprint(self, harness):
        """A rep's edit changes the field but not plansync's fingerprint."""
        account = _seeded(harness)[0]
        write = _task(account, "ps:k2")
        harness.connector.upsert_tasks([write])
        harness.edit_task_subject("ps:k2", "Moved by rep")
        back = _ours(harness.connector)["ps:k2"]
        assert ("Moved by rep", write.fingerprint) == (back.subject, back.fingerprint)

    @pytest.mark.parametrize("mode", list(WithdrawMode))
    def test_withdraw(self, harness, mode):
        """Withdrawing deletes the task, or marks it withdrawn, per mode."""
        account = _seeded(harness)[0]
        (result,) = harness.connector.upsert_tasks([_task(account, "ps:k3")])
        (gone,) = harness.connector.withdraw_tasks(
            [TaskWithdrawal("ps:k3", result.crm_id, "no longer planned")], mode=mode
        )
        assert gone.ok
        left = _ours(harness.connector)
        if mode is WithdrawMode.DELETE:
            assert "ps:k3" not in left
        else:
            assert TaskStatus.WITHDRAWN == left["ps:k3"].status

    def test_withdrawn_task_wanted_again_is_reopened(self, harness):
        """A task withdrawn by status comes back open when the write asks to reopen."""
        account = _seeded(harness)[0]
        (result,) = harness.connector.upsert_tasks([_task(account, "ps:k4")])
        harness.connector.withdraw_tasks(
            [TaskWithdrawal("ps:k4", result.crm_id, "segment changed")],
            mode=WithdrawMode.STATUS,
        )
        again = replace(_task(account, "ps:k4"), crm_id=result.crm_id, reopen=True)
        (reopened,) = harness.connector.upsert_tasks([again])
        assert (True, result.crm_id) == (reopened.ok, reopened.crm_id)
        assert TaskStatus.OPEN == _ours(harness.connector)["ps:k4"].status


class TestPlansAndCompliance:
    def _plan(self, account: Account) -> AccountPlan:
        return AccountPlan(
            key=f"ps:2026:{account.id}:plan",
            account_id=account.id,
            year=2026,
            segment="A",
            segment_since=date(2026, 1, 1),
            current_revenue_eur=1_250_000.0,
            products=("Analytics", "Platform"),
            recurring_share_pct=40.0,
            wallet_share_pct=25.0,
            red_flags=("unknown_key_role:procurement",),
            power_map=(Stakeholder("decision_maker"), Stakeholder("procurement")),
            planned_activities=16,
            planned_hours=14.0,
            done_activities=3,
            compliance_pct=75.0,
            status=ComplianceStatus.AT_RISK,
        )

    def test_plan_round_trips_computed_fields(self, harness):
        """Every computed field of a plan record reads back as written."""
        account = _seeded(harness)[0]
        plan = self._plan(account)
        harness.connector.upsert_plans([plan])
        (back,) = [
            p for p in harness.connector.fetch_plans(year=2026) if p.key == plan.key
        ]
        for name in COMPUTED_FIELDS:
            assert getattr(plan, name) == getattr(back, name), name

    def test_plan_upsert_keeps_the_reps_narrative(self, harness):
        """Updating a plan record rewrites computed fields only, never the strategy."""
        account = _seeded(harness)[0]
        plan = self._plan(account)
        (created,) = harness.connector.upsert_plans([plan])
        harness.edit_plan_strategy(plan.key, "Grow analytics into the energy unit")
        (updated,) = harness.connector.upsert_plans(
            [replace(plan, planned_activities=20)]
        )
        (back,) = [
            p for p in harness.connector.fetch_plans(year=2026) if p.key == plan.key
        ]
        assert (True, False) == (created.created, updated.created)
        assert ("Grow analytics into the energy unit", 20, "A", date(2026, 1, 1)) == (
            back.customer_strategy,
            back.planned_activities,
            back.segment,
            back.segment_since,
        )

    def test_compliance_fields_are_written(self, harness):
        """Compliance rows land on the account record."""
        account = _seeded(harness)[0]
        row = AccountCompliance(
            account_id=account.id,
            year=2026,
            as_of=AS_OF,
            segment="A",
            owner_id=account.owner_id,
            planned_year=16,
            planned_to_date=4,
            done_to_date=3,
            percent=75.0,
            status=ComplianceStatus.AT_RISK,
            overdue=1,
            next_due=date(2026, 3, 31),
            last_activity_on=date(2026, 2, 27),
        )
        (result,) = harness.connector.write_compliance([row])
        stored = harness.compliance_of(account.id)
        assert result.ok
        assert (75.0, "at_risk", 4, 3, 1, date(2026, 3, 31)) == (
            stored["percent"],
            stored["status"],
            stored["planned_to_date"],
            stored["done_to_date"],
            stored["overdue"],
            stored["next_due"],
        )


def _live(records):
    return {r.id: r for r in records if not getattr(r, "is_deleted", False)}


def _watermarks(changes: Changes) -> Watermarks:
    """Return the newest stamp of each type, as a caller keeping a replica would."""

    def newest(records) -> datetime:
        stamps: list[datetime] = [
            r.modified_at for r in records if r.modified_at is not None
        ]
        return max([FLOOR, *stamps])

    return Watermarks(
        owners=newest(changes.owners),
        accounts=newest(changes.accounts),
        contacts=newest(changes.contacts),
        activities=newest(changes.activities),
        plans=newest(changes.plans),
        read_at=changes.read_at,
    )


def _new_to(first: Changes, second: Changes) -> dict[str, set[str]]:
    """Return, per type, what ``second`` holds that ``first`` did not hold as is.

    A CRM may repeat records its last read may have missed (an overlap); a
    caller de-duplicates those, so only records that differ count as changes.
    """
    out: dict[str, set[str]] = {}
    for name in ("owners", "accounts", "contacts", "activities"):
        held = {r.id: r for r in getattr(first, name)}
        out[name] = {r.id for r in getattr(second, name) if held.get(r.id) != r}
    plans = {p.key: p for p in first.plans}
    out["plans"] = {p.key for p in second.plans if plans.get(p.key) != p}
    return out


class TestChanges:
    def _scene(self, harness: ContractHarness) -> tuple[Account, str, str]:
        account = _seeded(harness)[0]
        done, gone = harness.connector.upsert_tasks(
            [_task(account, "ps:2026:x:A:t:1"), _task(account, "ps:2026:x:A:t:2")]
        )
        plan = TestPlansAndCompliance()._plan(account)
        harness.connector.upsert_plans([plan])
        return account, str(done.crm_id), str(gone.crm_id)

    def test_full_read_equals_the_per_object_reads(self, harness):
        """Reading every change from nothing gives what the fetch_* reads give."""
        self._scene(harness)
        connector = harness.connector
        changes = connector.fetch_changes(since=None, year=2026)
        assert _live(connector.fetch_owners()) == _live(changes.owners)
        assert _live(connector.fetch_accounts()) == _live(changes.accounts)
        assert _live(connector.fetch_contacts()) == _live(changes.contacts)
        assert _live(connector.fetch_activities()) == _live(changes.activities)
        assert list(connector.fetch_plans(year=2026)) == list(changes.plans)
        assert 1 == len(changes.plans)

    def test_nothing_changed_reads_nothing_new(self, harness):
        """A read since the last one's watermarks finds no record that changed."""
        self._scene(harness)
        first = harness.connector.fetch_changes(since=None, year=2026)
        again = harness.connector.fetch_changes(since=_watermarks(first), year=2026)
        assert {name: set() for name in _new_to(first, again)} == _new_to(first, again)

    def test_changes_since_the_watermarks_are_the_changed_and_deleted(self, harness):
        """After reps' edits and a deletion, exactly those records come back."""
        account, done, gone = self._scene(harness)
        first = harness.connector.fetch_changes(since=None, year=2026)
        harness.touch_account(account.id, "Renamed Oy")
        harness.edit_plan_strategy(f"ps:2026:{account.id}:plan", "Grow analytics")
        harness.complete_task("ps:2026:x:A:t:1", on=date(2026, 3, 20))
        harness.connector.withdraw_tasks(
            [TaskWithdrawal("ps:2026:x:A:t:2", gone, "no longer planned")],
            mode=WithdrawMode.DELETE,
        )
        second = harness.connector.fetch_changes(since=_watermarks(first), year=2026)
        found = {r.id: r for r in second.activities}
        (plan,) = [p for p in second.plans if p.key.endswith(":plan")]
        assert {
            "owners": set(),
            "accounts": {account.id},
            "contacts": set(),
            "activities": {done, gone},
            "plans": {plan.key},
        } == _new_to(first, second)
        assert (TaskStatus.COMPLETED, True) == (
            found[done].status,
            found[gone].is_deleted,
        )
        assert ("Grow analytics", 2) == (plan.customer_strategy, len(plan.power_map))
