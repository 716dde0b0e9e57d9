from __future__ import annotations

from dataclasses import replace
from datetime import date

from plansync.planning.diff import (
    ChangeKind,
    KeepTask,
    diff,
    simulate,
)
from plansync.planning.models import TaskStatus
from plansync.planning.plan import PlanningInput, plan
from tests.builders import CALENDAR, account, playbooks


def _desired(*accounts, as_of=date(2026, 1, 1)):
    inputs = PlanningInput(
        accounts=list(accounts) or [account("1")],
        playbooks=playbooks(),
        calendar=CALENDAR,
    )
    return plan(inputs, as_of=as_of).tasks


def _applied(desired):
    return simulate(diff(desired, []), [])


class TestDiff:
    def test_everything_new_is_created(self):
        """With nothing in the CRM, every desired task is a create."""
        desired = _desired()
        assert {"create": 16} == {
            k: v for k, v in diff(desired, []).counts().items() if v
        }

    def test_applied_state_is_all_keep(self):
        """After applying, the same plan diffs to keeps only."""
        desired = _desired()
        result = diff(desired, _applied(desired))
        assert result.is_empty
        assert all(isinstance(c, KeepTask) for c in result.changes)

    def test_changed_subject_is_an_update_of_that_field(self):
        """A playbook change to a subject updates only the subject."""
        desired = _desired()
        current = _applied(desired)
        renamed = [
            replace(t, subject=t.subject + "!") if t.kind == "call" else t
            for t in desired
        ]
        updates = diff(renamed, current).updates
        assert 12 == len(updates)
        assert {("subject",)} == {u.fields for u in updates}

    def test_human_edit_is_drift_not_overwritten(self):
        """A due date moved by a rep is reported as drift and kept on update."""
        desired = _desired()
        current = _applied(desired)
        edited = replace(current[0], due=date(2026, 4, 30))
        current = [edited, *current[1:]]
        result = diff(desired, current)
        assert [(edited.key, ("due",))] == [(d.key, d.fields) for d in result.drifts]
        assert result.is_empty

    def test_update_keeps_the_human_value(self):
        """When plansync updates a task, fields the rep changed keep the rep's value."""
        desired = _desired()
        current = {a.key: a for a in _applied(desired)}
        target = desired[0].key
        current[target] = replace(current[target], due=date(2026, 4, 30))
        renamed = [replace(desired[0], subject="New subject"), *desired[1:]]
        result = diff(renamed, current.values())
        (update,) = result.updates
        assert ("New subject", date(2026, 4, 30), ("subject",)) == (
            update.task.subject,
            update.task.due,
            update.fields,
        )
        after = simulate(result, list(current.values()))
        assert not diff(renamed, after).updates

    def test_completed_tasks_are_never_touched(self):
        """A completed task stays even when no longer planned or when changed."""
        desired = _desired()
        current = [replace(a, status=TaskStatus.COMPLETED) for a in _applied(desired)]
        renamed = [replace(t, subject="x") for t in desired[:3]]
        result = diff(renamed, current, years=[2026])
        assert {ChangeKind.KEEP} == {c.kind for c in result.changes}

    def test_obsolete_open_task_is_withdrawn(self):
        """Open tasks of a segment the account left are withdrawn explicitly."""
        current = _applied(_desired(account("1", segment="A")))
        moved = _desired(account("1", segment="B"))
        result = diff(moved, current)
        assert 16 == len(result.withdrawals)
        assert {"no longer planned"} == {
            w.withdrawal.reason for w in result.withdrawals
        }

    def test_duplicates_are_withdrawn(self):
        """Two open tasks with one key (a crash between create and record) keep one."""
        desired = _desired()
        current = _applied(desired)
        twin = replace(current[0], id="zz-dupe")
        result = diff(desired, [*current, twin])
        assert [("zz-dupe", "duplicate")] == [
            (w.withdrawal.crm_id, w.withdrawal.reason) for w in result.withdrawals
        ]

    def test_other_years_are_out_of_scope(self):
        """Last year's open tasks are not withdrawn by this year's plan."""
        last_year = _applied(_desired(as_of=date(2025, 1, 1)))
        result = diff(_desired(), last_year)
        assert 0 == len(result.withdrawals)

    def test_withdrawn_task_planned_again_is_reopened(self):
        """A task withdrawn by status and wanted again is updated back to open."""
        desired = _desired()
        current = [replace(a, status=TaskStatus.WITHDRAWN) for a in _applied(desired)]
        updates = diff(desired, current).updates
        assert all("status" in u.fields for u in updates)
        assert 16 == len(updates)
