"""Canonical CRM records every connector maps to and from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

FieldValue = str | int | float | bool | date | None
"""A value of a custom or standard field on an account, as segment rules see it."""


class ActivityKind(StrEnum):
    """Kinds of work a playbook can ask for and a CRM can record."""

    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    TODO = "todo"
    PLAN_REVIEW_CUSTOMER = "plan_review_customer"
    PLAN_REVIEW_MANAGER = "plan_review_manager"


POWER_MAP_ROLES = (
    "decision_maker",
    "economic_buyer",
    "procurement",
    "technical_buyer",
    "champion",
    "user",
)
"""The power-map roles the shipped CRM fields offer; playbooks pick their key roles."""


class TaskStatus(StrEnum):
    """Lifecycle of a task plansync owns, as read back from the CRM."""

    OPEN = "open"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Influence(StrEnum):
    """How much a stakeholder sways the account's decisions."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Attitude(StrEnum):
    """Where a stakeholder stands towards us."""

    CHAMPION = "champion"
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    DETRACTOR = "detractor"


@dataclass(frozen=True, slots=True)
class Owner:
    """A CRM user who can own accounts and tasks."""

    id: str
    name: str
    email: str | None = None
    is_active: bool = True
    modified_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A customer account with the fields planning reads.

    ``fields`` holds every mapped field by its canonical name (e.g. ``segment``,
    ``industry``) so that segment rules can test any of them; the typed attributes
    are the ones planning computes with.
    """

    id: str
    name: str
    owner_id: str | None
    annual_revenue_eur: float | None = None
    nps: int | None = None
    wallet_eur: float | None = None
    recurring_share_pct: float | None = None
    products: tuple[str, ...] = ()
    team: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    modified_at: datetime | None = None
    is_deleted: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at an account; ``role`` is their power-map role, if known."""

    id: str
    account_id: str
    name: str
    role: str | None = None
    email: str | None = None
    influence: Influence | None = None
    attitude: Attitude | None = None
    modified_at: datetime | None = None
    is_deleted: bool = False


@dataclass(frozen=True, slots=True)
class Activity:
    """A unit of work recorded in the CRM: a task, call, meeting, event or email.

    ``key`` is set only on tasks plansync created. ``fingerprint`` is what plansync
    recorded of its own last write, so a human edit since can be told apart.
    """

    id: str
    account_id: str
    kind: ActivityKind
    subject: str
    status: TaskStatus
    owner_id: str | None = None
    due: date | None = None
    completed_on: date | None = None
    description: str = ""
    contact_ids: tuple[str, ...] = ()
    key: str | None = None
    fingerprint: str | None = None
    modified_at: datetime | None = None
    is_deleted: bool = False

    @property
    def is_completed(self) -> bool:
        """Tell whether the activity counts as done."""
        return self.status is TaskStatus.COMPLETED


@dataclass(frozen=True, slots=True)
class Period:
    """A span of the plan year an occurrence must happen in; ``end`` is inclusive."""

    start: date
    end: date
    label: str

    def contains(self, day: date) -> bool:
        """Tell whether ``day`` falls inside the period."""
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """A task planning wants to exist in the CRM, identified by its stable key."""

    key: str
    account_id: str
    segment: str
    activity: str
    kind: ActivityKind
    period: Period
    due: date
    owner_id: str | None
    subject: str
    description: str
    contact_ids: tuple[str, ...] = ()
    effort_hours: float = 0.0


@dataclass(frozen=True, slots=True)
class TaskWrite:
    """What a connector writes for one task: planned fields plus their fingerprint."""

    key: str
    account_id: str
    kind: ActivityKind
    subject: str
    description: str
    due: date
    owner_id: str | None
    contact_ids: tuple[str, ...]
    fingerprint: str
    crm_id: str | None = None
    reopen: bool = False
    """Set the task open again: plansync withdrew it by status and wants it back."""


@dataclass(frozen=True, slots=True)
class TaskWithdrawal:
    """An open task plansync owns that is no longer wanted."""

    key: str
    crm_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcome of writing one record; a failure is a value, never an exception."""

    key: str
    ok: bool
    crm_id: str | None = None
    created: bool = False
    error: str | None = None
    error_code: str | None = None
    is_retriable: bool = False


@dataclass(frozen=True, slots=True)
class Stakeholder:
    """One line of the power map: a key role and whom, if anyone, we know in it."""

    role: str
    contact_id: str | None = None
    name: str | None = None
    influence: Influence | None = None
    attitude: Attitude | None = None

    @property
    def is_known(self) -> bool:
        """Tell whether we know a person in this role."""
        return self.contact_id is not None


class ComplianceStatus(StrEnum):
    """How an account's execution compares with its plan."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_PLAN = "no_plan"


@dataclass(frozen=True, slots=True)
class AccountPlan:
    """The account plan record for one account and plan year (requirement R1).

    The narrative fields belong to the rep: plansync creates them empty and never
    overwrites them. The computed fields below ``segment`` are plansync's to keep.
    ``modified_at`` is the newest change to the record or any of its power-map
    lines; ``is_deleted`` flags a record an incremental read found deleted.
    """

    key: str
    account_id: str
    year: int
    segment: str
    segment_since: date
    customer_strategy: str = ""
    short_term_goals: str = ""
    long_term_goals: str = ""
    current_revenue_eur: float | None = None
    products: tuple[str, ...] = ()
    recurring_share_pct: float | None = None
    whitespace: str = ""
    wallet_share_pct: float | None = None
    red_flags: tuple[str, ...] = ()
    power_map: tuple[Stakeholder, ...] = ()
    buying_process: str = ""
    next_actions: str = ""
    planned_activities: int = 0
    planned_hours: float = 0.0
    done_activities: int = 0
    compliance_pct: float | None = None
    status: ComplianceStatus | None = None
    last_reviewed: date | None = None
    crm_id: str | None = None
    modified_at: datetime | None = None
    is_deleted: bool = False


@dataclass(frozen=True, slots=True)
class AccountCompliance:
    """Planned against done for one account and plan year, as of a date (R9).

    These are the fields written onto the account record.
    """

    account_id: str
    year: int
    as_of: date
    segment: str | None
    owner_id: str | None
    planned_year: int
    planned_to_date: int
    done_to_date: int
    percent: float
    status: ComplianceStatus
    overdue: int
    next_due: date | None
    last_activity_on: date | None
