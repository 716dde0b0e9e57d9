from __future__ import annotations

from datetime import date

from plansync.planning.compliance import account_compliance, roll_up, status_for
from plansync.planning.models import ActivityKind, ComplianceStatus
from plansync.planning.plan import PlanningInput, plan
from plansync.planning.playbooks import Thresholds
from tests.builders import CALENDAR, account, completed, playbooks

START = date(2026, 1, 1)


def _compliance(accounts, activities, *, as_of):
    books = playbooks()
    result = plan(
        PlanningInput(accounts=accounts, playbooks=books, calendar=CALENDAR),
        as_of=START,
    )
    return result, account_compliance(
        accounts,
        result.tasks,
        activities,
        playbooks=books,
        segments=result.segments,
        year=2026,
        as_of=as_of,
    )


class TestAccountCompliance:
    def test_nothing_done(self):
        """By 1 April, Jan-Mar calls are overdue and Q1 steering is due that day."""
        _, (row,) = _compliance([account("1")], [], as_of=date(2026, 4, 1))
        assert (16, 4, 0, 0.0, ComplianceStatus.OFF_TRACK, 3) == (
            row.planned_year,
            row.planned_to_date,
            row.done_to_date,
            row.percent,
            row.status,
            row.overdue,
        )
        assert date(2026, 4, 1) == row.next_due

    def test_own_task_completed_counts(self):
        """Completing the generated task marks its occurrence done."""
        result, _ = _compliance([account("1")], [], as_of=START)
        jan = next(t for t in result.tasks if t.period.label == "Jan 2026")
        done = completed("x", "1", ActivityKind.CALL, date(2026, 3, 3), key=jan.key)
        _, (row,) = _compliance([account("1")], [done], as_of=date(2026, 2, 2))
        assert (1, 1, 100.0, ComplianceStatus.ON_TRACK) == (
            row.planned_to_date,
            row.done_to_date,
            row.percent,
            row.status,
        )

    def test_logged_call_in_the_period_counts(self):
        """A call logged by hand in February satisfies February's call."""
        calls = [completed("c1", "1", ActivityKind.CALL, date(2026, 2, 10))]
        _, (row,) = _compliance([account("1")], calls, as_of=date(2026, 3, 2))
        assert (2, 1) == (row.planned_to_date, row.done_to_date)

    def test_one_activity_satisfies_one_occurrence(self):
        """One call cannot count for two months, nor a call for a meeting."""
        calls = [completed("c1", "1", ActivityKind.CALL, date(2026, 1, 10))]
        _, (row,) = _compliance([account("1")], calls, as_of=date(2026, 4, 1))
        assert 1 == row.done_to_date

    def test_subject_keyword_is_required(self):
        """A meeting without 'steering' in its subject does not count as steering."""
        meetings = [
            completed(
                "m1", "1", ActivityKind.MEETING, date(2026, 2, 1), subject="Lunch"
            ),
            completed(
                "m2",
                "1",
                ActivityKind.MEETING,
                date(2026, 2, 2),
                subject="Steering group",
            ),
        ]
        _, (row,) = _compliance([account("1")], meetings, as_of=date(2026, 4, 1))
        assert 1 == row.done_to_date
        assert date(2026, 2, 2) == row.last_activity_on

    def test_account_without_plan(self):
        """An account in no segment reports no_plan at 100 %."""
        _, (row,) = _compliance(
            [account("1", segment=None)], [], as_of=date(2026, 4, 1)
        )
        assert (ComplianceStatus.NO_PLAN, 0) == (row.status, row.planned_year)


class TestStatus:
    def test_thresholds(self):
        """90 and above is on track, 70 to 90 at risk, below off track."""
        t = Thresholds(90, 70)
        assert ["on_track", "at_risk", "off_track"] == [
            status_for(p, t).value for p in (90.0, 70.0, 69.9)
        ]


class TestRollUp:
    def test_by_segment(self):
        """Rolled-up figures sum the accounts of each segment."""
        _, rows = _compliance(
            [account("1"), account("2"), account("3", segment="B")],
            [],
            as_of=date(2026, 4, 1),
        )
        groups = {
            r.group: (r.accounts, r.planned_to_date)
            for r in roll_up(rows, by="segment")
        }
        assert {"A": (2, 8), "B": (1, 1)} == groups
