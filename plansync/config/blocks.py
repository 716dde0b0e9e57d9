"""Read the settings blocks: plan_year, compliance, capacity, plan and sync."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from plansync.config.activities import ROLE, ROLE_RULE
from plansync.config.calendar import supported_countries
from plansync.config.reader import Reader, describe, suggestion
from plansync.config.yaml_source import YamlPath
from plansync.planning.playbooks import PlanYearRules, Thresholds, WithdrawMode

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Working-day names in ``date.weekday()`` order (0 is Monday)."""

_PLAN_YEAR_KEYS = ("fiscal_start_month", "timezone", "working_days", "holidays")
_COMPLIANCE_KEYS = ("on_track", "at_risk")
_CAPACITY_KEYS = ("hours_per_rep_per_year",)
_PLAN_KEYS = ("stale_after_days", "key_roles", "strategic_revenue_target_pct")
_SYNC_KEYS = ("withdraw",)
_WITHDRAW_MODES = tuple(mode.value for mode in WithdrawMode)
_COUNTRY_HINT = "; expected a code the holidays package supports, such as FI, US or DE"


@dataclass(frozen=True, slots=True)
class PlaybookOptions:
    """Everything a playbook file sets outside its segments, defaults filled in."""

    plan_year: PlanYearRules = field(default_factory=PlanYearRules)
    thresholds: Thresholds = field(default_factory=Thresholds)
    capacity_hours_per_year: float | None = None
    stale_after_days: int = 365
    key_roles: tuple[str, ...] = ()
    strategic_revenue_target_pct: float = 25.0
    withdraw: WithdrawMode = WithdrawMode.DELETE


_DEFAULTS = PlaybookOptions()


def parse_options(reader: Reader, root: dict[str, object]) -> PlaybookOptions:
    """Read every settings block of the top-level mapping ``root``."""
    plan = reader.block(root, "plan", keys=_PLAN_KEYS)
    capacity = reader.block(root, "capacity", keys=_CAPACITY_KEYS)
    return PlaybookOptions(
        plan_year=_plan_year(
            reader, reader.block(root, "plan_year", keys=_PLAN_YEAR_KEYS)
        ),
        thresholds=_thresholds(
            reader, reader.block(root, "compliance", keys=_COMPLIANCE_KEYS)
        ),
        capacity_hours_per_year=_capacity(reader, capacity),
        stale_after_days=_stale_after_days(reader, plan),
        key_roles=_key_roles(reader, plan),
        strategic_revenue_target_pct=_revenue_target(reader, plan),
        withdraw=_withdraw(reader, reader.block(root, "sync", keys=_SYNC_KEYS)),
    )


def _plan_year(reader: Reader, block: dict[str, object]) -> PlanYearRules:
    path: YamlPath = ("plan_year",)
    rules = _DEFAULTS.plan_year
    month = rules.fiscal_start_month
    if "fiscal_start_month" in block:
        value, where = block["fiscal_start_month"], (*path, "fiscal_start_month")
        month = reader.integer(value, where, low=1, high=12) or month
    timezone = rules.timezone
    if "timezone" in block:
        timezone = _timezone(reader, block["timezone"], (*path, "timezone"))
    days = rules.working_days
    if "working_days" in block:
        days = _working_days(reader, block["working_days"], (*path, "working_days"))
    country = rules.holiday_country
    if "holidays" in block:
        country = _holiday_country(reader, block["holidays"], (*path, "holidays"))
    return PlanYearRules(month, timezone, days, country)


def _timezone(reader: Reader, value: object, path: YamlPath) -> str:
    name = reader.text(value, path)
    if name is None:
        return _DEFAULTS.plan_year.timezone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hint = suggestion(name, available_timezones())
        hint = hint or "; expected an IANA name such as Europe/Helsinki"
        reader.report(path, f"unknown time zone '{name}'{hint}")
    return name


def _working_days(reader: Reader, value: object, path: YamlPath) -> frozenset[int]:
    items = reader.sequence(value, path) or []
    names = [reader.choice(item, (*path, i), DAYS) for i, item in enumerate(items)]
    days = frozenset(DAYS.index(name) for name in names if name is not None)
    return days or _DEFAULTS.plan_year.working_days


def _holiday_country(reader: Reader, value: object, path: YamlPath) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value in supported_countries():
        return value
    hint = suggestion(value, supported_countries()) if isinstance(value, str) else ""
    reader.report(
        path, f"unknown holiday country {describe(value)}{hint or _COUNTRY_HINT}"
    )
    return None


def _thresholds(reader: Reader, block: dict[str, object]) -> Thresholds:
    path: YamlPath = ("compliance",)
    on_track: float | None = _DEFAULTS.thresholds.on_track_pct
    at_risk: float | None = _DEFAULTS.thresholds.at_risk_pct
    if "on_track" in block:
        on_track = reader.percent(block["on_track"], (*path, "on_track"))
    if "at_risk" in block:
        at_risk = reader.percent(block["at_risk"], (*path, "at_risk"))
    if on_track is None or at_risk is None:
        return _DEFAULTS.thresholds
    if on_track <= at_risk:
        key = "on_track" if "on_track" in block else "at_risk"
        message = f"expected on_track above at_risk, got {on_track:g} and {at_risk:g}"
        reader.report((*path, key), message)
    return Thresholds(on_track, at_risk)


def _capacity(reader: Reader, block: dict[str, object]) -> float | None:
    if "hours_per_rep_per_year" not in block:
        return None
    where = ("capacity", "hours_per_rep_per_year")
    return reader.number(block["hours_per_rep_per_year"], where)


def _stale_after_days(reader: Reader, plan: dict[str, object]) -> int:
    if "stale_after_days" not in plan:
        return _DEFAULTS.stale_after_days
    days = reader.integer(plan["stale_after_days"], ("plan", "stale_after_days"), low=1)
    return _DEFAULTS.stale_after_days if days is None else days


def _key_roles(reader: Reader, plan: dict[str, object]) -> tuple[str, ...]:
    path: YamlPath = ("plan", "key_roles")
    items = reader.sequence(plan.get("key_roles", []), path, non_empty=False) or []
    roles: list[str] = []
    for index, item in enumerate(items):
        role = reader.slug(item, (*path, index), pattern=ROLE, rule=ROLE_RULE)
        if role in roles:
            reader.report((*path, index), f"duplicate role '{role}'")
        elif role is not None:
            roles.append(role)
    return tuple(roles)


def _revenue_target(reader: Reader, plan: dict[str, object]) -> float:
    default = _DEFAULTS.strategic_revenue_target_pct
    if "strategic_revenue_target_pct" not in plan:
        return default
    where = ("plan", "strategic_revenue_target_pct")
    target = reader.percent(plan["strategic_revenue_target_pct"], where)
    return default if target is None else target


def _withdraw(reader: Reader, sync: dict[str, object]) -> WithdrawMode:
    if "withdraw" not in sync:
        return _DEFAULTS.withdraw
    mode = reader.choice(sync["withdraw"], ("sync", "withdraw"), _WITHDRAW_MODES)
    return _DEFAULTS.withdraw if mode is None else WithdrawMode(mode)
