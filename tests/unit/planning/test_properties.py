"""Planning's laws, checked over generated accounts, playbooks and CRM states."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from plansync.planning.calendar import WorkCalendar, periods, plan_year
from plansync.planning.compliance import account_compliance
from plansync.planning.diff import diff, simulate, task_values
from plansync.planning.models import ActivityKind, TaskStatus
from plansync.planning.plan import PlanningInput, plan
from plansync.planning.playbooks import Every, EveryDays, Interval, PerYear
from tests.builders import CALENDAR, account, completed, playbooks

accounts_st = st.lists(
    st.builds(
        account,
        st.text("abcdef0123", min_size=1, max_size=6),
        segment=st.sampled_from(["A", "B", "C", None]),
        owner=st.sampled_from(["U1", "U2", None]),
        revenue=st.one_of(st.none(), st.floats(0, 1e8)),
    ),
    max_size=8,
    unique_by=lambda a: a.id,
)
days_st = st.dates(date(2026, 1, 1), date(2026, 12, 31))
cadence_st = st.one_of(
    st.builds(PerYear, st.integers(1, 365)),
    st.builds(Every, st.sampled_from(list(Interval))),
    st.builds(EveryDays, st.integers(1, 366)),
)


def _plan(accounts, as_of):
    return plan(
        PlanningInput(accounts=accounts, playbooks=playbooks(), calendar=CALENDAR),
        as_of=as_of,
    )


class TestPlanLaws:
    @given(accounts_st, days_st)
    def test_planning_twice_gives_identical_keys(self, accounts, as_of):
        """Same inputs, same keys, whatever order the accounts arrive in."""
        first = [t.key for t in _plan(accounts, as_of).tasks]
        second = [t.key for t in _plan(list(reversed(accounts)), as_of).tasks]
        assert first == second
        assert len(first) == len(set(first))

    @given(st.integers(1, 365), st.integers(2000, 2100), st.integers(1, 12))
    def test_per_year_n_gives_n_occurrences(self, count, year, month):
        """per_year N yields exactly N periods over a full plan year."""
        assert count == len(
            periods(PerYear(count), plan_year(year, fiscal_start_month=month))
        )

    @given(
        cadence_st,
        st.integers(2020, 2030),
        st.frozensets(st.integers(0, 6), min_size=1),
        st.frozensets(st.dates(date(2020, 1, 1), date(2031, 12, 31)), max_size=40),
    )
    def test_no_due_date_on_a_weekend_or_holiday(
        self, cadence, year, working, holidays
    ):
        """Every due date is a working day whatever the calendar."""
        calendar = WorkCalendar(working, holidays)
        for period in periods(cadence, plan_year(year)):
            assert calendar.is_working_day(calendar.due_date(period))


class TestDiffLaws:
    @given(accounts_st, days_st)
    def test_diff_of_a_state_with_itself_is_empty(self, accounts, as_of):
        """diff(x, x) writes nothing."""
        desired = _plan(accounts, as_of).tasks
        state = simulate(diff(desired, []), [])
        assert diff(desired, state).is_empty

    @given(accounts_st, accounts_st, days_st)
    def test_applying_the_diff_yields_the_desired_state(self, before, after, as_of):
        """Applying diff(d, c) to c gives a CRM whose tasks equal d."""
        current = simulate(diff(_plan(before, as_of).tasks, []), [])
        desired = _plan(after, as_of).tasks
        result = simulate(diff(desired, current, years=[2026]), current)
        live = {a.key: task_values(a) for a in result if a.status is TaskStatus.OPEN}
        assert {t.key: task_values(t) for t in desired} == live

    @given(accounts_st, accounts_st, days_st, st.data())
    def test_completed_tasks_never_updated_or_withdrawn(
        self, before, after, as_of, data
    ):
        """Whatever changes, a completed task is neither updated nor withdrawn."""
        current = simulate(diff(_plan(before, as_of).tasks, []), [])
        done = (
            data.draw(st.sets(st.sampled_from([a.id for a in current])))
            if current
            else set()
        )
        current = [
            replace(a, status=TaskStatus.COMPLETED) if a.id in done else a
            for a in current
        ]
        result = diff(_plan(after, as_of).tasks, current, years=[2026])
        touched = {c.task.crm_id for c in result.updates} | {
            c.withdrawal.crm_id for c in result.withdrawals
        }
        assert not touched & done
        assert {a.key for a in current if a.id in done}.isdisjoint(
            c.task.key for c in result.creates
        )


class TestComplianceLaws:
    @given(accounts_st, days_st, st.lists(days_st, max_size=30))
    def test_percent_stays_within_0_and_100(self, accounts, as_of, call_days):
        """Compliance is a percentage whatever was done when."""
        result = _plan(accounts, date(2026, 1, 1))
        activities = (
            [
                completed(
                    f"x{n}", accounts[n % len(accounts)].id, ActivityKind.CALL, day
                )
                for n, day in enumerate(call_days)
            ]
            if accounts
            else []
        )
        rows = account_compliance(
            accounts,
            result.tasks,
            activities,
            playbooks=playbooks(),
            segments=result.segments,
            year=2026,
            as_of=as_of,
        )
        for row in rows:
            assert 0.0 <= row.percent <= 100.0
            assert 0 <= row.done_to_date <= row.planned_to_date <= row.planned_year
            assert row.next_due is None or row.next_due >= as_of
