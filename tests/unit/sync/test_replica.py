"""The replica and the engine's incremental pulls, on the in-memory CRM."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from plansync.connectors.base import Changes, Watermarks
from plansync.connectors.memory import InMemoryCRM
from plansync.errors import CRMTransientError
from plansync.planning.models import (
    Account,
    AccountPlan,
    Activity,
    ActivityKind,
    Contact,
    Owner,
    TaskStatus,
    TaskWithdrawal,
)
from plansync.planning.playbooks import WithdrawMode
from plansync.sample import generate_sample
from plansync.sync.engine import SyncEngine
from plansync.sync.replica import FLOOR, Replica
from tests.builders import CALENDAR, playbooks

START = date(2026, 1, 1)
T1 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)
T3 = datetime(2026, 1, 7, 8, 0, tzinfo=UTC)


def _task(task_id: str, stamp: datetime, **fields: object) -> Activity:
    task = Activity(
        id=task_id,
        account_id="001A",
        kind=ActivityKind.CALL,
        subject="Call",
        status=TaskStatus.OPEN,
        key=f"ps:2026:{task_id}",
        modified_at=stamp,
    )
    return replace(task, **fields)  # type: ignore[arg-type]  # test fields


def _plan(key: str, stamp: datetime, **fields: object) -> AccountPlan:
    plan = AccountPlan(
        key=key,
        account_id="001A",
        year=2026,
        segment="A",
        segment_since=START,
        modified_at=stamp,
    )
    return replace(plan, **fields)  # type: ignore[arg-type]  # test fields


def _full_replica() -> Replica:
    replica = Replica()
    replica.merge(
        Changes(
            owners=(Owner("U1", "Una"),),
            accounts=(Account("001A", "Acme", "U1", modified_at=T1),),
            contacts=(Contact("003A", "001A", "Ada", modified_at=T1),),
            activities=(_task("T1", T1), _task("T2", T2)),
            plans=(_plan("ps:2026:001A:plan", T1),),
        ),
        since=None,
        year=2026,
    )
    return replica


def _crm() -> InMemoryCRM:
    crm = InMemoryCRM()
    crm.load(generate_sample(accounts=6, seed=3, as_of=START))
    return crm


def _engine(crm: InMemoryCRM, replica: Replica | None = None) -> SyncEngine:
    return SyncEngine(crm, playbooks(), CALENDAR, replica=replica)


def _read(crm: InMemoryCRM) -> int:
    return sum(crm.records_read.values())


class TestReplica:
    def test_first_pull_asks_for_everything(self):
        """An empty replica asks for every record: no watermarks at all."""
        assert Replica().since(year=2026) is None

    def test_watermarks_are_the_newest_stamps_seen(self):
        """Each type's watermark is its newest stamp; the floor when none had one."""
        assert Watermarks(
            owners=FLOOR, accounts=T1, contacts=T1, activities=T2, plans=T1
        ) == _full_replica().since(year=2026)

    def test_changes_replace_by_id_and_deleted_records_leave(self):
        """A changed record replaces its copy; one flagged deleted is dropped."""
        replica = _full_replica()
        since = replica.since(year=2026)
        replica.merge(
            Changes(
                activities=(
                    _task("T1", T3, status=TaskStatus.COMPLETED),
                    _task("T2", T3, is_deleted=True),
                    _task("T9", T3),
                ),
            ),
            since=since,
            year=2026,
        )
        held = {a.id: a.status for a in replica.snapshot().activities}
        assert {"T1": TaskStatus.COMPLETED, "T9": TaskStatus.OPEN} == held
        assert replica.watermarks is not None
        assert T3 == replica.watermarks.activities

    def test_a_repeated_record_changes_nothing(self):
        """Merging a record the replica already holds leaves everything as it was."""
        replica = _full_replica()
        before = (replica.snapshot(), replica.since(year=2026))
        replica.merge(
            Changes(activities=(_task("T1", T1),), accounts=(), plans=()),
            since=replica.since(year=2026),
            year=2026,
        )
        assert before == (replica.snapshot(), replica.since(year=2026))

    def test_watermarks_never_move_back(self):
        """An older record (a CRM's overlap) leaves the watermark where it was."""
        replica = _full_replica()
        replica.merge(
            Changes(activities=(_task("T1", T1),)),
            since=replica.since(year=2026),
            year=2026,
        )
        assert replica.watermarks is not None
        assert T2 == replica.watermarks.activities

    def test_another_year_reads_its_plans_in_full(self):
        """Asking for another plan year reads that year's plans in full, only them."""
        replica = _full_replica()
        since = replica.since(year=2027)
        assert since is not None
        assert (None, T1) == (since.plans, since.accounts)
        replica.merge(
            Changes(plans=(_plan("ps:2027:001A:plan", T3, year=2027),)),
            since=since,
            year=2027,
        )
        assert ["ps:2027:001A:plan"] == [p.key for p in replica.snapshot().plans]

    def test_restore_gives_back_the_same_replica(self):
        """What a state store saves (snapshot, watermarks, year) restores it whole."""
        replica = _full_replica()
        assert replica.watermarks is not None
        restored = Replica.restore(
            replica.snapshot(), watermarks=replica.watermarks, year=2026
        )
        assert replica == restored


class TestIncrementalPull:
    def test_second_pull_with_no_changes_reads_nothing(self):
        """A pull right after another reads no record from the CRM."""
        crm = _crm()
        engine = _engine(crm)
        first = engine.pull(year=2026)
        read = _read(crm)
        second = engine.pull(year=2026)
        assert read > 0
        assert read == _read(crm)
        assert first == second
        assert 2 == crm.calls["fetch_changes"]

    def test_a_reps_change_is_picked_up(self):
        """A task a rep completes after a pull is read back completed, alone."""
        crm = _crm()
        engine = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        key = next(a.key for a in crm.activities.values() if a.key)
        engine.pull(year=2026)
        read = _read(crm)
        crm.complete_task(key, on=date(2026, 1, 20))
        snapshot = engine.pull(year=2026)
        (task,) = [a for a in snapshot.activities if a.key == key]
        assert (TaskStatus.COMPLETED, date(2026, 1, 20)) == (
            task.status,
            task.completed_on,
        )
        assert 1 == _read(crm) - read

    def test_a_deleted_task_leaves_the_replica(self):
        """A task deleted in the CRM after a pull is gone from the next snapshot."""
        crm = _crm()
        engine = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        engine.pull(year=2026)
        task = next(a for a in crm.activities.values() if a.key)
        crm.withdraw_tasks(
            [TaskWithdrawal(task.key or "", task.id, "test")], mode=WithdrawMode.DELETE
        )
        snapshot = engine.pull(year=2026)
        assert task.id not in {a.id for a in snapshot.activities}
        assert task.id not in engine.replica.activities

    def test_same_plan_and_diff_as_a_full_read(self):
        """After applies and reps' work, incremental pulls plan as a full read does."""
        crm = _crm()
        engine = _engine(crm)
        engine.apply(engine.plan(as_of=START))
        keys = sorted(a.key for a in crm.activities.values() if a.key)
        crm.complete_task(keys[0], on=date(2026, 1, 20))
        crm.edit_task(keys[1], subject="Moved by the rep")
        gone = next(a for a in crm.activities.values() if a.key == keys[2])
        crm.withdraw_tasks(
            [TaskWithdrawal(keys[2], gone.id, "test")], mode=WithdrawMode.DELETE
        )
        first = min(crm.accounts)
        crm.update_account(first, fields={"segment": "B"})
        crm.edit_plan(min(crm.plans), customer_strategy="Grow")
        as_of = date(2026, 2, 10)
        incremental = engine.plan(as_of=as_of)
        fresh = _engine(crm).plan(as_of=as_of)
        assert fresh.snapshot == incremental.snapshot
        assert fresh.plan == incremental.plan
        assert fresh.tasks == incremental.tasks
        assert fresh.plans == incremental.plans
        assert not incremental.tasks.is_empty

    def test_a_failed_read_leaves_the_replica_as_it_was(self):
        """A read that fails changes nothing; the next pull catches up."""
        crm = _crm()
        engine = _engine(crm)
        engine.pull(year=2026)
        held = engine.replica.since(year=2026)
        account = min(crm.accounts)
        crm.update_account(account, name="Renamed Oy")
        crm.fail_next("fetch_changes")
        with pytest.raises(CRMTransientError):
            engine.pull(year=2026)
        assert held == engine.replica.since(year=2026)
        snapshot = engine.pull(year=2026)
        assert "Renamed Oy" == next(
            a.name for a in snapshot.accounts if a.id == account
        )

    def test_a_shared_replica_carries_over_to_a_new_engine(self):
        """An engine handed an earlier engine's replica pulls only the changes."""
        crm = _crm()
        replica = Replica()
        _engine(crm, replica).pull(year=2026)
        read = _read(crm)
        _engine(crm, replica).pull(year=2026)
        assert read == _read(crm)
