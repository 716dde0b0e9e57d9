from __future__ import annotations

from datetime import date

import pytest

from plansync.connectors.memory import InMemoryCRM
from plansync.errors import CRMFatalError, CRMTransientError
from plansync.planning.models import TaskStatus
from plansync.planning.playbooks import WithdrawMode
from plansync.retry import RetryPolicy
from plansync.sync.engine import SyncEngine
from tests.builders import CALENDAR, account, playbooks

START = date(2026, 1, 1)


def _engine(crm, **overrides):
    sleeps: list[float] = []
    engine = SyncEngine(
        crm,
        playbooks(**overrides),
        CALENDAR,
        retry=RetryPolicy(attempts=3),
        sleep=sleeps.append,
    )
    return engine, sleeps


def _crm(*accounts):
    crm = InMemoryCRM()
    for a in accounts or (account("1"), account("2", segment="B")):
        crm.accounts[a.id] = a
    return crm


def _open_keys(crm):
    return sorted(
        a.key
        for a in crm.activities.values()
        if a.key and not a.is_deleted and a.status is TaskStatus.OPEN
    )


class TestApply:
    def test_apply_writes_plans_and_tasks_and_is_idempotent(self):
        """The first apply creates everything; a second apply writes nothing."""
        crm = _crm()
        engine, _ = _engine(crm)
        first = engine.apply(engine.plan(as_of=START)).as_dict()
        again = engine.plan(as_of=START)
        assert {
            "create": 20,
            "update": 0,
            "withdraw": 0,
            "plan_create": 2,
            "plan_update": 0,
            "failed": 0,
        } == first
        assert again.is_empty
        assert {
            "create": 0,
            "update": 0,
            "withdraw": 0,
            "plan_create": 0,
            "plan_update": 0,
            "failed": 0,
        } == engine.apply(again).as_dict()

    def test_crash_mid_run_then_rerun_has_no_duplicate_and_loses_nothing(self):
        """A fatal fault after plan records were written is recovered by rerunning."""
        crm = _crm()
        engine, _ = _engine(crm)
        crm.fail_next(
            "upsert_tasks",
            error=CRMFatalError("boom", crm="memory", operation="upsert_tasks"),
        )
        with pytest.raises(CRMFatalError):
            engine.apply(engine.plan(as_of=START))
        assert 2 == len(crm.plans)
        engine.apply(engine.plan(as_of=START))
        keys = [a.key for a in crm.activities.values() if a.key]
        assert 20 == len(keys) == len(set(keys))
        assert engine.plan(as_of=START).is_empty

    def test_fault_left_after_connector_retries_aborts_before_writing(self):
        """A read that still fails aborts with nothing written; a rerun works."""
        crm = _crm()
        engine, _ = _engine(crm)
        crm.fail_next("fetch_accounts")
        with pytest.raises(CRMTransientError):
            engine.apply(engine.plan(as_of=START))
        assert ({}, []) == (crm.plans, _open_keys(crm))
        engine.apply(engine.plan(as_of=START))
        assert 20 == len(_open_keys(crm))

    def test_retriable_record_is_resent_and_bad_record_reported(self):
        """A row lock is resent; a rejected record is reported; the others land."""
        crm = _crm()
        engine, _ = _engine(crm)
        crm.reject("ps:2026:1:A:call:1", code="UNABLE_TO_LOCK_ROW", times=1)
        crm.reject("ps:2026:1:A:call:2", code="FIELD_CUSTOM_VALIDATION_EXCEPTION")
        report = engine.apply(engine.plan(as_of=START))
        assert 19 == report.counts["create"]
        assert [("ps:2026:1:A:call:2", "FIELD_CUSTOM_VALIDATION_EXCEPTION")] == [
            (f.key, f.error_code) for f in report.failures
        ]

    @pytest.mark.parametrize("mode", list(WithdrawMode))
    def test_segment_change_withdraws_open_tasks(self, mode):
        """Moving from A to B withdraws A's open tasks and keeps completed ones."""
        crm = _crm(account("1"))
        engine, _ = _engine(crm, withdraw=mode)
        engine.apply(engine.plan(as_of=START))
        crm.complete_task("ps:2026:1:A:call:1", on=date(2026, 1, 20))
        crm.update_account("1", fields={"segment": "B"})
        report = engine.apply(engine.plan(as_of=date(2026, 2, 10)))
        assert (15, 4) == (report.counts["withdraw"], report.counts["create"])
        left = {
            a.key: a.status
            for a in crm.activities.values()
            if a.key and not a.is_deleted
        }
        assert TaskStatus.COMPLETED == left["ps:2026:1:A:call:1"]


class TestReconcile:
    def test_compliance_is_written_to_accounts(self):
        """Reconcile writes each account's compliance, counting completed tasks."""
        crm = _crm()
        engine, _ = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        crm.complete_task("ps:2026:1:A:call:1", on=date(2026, 1, 28))
        rows = {r.account_id: r for r in engine.reconcile(as_of=date(2026, 2, 2))}
        assert (1, 1, 100.0) == (
            rows["1"].planned_to_date,
            rows["1"].done_to_date,
            rows["1"].percent,
        )
        assert crm.compliance["1"] == rows["1"]
        assert 2 == crm.writes["write_compliance"]

    def test_unchanged_compliance_is_not_rewritten(self):
        """A second reconcile on the same day writes no account again."""
        crm = _crm()
        engine, _ = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        engine.reconcile(as_of=date(2026, 2, 2))
        engine.reconcile(as_of=date(2026, 2, 2))
        assert 2 == crm.writes["write_compliance"]


class TestPlanRecordCompliance:
    def test_reconcile_copies_compliance_onto_plan_records(self):
        """The plan record shows its account's done count, percent and status."""
        crm = _crm()
        engine, _ = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        crm.complete_task("ps:2026:1:A:call:1", on=date(2026, 1, 28))
        engine.reconcile(as_of=date(2026, 3, 2))
        plan = crm.plans["ps:2026:1:plan"]
        row = crm.compliance["1"]
        assert (1, row.percent, row.status) == (
            plan.done_activities,
            plan.compliance_pct,
            plan.status,
        )
        assert engine.plan(as_of=date(2026, 3, 2)).is_empty
