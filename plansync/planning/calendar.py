"""Lay out the plan year: its bounds, working days and each cadence's periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import assert_never

from plansync.planning.models import Period
from plansync.planning.playbooks import Cadence, Every, EveryDays, Interval, PerYear

_MAX_SHIFT_DAYS = 31
_QUARTER_MONTHS = 3


@dataclass(frozen=True, slots=True)
class PlanYear:
    """A plan year, named by the calendar year it starts in; ``end`` is inclusive."""

    year: int
    start: date
    end: date

    @property
    def days(self) -> int:
        """Return the number of days in the plan year."""
        return (self.end - self.start).days + 1


def plan_year(year: int, *, fiscal_start_month: int = 1) -> PlanYear:
    """Return plan year ``year``, starting on the first day of the fiscal month."""
    start = date(year, fiscal_start_month, 1)
    next_start = date(year + 1, fiscal_start_month, 1)
    return PlanYear(year, start, next_start - timedelta(days=1))


def plan_year_of(day: date, *, fiscal_start_month: int = 1) -> PlanYear:
    """Return the plan year that contains ``day``."""
    year = day.year if day.month >= fiscal_start_month else day.year - 1
    return plan_year(year, fiscal_start_month=fiscal_start_month)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Tell working days from weekends and public holidays.

    ``working_days`` uses ``date.weekday()`` numbers (0 = Monday). Holidays are
    given as dates, resolved by the caller, so planning stays free of data sources.
    """

    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Tell whether work can be due on ``day``."""
        return day.weekday() in self.working_days and day not in self.holidays

    def due_date(self, period: Period) -> date:
        """Return the last working day of ``period``.

        A period with no working day (a holiday week) falls back to the closest
        working day before it, so a due date is never a weekend or a holiday.
        """
        day = period.end
        for _ in range((period.end - period.start).days + 1 + _MAX_SHIFT_DAYS):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        return period.end  # no working day within a month: the calendar is degenerate


def periods(cadence: Cadence, year: PlanYear) -> tuple[Period, ...]:
    """Split the plan year into the periods a cadence asks one occurrence for."""
    match cadence:
        case PerYear(count=count):
            return _even_slices(year, min(count, year.days))
        case Every(interval=interval):
            return _calendar_periods(interval, year)
        case EveryDays(days=days):
            return _windows(year, days)
        case _:
            assert_never(cadence)


def _calendar_periods(interval: Interval, year: PlanYear) -> tuple[Period, ...]:
    match interval:
        case Interval.WEEK:
            return _weeks(year)
        case Interval.MONTH:
            return _months(year, step=1)
        case Interval.QUARTER:
            return _months(year, step=_QUARTER_MONTHS)
        case _:
            assert_never(interval)


def _even_slices(year: PlanYear, count: int) -> tuple[Period, ...]:
    bounds = [
        year.start + timedelta(days=i * year.days // count) for i in range(count + 1)
    ]
    return tuple(
        Period(bounds[i], bounds[i + 1] - timedelta(days=1), f"{i + 1}/{count}")
        for i in range(count)
    )


def _months(year: PlanYear, *, step: int) -> tuple[Period, ...]:
    result = []
    month_index = year.start.year * 12 + year.start.month - 1
    for n in range(12 // step):
        first = _month_start(month_index + n * step)
        after = _month_start(month_index + (n + 1) * step)
        label = f"Q{n + 1}" if step == _QUARTER_MONTHS else first.strftime("%b %Y")
        result.append(Period(first, after - timedelta(days=1), label))
    return tuple(result)


def _month_start(month_index: int) -> date:
    return date(month_index // 12, month_index % 12 + 1, 1)


def _weeks(year: PlanYear) -> tuple[Period, ...]:
    result = []
    start = year.start
    while start <= year.end:
        end = min(start + timedelta(days=6 - start.weekday()), year.end)
        iso_year, iso_week, _ = start.isocalendar()
        result.append(Period(start, end, f"W{iso_week:02d} {iso_year}"))
        start = end + timedelta(days=1)
    return _merge_short_edges(result, min_days=4)


def _windows(year: PlanYear, days: int) -> tuple[Period, ...]:
    result = []
    start = year.start
    n = 1
    while start <= year.end:
        end = min(start + timedelta(days=days - 1), year.end)
        result.append(Period(start, end, f"#{n}"))
        start = end + timedelta(days=1)
        n += 1
    return tuple(result)


def _merge_short_edges(items: list[Period], *, min_days: int) -> tuple[Period, ...]:
    """Fold a stub week at either end of the year into its neighbour.

    A two-day "week" on 30-31 December would ask for a whole week's work in two
    days, often holidays; calendars reps use merge it instead.
    """
    if len(items) > 1 and (items[0].end - items[0].start).days + 1 < min_days:
        items[1] = Period(items[0].start, items[1].end, items[1].label)
        items.pop(0)
    if len(items) > 1 and (items[-1].end - items[-1].start).days + 1 < min_days:
        items[-2] = Period(items[-2].start, items[-1].end, items[-2].label)
        items.pop()
    return tuple(items)
