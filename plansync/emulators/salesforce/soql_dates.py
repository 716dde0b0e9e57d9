"""Turn SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) into date ranges.

Each literal is a range of whole days starting at 00:00:00 in the user's time zone
(UTC here); ``=`` means within it, ``<`` before its start, ``>`` after its end.
LAST_N_DAYS:n and LAST_90_DAYS include today; NEXT_N_DAYS:n and NEXT_90_DAYS start
tomorrow. Weeks start on Sunday (en_US locale); fiscal years are calendar years.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
(today's inclusion as observed: https://support.ptc.com/help/servicemaxcore/en/articles/core/last-n-days-next-n-days.html)
"""

from __future__ import annotations

from datetime import date, timedelta

DateRange = tuple[date, date]  # [start, end) in days

DATE_LITERALS = frozenset(
    {
        "YESTERDAY",
        "TODAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
        "THIS_QUARTER",
        "LAST_QUARTER",
        "NEXT_QUARTER",
        "THIS_YEAR",
        "LAST_YEAR",
        "NEXT_YEAR",
        "THIS_FISCAL_QUARTER",
        "LAST_FISCAL_QUARTER",
        "NEXT_FISCAL_QUARTER",
        "THIS_FISCAL_YEAR",
        "LAST_FISCAL_YEAR",
        "NEXT_FISCAL_YEAR",
    }
)
N_DATE_LITERALS = frozenset(
    {
        "LAST_N_DAYS",
        "NEXT_N_DAYS",
        "N_DAYS_AGO",
        "LAST_N_WEEKS",
        "NEXT_N_WEEKS",
        "N_WEEKS_AGO",
        "LAST_N_MONTHS",
        "NEXT_N_MONTHS",
        "N_MONTHS_AGO",
        "LAST_N_QUARTERS",
        "NEXT_N_QUARTERS",
        "N_QUARTERS_AGO",
        "LAST_N_YEARS",
        "NEXT_N_YEARS",
        "N_YEARS_AGO",
        "LAST_N_FISCAL_QUARTERS",
        "NEXT_N_FISCAL_QUARTERS",
        "LAST_N_FISCAL_YEARS",
        "NEXT_N_FISCAL_YEARS",
    }
)


def date_range(name: str, amount: int | None, today: date) -> DateRange:
    """Return the ``[start, end)`` days literal ``name`` (with ``amount``) covers."""
    n = amount or 0
    name = name.replace("_FISCAL", "")
    day = timedelta(days=1)
    simple = {
        "YESTERDAY": (today - day, today),
        "TODAY": (today, today + day),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
    }
    if name in simple:
        return simple[name]
    unit, offset, count = _periodic(name, n)
    start = _period_start(unit, today)
    return _shift(unit, start, offset), _shift(unit, start, offset + count)


def _periodic(name: str, n: int) -> tuple[str, int, int]:
    """Return (unit, offset of first period from the current one, number of periods)."""
    unit = next(u for u in ("WEEK", "MONTH", "QUARTER", "YEAR") if u in name)
    if name.startswith("THIS_"):
        return unit, 0, 1
    if name.startswith("LAST_N_"):
        return unit, -n, n
    if name.startswith("NEXT_N_"):
        return unit, 1, n
    if name.startswith("LAST_"):
        return unit, -1, 1
    if name.startswith("NEXT_"):
        return unit, 1, 1
    return unit, -n, 1  # N_<UNIT>S_AGO


def _period_start(unit: str, today: date) -> date:
    if unit == "WEEK":
        return today - timedelta(days=(today.weekday() + 1) % 7)
    if unit == "MONTH":
        return today.replace(day=1)
    if unit == "QUARTER":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(month=1, day=1)


def _shift(unit: str, start: date, periods: int) -> date:
    if unit == "WEEK":
        return start + timedelta(weeks=periods)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit] * periods
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)
