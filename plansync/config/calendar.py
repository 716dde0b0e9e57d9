"""Look up public holidays for the country a playbook names, via ``holidays``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache

import holidays

from plansync.errors import ConfigError


@cache
def supported_countries() -> frozenset[str]:
    """Return every country code the ``holidays`` package knows (ISO 3166 alpha-2/3)."""
    return frozenset(holidays.list_supported_countries())


def holiday_dates(country: str | None, years: Iterable[int]) -> frozenset[date]:
    """Return the public holidays of ``country`` in the given calendar years.

    ``None`` means no holidays (only weekends are days off).

    Raises:
        ConfigError: ``country`` is not a code the ``holidays`` package supports.
    """
    wanted = sorted(set(years))
    if country is None or not wanted:
        return frozenset()
    if country not in supported_countries():
        raise ConfigError(f"unknown holiday country '{country}'")
    return frozenset(holidays.country_holidays(country, years=wanted).keys())
