"""Build the manager reports: compliance by group, NPS beside execution, top share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plansync.planning.models import Account, AccountCompliance


@dataclass(frozen=True, slots=True)
class NpsByStatus:
    """Average NPS of the accounts in one compliance status (R10)."""

    status: str
    accounts: int
    average_nps: float | None


@dataclass(frozen=True, slots=True)
class StrategicShare:
    """Share of revenue from the top segment against the target (R12)."""

    segment: str
    revenue_eur: float
    total_revenue_eur: float
    share_pct: float
    target_pct: float

    @property
    def is_met(self) -> bool:
        """Tell whether the top segment brings at least the target share."""
        return self.share_pct >= self.target_pct


def nps_by_status(
    accounts: Sequence[Account], rows: Sequence[AccountCompliance]
) -> list[NpsByStatus]:
    """Put NPS beside compliance so their correlation can be studied (R10)."""
    nps = {a.id: a.nps for a in accounts}
    groups: dict[str, list[int]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status.value] += 1
        score = nps.get(row.account_id)
        if score is not None:
            groups[row.status.value].append(score)
    return [
        NpsByStatus(
            status,
            counts[status],
            round(sum(groups[status]) / len(groups[status]), 1)
            if groups[status]
            else None,
        )
        for status in sorted(counts)
    ]


def strategic_share(
    accounts: Sequence[Account],
    segments: Mapping[str, str | None],
    *,
    segment: str,
    target_pct: float,
) -> StrategicShare:
    """Return the revenue share of ``segment`` among all live accounts (R12)."""
    total = 0.0
    top = 0.0
    for account in accounts:
        revenue = account.annual_revenue_eur or 0.0
        total += revenue
        if segments.get(account.id) == segment:
            top += revenue
    share = round(100.0 * top / total, 1) if total else 0.0
    return StrategicShare(segment, top, total, share, target_pct)
