"""Small builders for canonical records and playbooks used across the tests."""

from __future__ import annotations

from datetime import date

from plansync.planning.calendar import WorkCalendar
from plansync.planning.models import (
    Account,
    Activity,
    ActivityKind,
    Contact,
    TaskStatus,
)
from plansync.planning.playbooks import (
    ActivityRule,
    DoneBy,
    Every,
    FieldRule,
    Interval,
    Operator,
    PerYear,
    PlaybookSet,
    Segment,
    Thresholds,
)

FI_HOLIDAYS_2026 = frozenset(
    {
        date(2026, 1, 1),
        date(2026, 1, 6),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 5, 14),
        date(2026, 6, 19),
        date(2026, 12, 24),
        date(2026, 12, 25),
    }
)
CALENDAR = WorkCalendar(holidays=FI_HOLIDAYS_2026)


def account(
    account_id: str = "001A",
    *,
    segment: str | None = "A",
    owner: str | None = "U1",
    revenue: float | None = 1_000_000.0,
    name: str | None = None,
    **fields: object,
) -> Account:
    """Build an account with a segment field and revenue."""
    values: dict[str, object] = {"segment": segment, **fields}
    return Account(
        id=account_id,
        name=name or f"Account {account_id}",
        owner_id=owner,
        annual_revenue_eur=revenue,
        fields=values,  # type: ignore[arg-type]  # test values
    )


def contact(contact_id: str, account_id: str, role: str | None) -> Contact:
    """Build a contact with a power-map role."""
    return Contact(
        id=contact_id, account_id=account_id, name=f"Person {contact_id}", role=role
    )


def completed(
    activity_id: str,
    account_id: str,
    kind: ActivityKind,
    on: date,
    *,
    subject: str = "Call",
    key: str | None = None,
) -> Activity:
    """Build a completed activity."""
    return Activity(
        id=activity_id,
        account_id=account_id,
        kind=kind,
        subject=subject,
        status=TaskStatus.COMPLETED,
        due=on,
        completed_on=on,
        key=key,
    )


STEERING = ActivityRule(
    id="steering",
    kind=ActivityKind.MEETING,
    cadence=PerYear(4),
    subject="Steering group {period.label}: {account.name}",
    stakeholder_roles=("decision_maker",),
    effort_hours=2.0,
    done_by=DoneBy(
        task=True, kinds=(ActivityKind.MEETING,), subject_contains="steering"
    ),
)
MONTHLY_CALL = ActivityRule(
    id="call",
    kind=ActivityKind.CALL,
    cadence=Every(Interval.MONTH),
    subject="Monthly call {period.label}",
    effort_hours=0.5,
    done_by=DoneBy(task=True, kinds=(ActivityKind.CALL,)),
)
QUARTERLY_CALL = ActivityRule(
    id="call",
    kind=ActivityKind.CALL,
    cadence=Every(Interval.QUARTER),
    subject="Quarterly call {period.label}",
)


def playbooks(**overrides: object) -> PlaybookSet:
    """Build the A/B playbook set the tests share."""
    base: dict[str, object] = {
        "segments": (
            Segment(
                "A", FieldRule("segment", Operator.EQ, "A"), (STEERING, MONTHLY_CALL)
            ),
            Segment("B", FieldRule("segment", Operator.EQ, "B"), (QUARTERLY_CALL,)),
        ),
        "thresholds": Thresholds(90.0, 70.0),
        "key_roles": ("decision_maker", "procurement"),
        "capacity_hours_per_year": 400.0,
        "stale_after_days": 180,
    }
    base.update(overrides)
    return PlaybookSet(**base)  # type: ignore[arg-type]  # keyword names match the dataclass
