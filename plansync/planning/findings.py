"""Report expected problems as values: over capacity, stale plans, gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from plansync.planning.models import PlannedTask


class FindingKind(StrEnum):
    """What a finding is about; each maps to a requirement of the domain."""

    OVER_CAPACITY = "over_capacity"  # R2
    NO_OWNER = "no_owner"
    STALE_PLAN = "stale_plan"  # R6
    UNKNOWN_KEY_ROLE = "unknown_key_role"  # R12
    OWNER_ROLE_MISSING = "owner_role_missing"
    NO_STAKEHOLDER = "no_stakeholder"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something to look at; ``subject_id`` is an account or an owner."""

    kind: FindingKind
    subject_id: str
    message: str
    value: float | None = None


def capacity_findings(
    tasks: Iterable[PlannedTask], *, capacity_hours: float | None
) -> list[Finding]:
    """Flag every owner whose planned hours for the year exceed their capacity (R2)."""
    if capacity_hours is None:
        return []
    hours: dict[str, float] = defaultdict(float)
    for task in tasks:
        if task.owner_id is not None:
            hours[task.owner_id] += task.effort_hours
    return [
        Finding(
            FindingKind.OVER_CAPACITY,
            owner,
            f"{total:.0f} h planned, capacity {capacity_hours:.0f} h a year",
            total,
        )
        for owner, total in sorted(hours.items())
        if total > capacity_hours
    ]
