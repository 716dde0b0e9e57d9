"""Choose the concrete pieces: the only place that knows which classes run.

The CLI asks here for an engine; tests build their own from the same parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, assert_never
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from plansync.config.calendar import holiday_dates
from plansync.config.playbooks import load_playbooks
from plansync.config.settings import SalesforceSettings, Settings
from plansync.connectors.base import CRMConnector
from plansync.errors import ConfigError
from plansync.planning.calendar import WorkCalendar, plan_year_of
from plansync.planning.playbooks import PlaybookSet
from plansync.sync.engine import SyncEngine

if TYPE_CHECKING:
    from plansync.connectors.salesforce import SalesforceConnector
    from plansync.emulators.salesforce import SalesforceEmulator

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


def connector_for(settings: Settings) -> CRMConnector:
    """Build the connector the settings name.

    Raises:
        ConfigError: the CRM cannot be used from a standalone command.
    """
    match settings.crm:
        case "salesforce":
            from plansync.connectors.salesforce import SalesforceConnector  # noqa: PLC0415  # load the SDK only for this CRM

            return SalesforceConnector(settings.salesforce)
        case "memory":
            raise ConfigError(
                "crm = 'memory' lives inside one process only; "
                "run `plansync demo`, or set crm to salesforce"
            )
        case "hubspot":
            raise ConfigError("the HubSpot connector is not available yet; set crm")
        case _:
            assert_never(settings.crm)


def emulator_connector(emulator: SalesforceEmulator) -> SalesforceConnector:
    """Connect the real Salesforce connector to a local emulator, token flow."""
    from plansync.connectors.salesforce import SalesforceConnector  # noqa: PLC0415  # load the SDK only for this CRM

    settings = SalesforceSettings(
        auth="token",
        instance_url=emulator.url,
        ca_file=emulator.ca_file,
        access_token=SecretStr(emulator.access_token),
    )
    # A local org finishes Bulk jobs at once; polling every 2 s would only wait.
    return SalesforceConnector(settings, bulk_wait_s=0.05)


def playbooks_from(path: Path | None) -> PlaybookSet:
    """Load the given playbook file, or the example shipped with plansync."""
    return load_playbooks(path or DEFAULT_PLAYBOOKS)
