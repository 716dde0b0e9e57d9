from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from plansync.planning.calendar import WorkCalendar, periods, plan_year, plan_year_of
from plansync.planning.models import Period
from plansync.planning.playbooks import Every, EveryDays, Interval, PerYear
from tests.builders import CALENDAR


class TestPlanYear:
    def test_calendar_year_by_default(self):
        """A plan year with fiscal start January is the calendar year."""
        year = plan_year(2026)
        assert (date(2026, 1, 1), date(2026, 12, 31), 365) == (
            year.start,
            year.end,
            year.days,
        )

    def test_fiscal_year_starting_in_july(self):
        """A day in March belongs to the plan year that started the July before."""
        year = plan_year_of(date(2027, 3, 1), fiscal_start_month=7)
        assert (2026, date(2026, 7, 1), date(2027, 6, 30)) == (
            year.year,
            year.start,
            year.end,
        )


class TestPeriods:
    @pytest.mark.parametrize("count", [1, 2, 4, 12, 52, 365])
    def test_per_year_gives_count_contiguous_periods(self, count):
        """per_year N covers the whole year with N back-to-back periods."""
        year = plan_year(2026)
        items = periods(PerYear(count), year)
        assert count == len(items)
        assert year.start == items[0].start
        assert year.end == items[-1].end
        assert all(
            a.end.toordinal() + 1 == b.start.toordinal() for a, b in pairwise(items)
        )

    def test_months_follow_the_calendar(self):
        """every: month gives twelve calendar months labelled by name."""
        items = periods(Every(Interval.MONTH), plan_year(2026))
        assert 12 == len(items)
        assert Period(date(2026, 2, 1), date(2026, 2, 28), "Feb 2026") == items[1]

    def test_quarters_follow_the_fiscal_year(self):
        """every: quarter starts its Q1 at the fiscal start month."""
        items = periods(Every(Interval.QUARTER), plan_year(2026, fiscal_start_month=4))
        assert ["Q1", "Q2", "Q3", "Q4"] == [p.label for p in items]
        assert date(2026, 4, 1) == items[0].start
        assert date(2027, 3, 31) == items[-1].end

    def test_weeks_fold_stub_weeks_into_neighbours(self):
        """A 3-day stub week at a year's edge is merged, not asked for on its own."""
        items = periods(Every(Interval.WEEK), plan_year(2026))
        assert all((p.end - p.start).days + 1 >= 4 for p in items)
        assert date(2026, 1, 1) == items[0].start
        assert date(2026, 12, 31) == items[-1].end

    def test_every_days_windows(self):
        """every_days: 100 gives four windows, the last one shorter."""
        items = periods(EveryDays(100), plan_year(2026))
        assert 4 == len(items)
        assert date(2026, 12, 31) == items[-1].end


class TestDueDate:
    def test_due_is_last_working_day_of_the_period(self):
        """A period ending on a Sunday is due the Friday before."""
        period = Period(date(2026, 5, 1), date(2026, 5, 31), "May")
        assert date(2026, 5, 29) == CALENDAR.due_date(period)

    def test_holiday_moves_due_date_back(self):
        """Christmas Eve and Christmas Day push a due date back to the 23rd."""
        period = Period(date(2026, 12, 21), date(2026, 12, 25), "W52")
        assert date(2026, 12, 23) == CALENDAR.due_date(period)

    def test_period_without_working_day_falls_back_before_it(self):
        """A weekend-only period is due on the Friday before it."""
        period = Period(date(2026, 5, 2), date(2026, 5, 3), "weekend")
        assert date(2026, 4, 30) == WorkCalendar(
            holidays=frozenset({date(2026, 5, 1)})
        ).due_date(period)
