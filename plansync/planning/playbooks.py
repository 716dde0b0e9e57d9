"""The playbook model: segments, their activities and cadences, and the plan-year rules.

These are plain values built by ``plansync.config.playbooks`` from YAML; planning
never sees YAML or pydantic. See ``docs/playbooks.md`` for the language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from plansync.planning.models import ActivityKind, FieldValue


class Operator(StrEnum):
    """Comparison operators a segment rule may use."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    IS_SET = "is_set"
    IS_EMPTY = "is_empty"


NUMERIC_OPERATORS = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE})
STRING_OPERATORS = frozenset(
    {Operator.CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH}
)
LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})
VALUELESS_OPERATORS = frozenset({Operator.IS_SET, Operator.IS_EMPTY})


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Compare one account field with a value."""

    field: str
    op: Operator
    value: FieldValue | tuple[FieldValue, ...] = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """Match when every condition matches."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Match when at least one condition matches."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Match when the condition does not."""

    condition: Condition


@dataclass(frozen=True, slots=True)
class Rank:
    """Match the accounts ranked highest by a numeric field, by share or by count.

    Ranks are taken over all accounts that have the field, ties broken by account id
    so the result does not depend on the order accounts arrive in.
    """

    field: str
    top_percent: float | None = None
    top_n: int | None = None


@dataclass(frozen=True, slots=True)
class Always:
    """Match every account (a catch-all segment at the end of the list)."""


Condition = FieldRule | AllOf | AnyOf | Not | Rank | Always


class Interval(StrEnum):
    """Calendar periods an ``every:`` cadence can name."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class PerYear:
    """N occurrences spread evenly over the plan year (a count per period)."""

    count: int


@dataclass(frozen=True, slots=True)
class Every:
    """At least once in every calendar week, month or quarter (a maximum gap)."""

    interval: Interval


@dataclass(frozen=True, slots=True)
class EveryDays:
    """At least once in every window of N days from the start of the plan year."""

    days: int


Cadence = PerYear | Every | EveryDays


@dataclass(frozen=True, slots=True)
class DoneBy:
    """What counts as doing an occurrence.

    The generated task completed (``task``), and/or any completed activity of one
    of ``kinds`` inside the occurrence's period whose subject contains
    ``subject_contains``.
    """

    task: bool = True
    kinds: tuple[ActivityKind, ...] = ()
    subject_contains: str | None = None


@dataclass(frozen=True, slots=True)
class ActivityRule:
    """One recurring piece of work a segment's playbook asks for."""

    id: str
    kind: ActivityKind
    cadence: Cadence
    subject: str
    description: str = ""
    owner_role: str | None = None
    stakeholder_roles: tuple[str, ...] = ()
    effort_hours: float = 1.0
    done_by: DoneBy = field(default_factory=DoneBy)


@dataclass(frozen=True, slots=True)
class Segment:
    """A named group of accounts and the playbook applied to them."""

    name: str
    when: Condition
    activities: tuple[ActivityRule, ...] = ()


class WithdrawMode(StrEnum):
    """How an obsolete open task leaves the CRM."""

    DELETE = "delete"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Compliance percentages at or above which an account is on track or at risk."""

    on_track_pct: float = 90.0
    at_risk_pct: float = 70.0


@dataclass(frozen=True, slots=True)
class PlanYearRules:
    """How the plan year and working days are laid out."""

    fiscal_start_month: int = 1
    timezone: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holiday_country: str | None = None


@dataclass(frozen=True, slots=True)
class PlaybookSet:
    """Everything one playbook file declares."""

    segments: tuple[Segment, ...]
    plan_year: PlanYearRules = field(default_factory=PlanYearRules)
    thresholds: Thresholds = field(default_factory=Thresholds)
    capacity_hours_per_year: float | None = None
    stale_after_days: int = 365
    key_roles: tuple[str, ...] = ()
    strategic_revenue_target_pct: float = 25.0
    withdraw: WithdrawMode = WithdrawMode.DELETE
    source: str = "<memory>"

    def segment(self, name: str) -> Segment | None:
        """Return the segment called ``name``, if declared."""
        return next((s for s in self.segments if s.name == name), None)
