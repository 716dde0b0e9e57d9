"""Map plansync's writes to Salesforce field values, and find which ones changed; pure.

A plansync task is a Task, meetings included: a Task carries a due date and a
completion, which is what a plan asks for, while an Event is a calendar slot with
a start and an end that nobody "completes" (docs/salesforce.md §8.1-8.2). The kind
goes to ``Type`` (updateable) and, exactly, to ``PlanSync_Kind__c``; ``TaskSubtype``
is left alone because it is create-only and an upsert by key may be an update.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, assert_never

from plansync.connectors.salesforce.mapping import (
    LIST_SEPARATOR,
    TRAILER,
    parse_datetime,
)
from plansync.connectors.salesforce.soql import KEY_FIELD
from plansync.planning.keys import bounded_key
from plansync.planning.models import (
    AccountCompliance,
    AccountPlan,
    ActivityKind,
    Stakeholder,
    TaskWrite,
)

Fields = dict[str, object]
OPEN_STATUS = "Not Started"
NARRATIVE_FIELDS = (
    "Customer_Strategy__c",
    "Short_Term_Goals__c",
    "Long_Term_Goals__c",
    "Whitespace__c",
    "Buying_Process__c",
    "Next_Actions__c",
)
"""The rep's plan fields: written empty on create, never again."""

_DIGITS = 6
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def activity_type(kind: ActivityKind) -> str:
    """Return the Task ``Type`` picklist value for a kind."""
    match kind:
        case ActivityKind.CALL:
            return "Call"
        case ActivityKind.EMAIL:
            return "Email"
        case ActivityKind.MEETING | ActivityKind.PLAN_REVIEW_CUSTOMER:
            return "Meeting"
        case ActivityKind.TODO | ActivityKind.PLAN_REVIEW_MANAGER:
            return "Other"
        case _:
            assert_never(kind)


def task_fields(
    task: TaskWrite, *, names: Mapping[str, str], is_open: bool = False
) -> Fields:
    """Return the Task fields plansync owns for ``task``.

    The first contact is ``WhoId``; the others are named on a last line of the
    description, from which reads recover them. ``is_open`` adds the open status
    (on create, and to reopen a task plansync withdrew).
    """
    first = task.contact_ids[0] if task.contact_ids else None
    others = task.contact_ids[1:]
    fields: Fields = {
        "Subject": task.subject,
        "Description": describe_contacts(task.description, others, names),
        "ActivityDate": task.due.isoformat(),
        "WhatId": task.account_id,
        "WhoId": first,
        "Type": activity_type(task.kind),
        KEY_FIELD: task.key,
        "PlanSync_Fingerprint__c": task.fingerprint,
        "PlanSync_Kind__c": task.kind.value,
    }
    if task.owner_id:
        # Without one, Salesforce assigns the task to the API user (OwnerId is
        # required and defaulted on create, docs/salesforce.md §8.1).
        fields["OwnerId"] = task.owner_id
    if is_open:
        fields["Status"] = OPEN_STATUS
    return fields


def describe_contacts(
    description: str, others: Sequence[str], names: Mapping[str, str]
) -> str:
    """Append the line naming the task's further contacts (none: unchanged)."""
    if not others:
        return description
    people = ", ".join(f"{names.get(c, '')} ({c})".lstrip() for c in others)
    return f"{description}{TRAILER}{people}"


def plan_computed(plan: AccountPlan) -> Fields:
    """Return the plan fields plansync computes and keeps up to date."""
    return {
        "Segment__c": plan.segment,
        "Segment_Since__c": plan.segment_since.isoformat(),
        "Current_Revenue__c": plan.current_revenue_eur,
        "Products__c": LIST_SEPARATOR.join(plan.products) or None,
        "Recurring_Share__c": plan.recurring_share_pct,
        "Wallet_Share__c": plan.wallet_share_pct,
        "Red_Flags__c": "\n".join(plan.red_flags) or None,
        "Planned_Activities__c": plan.planned_activities,
        "Planned_Hours__c": plan.planned_hours,
        "Done_Activities__c": plan.done_activities,
        "Compliance_Pct__c": plan.compliance_pct,
        "Status__c": None if plan.status is None else plan.status.value,
        "Last_Reviewed__c": _iso(plan.last_reviewed),
    }


def plan_created(plan: AccountPlan) -> Fields:
    """Return every field of a new plan record, the rep's narrative empty."""
    return {
        KEY_FIELD: plan.key,
        "Account__c": plan.account_id,
        "Plan_Year__c": plan.year,
        **plan_computed(plan),
        **dict.fromkeys(NARRATIVE_FIELDS),
    }


def stakeholder_key(plan_key: str, index: int, role: str) -> str:
    """Return the key of one power-map line; keys sort in power-map order."""
    return bounded_key(f"{plan_key}:sh{index:02d}:{role}")


def stakeholder_lines(plan: AccountPlan) -> dict[str, Fields]:
    """Return the stakeholder records a plan wants, by key (without the parent)."""
    return {
        stakeholder_key(plan.key, index, line.role): stakeholder_fields(line)
        for index, line in enumerate(plan.power_map)
    }


def stakeholder_fields(line: Stakeholder) -> Fields:
    """Return the fields of one power-map line."""
    return {
        "Role__c": line.role,
        "Contact__c": line.contact_id,
        "Influence__c": None if line.influence is None else line.influence.value,
        "Attitude__c": None if line.attitude is None else line.attitude.value,
        "Known__c": line.is_known,
    }


def compliance_fields(row: AccountCompliance) -> Fields:
    """Return the compliance values written onto the account (not the stamp)."""
    return {
        "PlanSync_Plan_Segment__c": row.segment,
        "PlanSync_Compliance_Pct__c": row.percent,
        "PlanSync_Planned_To_Date__c": row.planned_to_date,
        "PlanSync_Done_To_Date__c": row.done_to_date,
        "PlanSync_Status__c": row.status.value,
        "PlanSync_Overdue__c": row.overdue,
        "PlanSync_Next_Due__c": _iso(row.next_due),
    }


def reconciled_at(row: AccountCompliance) -> str:
    """Return the ``PlanSync_Last_Reconciled__c`` value: the start of ``as_of``, UTC."""
    return datetime.combine(row.as_of, time(0), tzinfo=UTC).isoformat()


def changed(current: Mapping[str, Any] | None, wanted: Mapping[str, object]) -> Fields:
    """Return the wanted fields whose stored value differs (all when none stored)."""
    if current is None:
        return dict(wanted)
    return {
        name: value
        for name, value in wanted.items()
        if not same_value(current.get(name), value)
    }


def same_value(stored: object, wanted: object) -> bool:
    """Tell whether a stored value equals the one plansync would write.

    Empty text is null in Salesforce, numbers come back as floats, dates and
    dateTimes as text.
    """
    if _is_empty(stored) or _is_empty(wanted):
        return _is_empty(stored) and _is_empty(wanted)
    if isinstance(wanted, bool) or isinstance(stored, bool):
        return bool(stored) == bool(wanted)
    if isinstance(wanted, int | float):
        try:
            return round(float(str(stored)), _DIGITS) == round(float(wanted), _DIGITS)
        except ValueError:
            return False
    if (
        isinstance(wanted, str)
        and isinstance(stored, str)
        and _DATETIME.match(wanted)
        and _DATETIME.match(stored)
    ):
        return parse_datetime(wanted) == parse_datetime(stored)
    return str(stored) == str(wanted)


def _is_empty(value: object) -> bool:
    return value is None or value == ""


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
