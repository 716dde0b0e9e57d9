"""Define the standard objects served: User, Account, Contact, Opportunity, Task, Event.

Field sets follow the Object Reference (docs/salesforce.md §8) closely enough for
validation and describe; they are not every field a real org has.
"""

from __future__ import annotations

from plansync.connectors.salesforce.schema import TASK_PRIORITIES, TASK_STATUSES
from plansync.emulators.salesforce.fields import (
    FieldDef,
    boolean,
    create_only,
    currency,
    date,
    datetime_,
    integer,
    long_text,
    percent,
    picklist,
    read_only,
    reference,
    system_fields,
    text,
)

INDUSTRIES = (
    "Agriculture",
    "Banking",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Energy",
    "Engineering",
    "Finance",
    "Healthcare",
    "Logistics",
    "Manufacturing",
    "Media",
    "Public",
    "Retail",
    "Technology",
    "Utilities",
    "Other",
)
CLOSED_TASK_STATUSES = frozenset({"Completed"})
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Other")
STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
WHAT_TARGETS = ("Account", "Opportunity", "PlanSync_Account_Plan__c")
WHO_TARGETS = ("Contact", "Lead")
ACTIVITY_OWNERS = ("Group", "User")

# key prefix, label, plural label, fields
StandardObject = tuple[str, str, str, list[FieldDef]]


def user() -> StandardObject:
    """Define User (005)."""
    return (
        "005",
        "User",
        "Users",
        [
            *system_fields(owned=False),
            text("Username", 80, nillable=False, unique=True),
            text("FirstName", 40),
            text("LastName", 80, nillable=False),
            read_only(
                text("Name", 121, nillable=False, name_field=True, label="Full Name")
            ),
            text("Email", 128, kind="email", nillable=False),
            text("Alias", 8, nillable=False),
            text("Title", 80),
            boolean("IsActive", default=True, label="Active"),
        ],
    )


def account() -> StandardObject:
    """Define Account (001)."""
    return (
        "001",
        "Account",
        "Accounts",
        [
            *system_fields(owned=True),
            text("Name", 255, nillable=False, name_field=True, label="Account Name"),
            picklist(
                "Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Other")
            ),
            picklist("Industry", INDUSTRIES),
            currency("AnnualRevenue", 18, 0),
            integer("NumberOfEmployees"),
            text("AccountNumber", 40),
            text("Phone", 40, kind="phone"),
            text("Website", 255, kind="url"),
            text("BillingCity", 40),
            text("BillingCountry", 80),
            long_text("Description", 32000),
            reference("ParentId", ("Account",), "Parent"),
            read_only(reference("MasterRecordId", ("Account",), "MasterRecord")),
        ],
    )


def contact() -> StandardObject:
    """Define Contact (003)."""
    return (
        "003",
        "Contact",
        "Contacts",
        [
            *system_fields(owned=True),
            text("FirstName", 40),
            text("LastName", 80, nillable=False),
            read_only(
                text("Name", 121, nillable=False, name_field=True, label="Full Name")
            ),
            reference("AccountId", ("Account",), "Account"),
            text("Email", 80, kind="email"),
            text("Phone", 40, kind="phone"),
            text("Title", 128),
            text("Department", 80),
            read_only(reference("MasterRecordId", ("Contact",), "MasterRecord")),
        ],
    )


def opportunity() -> StandardObject:
    """Define Opportunity (006)."""
    return (
        "006",
        "Opportunity",
        "Opportunities",
        [
            *system_fields(owned=True),
            text("Name", 120, nillable=False, name_field=True),
            reference("AccountId", ("Account",), "Account"),
            picklist("StageName", STAGES, nillable=False, label="Stage"),
            date("CloseDate", nillable=False),
            currency("Amount", 18, 2),
            percent("Probability", 3, 0),
            picklist("Type", ("New Business", "Existing Business")),
            read_only(boolean("IsClosed", label="Closed")),
            read_only(boolean("IsWon", label="Won")),
        ],
    )


def _activity_fields() -> list[FieldDef]:
    fields = system_fields(owned=False)
    return [
        *fields,
        reference(
            "OwnerId",
            ACTIVITY_OWNERS,
            "Owner",
            nillable=False,
            defaulted_on_create=True,
            label="Assigned To ID",
        ),
        text("Subject", 255, kind="combobox"),
        date("ActivityDate", label="Due Date Only"),
        long_text("Description", 32000),
        reference("WhatId", WHAT_TARGETS, "What", label="Related To ID"),
        reference("WhoId", WHO_TARGETS, "Who", label="Name ID"),
        read_only(reference("AccountId", ("Account",), "Account")),
        picklist("Type", ACTIVITY_TYPES),
        read_only(boolean("IsArchived", label="Archived")),
        create_only(boolean("IsRecurrence", label="Create Recurring Series")),
    ]


def task() -> StandardObject:
    """Define Task (00T); AccountId, IsClosed and CompletedDateTime are derived."""
    return (
        "00T",
        "Task",
        "Tasks",
        [
            *_activity_fields(),
            picklist(
                "Status",
                TASK_STATUSES,
                restricted=True,
                nillable=False,
                defaulted_on_create=True,
                default="Not Started",
            ),
            picklist(
                "Priority",
                TASK_PRIORITIES,
                restricted=True,
                nillable=False,
                defaulted_on_create=True,
                default="Normal",
            ),
            read_only(boolean("IsClosed", label="Closed")),
            read_only(boolean("IsHighPriority", label="High Priority")),
            read_only(datetime_("CompletedDateTime", label="Completed Date/Time")),
            create_only(
                picklist(
                    "TaskSubtype",
                    ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
                    restricted=True,
                )
            ),
            picklist("CallType", ("Internal", "Inbound", "Outbound"), restricted=True),
            integer("CallDurationInSeconds", label="Call Duration"),
            text("CallDisposition", 255, label="Call Result"),
        ],
    )


def event() -> StandardObject:
    """Define Event (00U); AccountId, EndDateTime and ActivityDate are derived."""
    return (
        "00U",
        "Event",
        "Events",
        [
            *_activity_fields(),
            datetime_("StartDateTime", label="Start Date Time"),
            datetime_("EndDateTime", label="End Date Time"),
            datetime_("ActivityDateTime", label="Due Date Time"),
            integer("DurationInMinutes", label="Duration"),
            boolean("IsAllDayEvent", label="All-Day Event"),
            text("Location", 255),
            picklist("ShowAs", ("Busy", "OutOfOffice", "Free"), default="Busy"),
            create_only(picklist("EventSubtype", ("Event",), restricted=True)),
        ],
    )


def all_standard() -> list[StandardObject]:
    """Return every standard object definition."""
    return [user(), account(), contact(), opportunity(), task(), event()]
