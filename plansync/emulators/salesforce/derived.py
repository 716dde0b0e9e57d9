"""Compute the fields Salesforce derives on save: names, auto numbers, activity fields.

Task: ``AccountId`` from ``WhatId``'s account (or ``WhoId`` contact's account),
``IsClosed`` from ``Status``, ``CompletedDateTime`` set when closed and cleared when
reopened, ``IsHighPriority`` from ``Priority`` (docs/salesforce.md §8.1).
Event: ``ActivityDateTime``/``StartDateTime`` kept equal, ``EndDateTime`` and
``DurationInMinutes`` kept consistent, ``ActivityDate`` from the start (§8.2).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from plansync.emulators.salesforce.standard import CLOSED_TASK_STATUSES

if TYPE_CHECKING:
    from plansync.emulators.salesforce.schema import ObjectDef
    from plansync.emulators.salesforce.store import Record, Store

_MINUTES_PER_DAY = 1440


def derive(
    store: Store, obj: ObjectDef, row: Record, old: Record | None, now: datetime
) -> None:
    """Fill the derived fields of ``row`` (``old`` is the stored version on update)."""
    if obj.name in ("Contact", "User"):
        row["Name"] = " ".join(
            p for p in (row.get("FirstName"), row.get("LastName")) if p
        )
    if obj.is_activity:
        row["AccountId"] = account_of(store, row)
    if obj.name == "Task":
        _derive_task(row, old, now)
    elif obj.name == "Event":
        _derive_event(row)


def account_of(store: Store, row: Record) -> str | None:
    """Return the account an activity belongs to, from WhatId or else WhoId."""
    what = row.get("WhatId")
    if what:
        account = _account_of_record(store, what)
        if account:
            return account
    who = row.get("WhoId")
    if who:
        contact = store.get(who)
        if contact is not None:
            value: str | None = contact.get("AccountId")
            return value
    return None


def _account_of_record(store: Store, record_id: str) -> str | None:
    obj = store.schema.for_id(record_id)
    if obj is None:
        return None
    if obj.name == "Account":
        return record_id
    record = store.get(record_id)
    if record is None:
        return None
    if obj.name == "Opportunity":
        value: str | None = record.get("AccountId")
        return value
    for fdef in obj.fields.values():
        if fdef.master_detail and fdef.reference_to == ("Account",):
            parent: str | None = record.get(fdef.name)
            return parent
    return None


def _derive_task(row: Record, old: Record | None, now: datetime) -> None:
    closed = row.get("Status") in CLOSED_TASK_STATUSES
    was_closed = bool(old and old.get("IsClosed"))
    row["IsClosed"] = closed
    row["IsHighPriority"] = row.get("Priority") == "High"
    if not closed:
        row.pop("CompletedDateTime", None)
    elif not was_closed or row.get("CompletedDateTime") is None:
        row["CompletedDateTime"] = now


def _derive_event(row: Record) -> None:
    start = row.get("StartDateTime") or row.get("ActivityDateTime")
    if row.get("IsAllDayEvent") and row.get("ActivityDate") and start is None:
        start = datetime.combine(row["ActivityDate"], time(0), tzinfo=UTC)
        row.setdefault("DurationInMinutes", _MINUTES_PER_DAY)
    if start is None:
        return
    row["StartDateTime"] = row["ActivityDateTime"] = start
    row["ActivityDate"] = start.date()
    duration = row.get("DurationInMinutes")
    end = row.get("EndDateTime")
    if end is not None and (
        duration is None or end != start + timedelta(minutes=duration)
    ):
        row["DurationInMinutes"] = int((end - start).total_seconds() // 60)
    elif duration is not None:
        row["EndDateTime"] = start + timedelta(minutes=duration)


def missing_required(obj: ObjectDef, row: Record) -> list[str]:
    """Return the names of required fields ``row`` leaves empty (incl. Event timing)."""
    missing = [
        f.name
        for f in obj.fields.values()
        if not f.nillable
        and f.createable
        and row.get(f.name) is None
        and f.type != "boolean"
    ]
    if obj.name == "Event":
        if row.get("StartDateTime") is None:
            missing.append("ActivityDateTime")
        elif row.get("DurationInMinutes") is None:
            missing.append("DurationInMinutes")
    return missing
