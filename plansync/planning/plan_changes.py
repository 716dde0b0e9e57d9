"""Compare desired account plan records with the CRM's, touching only computed fields.

The narrative of a plan (strategy, goals, whitespace, buying process, next actions)
is the rep's; plansync writes it once, empty, and never again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from plansync.planning.models import AccountPlan

COMPUTED_FIELDS = (
    "segment",
    "segment_since",
    "current_revenue_eur",
    "products",
    "recurring_share_pct",
    "wallet_share_pct",
    "red_flags",
    "power_map",
    "planned_activities",
    "planned_hours",
    "done_activities",
    "compliance_pct",
    "status",
    "last_reviewed",
)


@dataclass(frozen=True, slots=True)
class PlanChanges:
    """Plan records to create and to update (with the fields that change)."""

    creates: tuple[AccountPlan, ...]
    updates: tuple[tuple[AccountPlan, tuple[str, ...]], ...]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing needs writing."""
        return not self.creates and not self.updates

    def writes(self) -> list[AccountPlan]:
        """Return every record to upsert, creates first."""
        return [*self.creates, *(plan for plan, _ in self.updates)]


def diff_plans(
    desired: Sequence[AccountPlan], current: Iterable[AccountPlan]
) -> PlanChanges:
    """Return the plan records to write so the CRM's match ``desired``."""
    have = {p.key: p for p in current}
    creates: list[AccountPlan] = []
    updates: list[tuple[AccountPlan, tuple[str, ...]]] = []
    unchanged = 0
    for plan in desired:
        old = have.get(plan.key)
        if old is None:
            creates.append(plan)
            continue
        changed = tuple(
            name
            for name in COMPUTED_FIELDS
            if getattr(plan, name) != getattr(old, name)
        )
        if changed:
            updates.append((keep_narrative(plan, old), changed))
        else:
            unchanged += 1
    return PlanChanges(tuple(creates), tuple(updates), unchanged)


def keep_narrative(plan: AccountPlan, old: AccountPlan) -> AccountPlan:
    """Return ``plan`` with the rep's narrative and the CRM id taken from ``old``."""
    return replace(
        plan,
        customer_strategy=old.customer_strategy,
        short_term_goals=old.short_term_goals,
        long_term_goals=old.long_term_goals,
        whitespace=old.whitespace,
        buying_process=old.buying_process,
        next_actions=old.next_actions,
        crm_id=old.crm_id,
    )
