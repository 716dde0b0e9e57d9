"""Map Salesforce records (REST JSON dicts) to plansync's canonical models; pure.

Values arrive as the REST query renders them (docs/salesforce.md §3.1): dateTimes
``2013-05-20T20:49:32.000+0000``, dates ``2013-05-20``, numbers as JSON numbers,
``None`` for empty. Bulk API 2.0 rows are brought to the same shape first
(``bulk_csv``), and numbers may still come as text from custom fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from plansync.config.settings import SalesforceFields
from plansync.planning.models import (
    Account,
    AccountPlan,
    Activity,
    ActivityKind,
    Attitude,
    ComplianceStatus,
    Contact,
    FieldValue,
    Influence,
    Owner,
    Stakeholder,
    TaskStatus,
)

Raw = Mapping[str, Any]
COMPLETED = "Completed"
WITHDRAWN = "Deferred"
"""The default closed-but-not-done Task status plansync uses for a withdrawal."""

TRAILER = "\n\n[PlanSync] Also with: "
"""Starts the line naming a task's contacts beyond the first (who is WhoId)."""

ACCOUNT_PREFIX = "001"
CONTACT_PREFIX = "003"
LIST_SEPARATOR = ";"
_ID_IN_PARENS = re.compile(r"\(([A-Za-z0-9]{18}|[A-Za-z0-9]{15})\)")
_KIND_BY_SUBTYPE = {"Call": ActivityKind.CALL, "Email": ActivityKind.EMAIL}
_KIND_BY_TYPE = {
    "Call": ActivityKind.CALL,
    "Email": ActivityKind.EMAIL,
    "Meeting": ActivityKind.MEETING,
}
_KINDS = {kind.value: kind for kind in ActivityKind}
_E = TypeVar("_E", Influence, Attitude)


def owner_from_sf(raw: Raw) -> Owner:
    """Map a User row."""
    return Owner(
        id=str(raw["Id"]),
        name=str(raw.get("Name") or ""),
        email=_text(raw.get("Email")),
        is_active=bool(raw.get("IsActive", True)),
        modified_at=parse_datetime(raw.get("SystemModstamp")),
    )


def account_from_sf(raw: Raw, mapped: SalesforceFields) -> Account:
    """Map an Account row; a merged-away account comes back deleted.

    The loser of a merge is deleted with ``MasterRecordId`` naming the winner
    (docs/salesforce.md §7), kept as ``fields["master_record_id"]``.
    """
    fields: dict[str, FieldValue] = {
        "segment": _text(raw.get(mapped.segment)),
        "industry": _text(raw.get("Industry")),
    }
    master = _text(raw.get("MasterRecordId"))
    if master:
        fields["master_record_id"] = master
    nps = _number(raw.get(mapped.nps))
    return Account(
        id=str(raw["Id"]),
        name=str(raw.get("Name") or ""),
        owner_id=_text(raw.get("OwnerId")),
        annual_revenue_eur=_number(raw.get("AnnualRevenue")),
        nps=None if nps is None else round(nps),
        wallet_eur=_number(raw.get(mapped.wallet)),
        recurring_share_pct=_number(raw.get(mapped.recurring_share)),
        fields=fields,
        modified_at=parse_datetime(raw.get("SystemModstamp")),
        is_deleted=bool(raw.get("IsDeleted")) or master is not None,
    )


def contact_from_sf(raw: Raw, mapped: SalesforceFields) -> Contact | None:
    """Map a Contact row; a contact without an account is not plansync's concern."""
    account_id = _text(raw.get("AccountId"))
    if account_id is None:
        return None
    master = _text(raw.get("MasterRecordId"))
    return Contact(
        id=str(raw["Id"]),
        account_id=account_id,
        name=str(raw.get("Name") or ""),
        role=_text(raw.get(mapped.contact_role)),
        email=_text(raw.get("Email")),
        influence=_enum(Influence, raw.get("PlanSync_Influence__c")),
        attitude=_enum(Attitude, raw.get("PlanSync_Attitude__c")),
        modified_at=parse_datetime(raw.get("SystemModstamp")),
        is_deleted=bool(raw.get("IsDeleted")) or master is not None,
    )


def task_from_sf(raw: Raw) -> Activity | None:
    """Map a Task row; None when it belongs to no account.

    Completed is Status ``Completed``; its day is the earlier of the completion
    stamp and the activity date, so a call logged after the fact counts on the day
    it happened and a task done early counts when it was done. ``Deferred`` on a
    task plansync owns is a withdrawal.
    """
    account_id = _account_of(raw)
    if account_id is None:
        return None
    key = _text(raw.get("PlanSync_Key__c"))
    due = parse_date(raw.get("ActivityDate"))
    status, completed_on = TaskStatus.OPEN, None
    if raw.get("Status") == COMPLETED:
        stamp = parse_datetime(raw.get("CompletedDateTime"))
        days = [d for d in (stamp.date() if stamp else None, due) if d is not None]
        status, completed_on = TaskStatus.COMPLETED, min(days, default=None)
    elif raw.get("Status") == WITHDRAWN and key:
        status = TaskStatus.WITHDRAWN
    kind = _kind(raw, default=ActivityKind.TODO)
    return _activity(raw, account_id, kind, status, due=due, completed_on=completed_on)


def event_from_sf(raw: Raw, *, now: datetime) -> Activity | None:
    """Map an Event row: a meeting, done once it has ended."""
    account_id = _account_of(raw)
    if account_id is None:
        return None
    day = parse_date(raw.get("ActivityDate"))
    end = parse_datetime(raw.get("EndDateTime"))
    if end is None and day is not None:
        end = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
    done = end is not None and end <= now
    status = TaskStatus.COMPLETED if done else TaskStatus.OPEN
    kind = _kind(raw, default=ActivityKind.MEETING)
    return _activity(
        raw, account_id, kind, status, due=day, completed_on=day if done else None
    )


def stakeholder_from_sf(raw: Raw) -> Stakeholder:
    """Map a PlanSync_Stakeholder__c row (the contact's name through Contact__r)."""
    contact = raw.get("Contact__r")
    name = contact.get("Name") if isinstance(contact, Mapping) else None
    return Stakeholder(
        role=str(raw.get("Role__c") or ""),
        contact_id=_text(raw.get("Contact__c")),
        name=_text(name),
        influence=_enum(Influence, raw.get("Influence__c")),
        attitude=_enum(Attitude, raw.get("Attitude__c")),
    )


def plan_from_sf(raw: Raw, stakeholders: Sequence[Raw] = ()) -> AccountPlan:
    """Map a plan row and its live stakeholder rows (put in key order).

    Its ``modified_at`` is the newest stamp of the row and those lines.
    """
    year = round(_number(raw.get("Plan_Year__c")) or 0)
    lines = sorted(stakeholders, key=lambda s: str(s.get("PlanSync_Key__c") or ""))
    planned = _number(raw.get("Planned_Activities__c"))
    stamps = [parse_datetime(r.get("SystemModstamp")) for r in (raw, *lines)]
    return AccountPlan(
        key=str(raw.get("PlanSync_Key__c") or ""),
        account_id=str(raw.get("Account__c") or ""),
        year=year,
        segment=str(raw.get("Segment__c") or ""),
        segment_since=parse_date(raw.get("Segment_Since__c")) or date(year, 1, 1),
        customer_strategy=str(raw.get("Customer_Strategy__c") or ""),
        short_term_goals=str(raw.get("Short_Term_Goals__c") or ""),
        long_term_goals=str(raw.get("Long_Term_Goals__c") or ""),
        current_revenue_eur=_number(raw.get("Current_Revenue__c")),
        products=split_list(raw.get("Products__c"), LIST_SEPARATOR),
        recurring_share_pct=_number(raw.get("Recurring_Share__c")),
        whitespace=str(raw.get("Whitespace__c") or ""),
        wallet_share_pct=_number(raw.get("Wallet_Share__c")),
        red_flags=split_list(raw.get("Red_Flags__c"), "\n"),
        power_map=tuple(stakeholder_from_sf(s) for s in lines),
        buying_process=str(raw.get("Buying_Process__c") or ""),
        next_actions=str(raw.get("Next_Actions__c") or ""),
        planned_activities=0 if planned is None else round(planned),
        planned_hours=_number(raw.get("Planned_Hours__c")) or 0.0,
        done_activities=round(_number(raw.get("Done_Activities__c")) or 0),
        compliance_pct=_number(raw.get("Compliance_Pct__c")),
        status=_status(raw.get("Status__c")),
        last_reviewed=parse_date(raw.get("Last_Reviewed__c")),
        crm_id=_text(raw.get("Id")),
        modified_at=max((s for s in stamps if s is not None), default=None),
        is_deleted=bool(raw.get("IsDeleted")),
    )


def split_contacts(description: str) -> tuple[str, tuple[str, ...]]:
    """Split plansync's contact line off a description; return text and ids."""
    text, marker, names = description.partition(TRAILER)
    if not marker:
        return description, ()
    return text, tuple(_ID_IN_PARENS.findall(names))


def split_list(value: object, separator: str) -> tuple[str, ...]:
    """Split a stored list (products by ``;``, red flags by line)."""
    if not isinstance(value, str) or not value:
        return ()
    return tuple(part.strip() for part in value.split(separator) if part.strip())


def parse_datetime(value: object) -> datetime | None:
    """Parse a REST (``…+0000``) or Bulk (``…Z``) dateTime, always aware."""
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: object) -> date | None:
    """Parse a ``YYYY-MM-DD`` date (or the date part of a dateTime)."""
    if not isinstance(value, str) or not value:
        return None
    return date.fromisoformat(value[:10])


def _activity(
    raw: Raw,
    account_id: str,
    kind: ActivityKind,
    status: TaskStatus,
    *,
    due: date | None,
    completed_on: date | None,
) -> Activity:
    description, others = split_contacts(str(raw.get("Description") or ""))
    who = _text(raw.get("WhoId"))
    first = (who,) if who and who.startswith(CONTACT_PREFIX) else ()
    return Activity(
        id=str(raw["Id"]),
        account_id=account_id,
        kind=kind,
        subject=str(raw.get("Subject") or ""),
        status=status,
        owner_id=_text(raw.get("OwnerId")),
        due=due,
        completed_on=completed_on,
        description=description,
        contact_ids=tuple(dict.fromkeys((*first, *others))),
        key=_text(raw.get("PlanSync_Key__c")),
        fingerprint=_text(raw.get("PlanSync_Fingerprint__c")),
        modified_at=parse_datetime(raw.get("SystemModstamp")),
        is_deleted=bool(raw.get("IsDeleted")),
    )


def _account_of(raw: Raw) -> str | None:
    account = _text(raw.get("AccountId"))
    what = _text(raw.get("WhatId"))
    if account is None and what and what.startswith(ACCOUNT_PREFIX):
        return what
    return account


def _kind(raw: Raw, *, default: ActivityKind) -> ActivityKind:
    ours = _KINDS.get(str(raw.get("PlanSync_Kind__c") or ""))
    if ours is not None:
        return ours
    subtype = _KIND_BY_SUBTYPE.get(str(raw.get("TaskSubtype") or ""))
    return subtype or _KIND_BY_TYPE.get(str(raw.get("Type") or ""), default)


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _status(value: object) -> ComplianceStatus | None:
    try:
        return ComplianceStatus(str(value)) if value else None
    except ValueError:
        return None  # a value an admin added to the picklist; not ours to interpret


def _number(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _enum(kind: type[_E], value: object) -> _E | None:
    try:
        return kind(str(value)) if value else None
    except ValueError:
        return None
