"""Map plansync's canonical sample records to Salesforce field values (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from plansync.planning.models import Account, Activity, ActivityKind, Contact, Owner

_MEETING_START = time(9)
_MEETING_MINUTES = 60
_COMPLETED_AT = time(16)


def user_fields(owner: Owner) -> dict[str, Any]:
    """Return the User fields of a sample owner."""
    first, _, last = owner.name.partition(" ")
    email = owner.email or f"{owner.id.lower()}@example.com"
    return {
        "Username": email,
        "FirstName": first,
        "LastName": last or owner.name,
        "Email": email,
        "Alias": (first[:1] + last[:4]).lower(),
        "IsActive": owner.is_active,
    }


def account_fields(account: Account, owner_id: str) -> dict[str, Any]:
    """Return the Account fields of a sample account (segment, revenue, NPS, wallet)."""
    fields = account.fields
    return {
        "Name": account.name,
        "OwnerId": owner_id,
        "Type": "Customer - Direct",
        "AnnualRevenue": account.annual_revenue_eur,
        "Industry": fields.get("industry"),
        "BillingCountry": fields.get("country"),
        "PlanSync_Segment__c": fields.get("segment"),
        "PlanSync_NPS__c": account.nps,
        "PlanSync_Wallet__c": account.wallet_eur,
        "PlanSync_Recurring_Share__c": account.recurring_share_pct,
    }


def contact_fields(contact: Contact, account_id: str, owner_id: str) -> dict[str, Any]:
    """Return the Contact fields of a sample contact (with its power-map role)."""
    first, _, last = contact.name.partition(" ")
    return {
        "FirstName": first,
        "LastName": last or contact.name,
        "Email": contact.email,
        "AccountId": account_id,
        "PlanSync_Role__c": contact.role,
        "OwnerId": owner_id,
    }


def activity_record(
    activity: Activity, what_id: str, owner_id: str
) -> tuple[str, dict[str, Any]]:
    """Return the object (Task or Event) and fields of a completed sample activity."""
    day = activity.due or activity.completed_on
    if day is None:
        day = (activity.modified_at or datetime.now(UTC)).date()
    if activity.kind is ActivityKind.MEETING:
        return "Event", {
            "Subject": activity.subject,
            "WhatId": what_id,
            "OwnerId": owner_id,
            "Type": "Meeting",
            "StartDateTime": datetime.combine(day, _MEETING_START, tzinfo=UTC),
            "DurationInMinutes": _MEETING_MINUTES,
            "EventSubtype": "Event",
        }
    subtype = "Email" if activity.kind is ActivityKind.EMAIL else "Call"
    done = activity.completed_on or day
    return "Task", {
        "Subject": activity.subject,
        "WhatId": what_id,
        "OwnerId": owner_id,
        "Status": "Completed",
        "Priority": "Normal",
        "ActivityDate": day,
        "TaskSubtype": subtype,
        "Type": subtype,
        "CompletedDateTime": datetime.combine(done, _COMPLETED_AT, tzinfo=UTC),
    }
