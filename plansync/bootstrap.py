"""Choose the concrete pieces: the only place that knows which classes run.

The CLI asks here for an engine; tests build their own from the same parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from plansync.config.calendar import holiday_dates
from plansync.config.playbooks import load_playbooks
from plansync.connectors.base import CRMConnector
from plansync.planning.calendar import WorkCalendar, plan_year_of
from plansync.planning.playbooks import PlaybookSet
from plansync.sync.engine import SyncEngine

DEFAULT_PLAYBOOKS = Path(__file__).resolve().parent.parent / "config" / "playbooks.yaml"


def work_calendar(playbooks: PlaybookSet, years: Iterable[int]) -> WorkCalendar:
    """Build the working calendar the playbooks declare for the given plan years.

    Holidays of the calendar years each plan year touches are included, so a
    fiscal year starting in July still knows the next spring's holidays.
    """
    rules = playbooks.plan_year
    span = {y + d for y in years for d in (0, 1)}
    return WorkCalendar(rules.working_days, holiday_dates(rules.holiday_country, span))


def today_in(playbooks: PlaybookSet, now: datetime) -> date:
    """Return the date it is now in the playbooks' time zone."""
    return now.astimezone(ZoneInfo(playbooks.plan_year.timezone)).date()


def build_engine(
    connector: CRMConnector, playbooks: PlaybookSet, *, as_of: date
) -> SyncEngine:
    """Wire an engine for the plan year containing ``as_of``."""
    fiscal_start = playbooks.plan_year.fiscal_start_month
    year = plan_year_of(as_of, fiscal_start_month=fiscal_start)
    return SyncEngine(connector, playbooks, work_calendar(playbooks, [year.year]))


def playbooks_from(path: Path | None) -> PlaybookSet:
    """Load the given playbook file, or the example shipped with plansync."""
    return load_playbooks(path or DEFAULT_PLAYBOOKS)
