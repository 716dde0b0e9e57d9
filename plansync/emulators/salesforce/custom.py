"""Define plansync's package (custom fields and objects) as built into the emulator.

When the SFDX package under ``crm/salesforce`` can be parsed (see ``package.py``), its
definitions override these; the built-in set keeps the emulator usable on its own and
names every field the connector relies on.
"""

from __future__ import annotations

from dataclasses import replace

from plansync.connectors.salesforce.schema import (
    ATTITUDES,
    INFLUENCES,
    ROLES,
    SEGMENTS,
    STATUSES,
)
from plansync.emulators.salesforce.fields import (
    FieldDef,
    boolean,
    currency,
    date,
    datetime_,
    long_text,
    number,
    percent,
    picklist,
    read_only,
    reference,
    system_fields,
    text,
)

# name, label, plural label, fields
CustomObject = tuple[str, str, str, list[FieldDef]]


def _key(unique: bool) -> FieldDef:
    return text(
        "PlanSync_Key__c",
        80,
        external_id=True,
        unique=unique,
        case_sensitive=unique,
        label="PlanSync Key",
    )


def account_fields() -> list[FieldDef]:
    """Return the package's custom fields on Account."""
    return [
        picklist("PlanSync_Segment__c", SEGMENTS, label="PlanSync Segment"),
        text("PlanSync_Plan_Segment__c", 40, label="PlanSync Plan Segment"),
        number("PlanSync_NPS__c", 3, 0, label="PlanSync NPS"),
        currency("PlanSync_Wallet__c", 18, 2, label="PlanSync Wallet"),
        percent("PlanSync_Recurring_Share__c", 5, 2, label="PlanSync Recurring Share"),
        percent("PlanSync_Compliance_Pct__c", 5, 1, label="PlanSync Compliance %"),
        number("PlanSync_Planned_To_Date__c", 6, 0, label="PlanSync Planned To Date"),
        number("PlanSync_Done_To_Date__c", 6, 0, label="PlanSync Done To Date"),
        picklist(
            "PlanSync_Status__c",
            STATUSES,
            restricted=True,
            label="PlanSync Status",
        ),
        number("PlanSync_Overdue__c", 6, 0, label="PlanSync Overdue"),
        date("PlanSync_Next_Due__c", label="PlanSync Next Due"),
        datetime_("PlanSync_Last_Reconciled__c", label="PlanSync Last Reconciled"),
    ]


def contact_fields() -> list[FieldDef]:
    """Return the package's custom fields on Contact."""
    return [
        picklist("PlanSync_Role__c", ROLES, label="PlanSync Role"),
        picklist(
            "PlanSync_Influence__c",
            INFLUENCES,
            restricted=True,
            label="PlanSync Influence",
        ),
        picklist(
            "PlanSync_Attitude__c",
            ATTITUDES,
            restricted=True,
            label="PlanSync Attitude",
        ),
    ]


def activity_fields() -> list[FieldDef]:
    """Return the package's custom Activity fields, which Task and Event both get.

    Activity custom fields cannot be marked unique (docs/salesforce.md §8.3), so a
    duplicated key makes upsert answer 300 rather than DUPLICATE_VALUE.
    """
    return [
        _key(unique=False),
        text("PlanSync_Fingerprint__c", 64, label="PlanSync Fingerprint"),
        text("PlanSync_Kind__c", 40, label="PlanSync Kind"),
    ]


def account_plan() -> CustomObject:
    """Define PlanSync_Account_Plan__c, a master-detail child of Account."""
    return (
        "PlanSync_Account_Plan__c",
        "Account Plan",
        "Account Plans",
        [
            *system_fields(owned=False),
            _auto_name("Account Plan Number", "AP-{00000}"),
            reference(
                "Account__c",
                ("Account",),
                "Account__r",
                master_detail=True,
                updateable=False,
                label="Account",
            ),
            _key(unique=True),
            number("Plan_Year__c", 4, 0, label="Plan Year"),
            text("Segment__c", 40, label="Segment"),
            date("Segment_Since__c", label="Segment Since"),
            long_text("Customer_Strategy__c", label="Customer Strategy"),
            long_text("Short_Term_Goals__c", label="Short-Term Goals"),
            long_text("Long_Term_Goals__c", label="Long-Term Goals"),
            currency("Current_Revenue__c", label="Current Revenue"),
            text("Products__c", 255, label="Products"),
            percent("Recurring_Share__c", label="Recurring Share"),
            long_text("Whitespace__c", label="Whitespace"),
            percent("Wallet_Share__c", label="Wallet Share"),
            long_text("Red_Flags__c", label="Red Flags"),
            long_text("Buying_Process__c", label="Buying Process"),
            long_text("Next_Actions__c", label="Next Actions"),
            number("Planned_Activities__c", 6, 0, label="Planned Activities"),
            number("Planned_Hours__c", 8, 1, label="Planned Hours"),
            number("Done_Activities__c", 6, 0, label="Done Activities"),
            percent("Compliance_Pct__c", 5, 1, label="Compliance %"),
            picklist("Status__c", STATUSES, restricted=True, label="Status"),
            date("Last_Reviewed__c", label="Last Reviewed"),
        ],
    )


def stakeholder() -> CustomObject:
    """Define PlanSync_Stakeholder__c, one power-map line of an account plan."""
    return (
        "PlanSync_Stakeholder__c",
        "Stakeholder",
        "Stakeholders",
        [
            *system_fields(owned=False),
            _auto_name("Stakeholder Number", "ST-{00000}"),
            reference(
                "Account_Plan__c",
                ("PlanSync_Account_Plan__c",),
                "Account_Plan__r",
                master_detail=True,
                updateable=False,
                label="Account Plan",
            ),
            reference("Contact__c", ("Contact",), "Contact__r", label="Contact"),
            _key(unique=True),
            text("Role__c", 80, label="Role"),
            picklist("Influence__c", INFLUENCES, restricted=True, label="Influence"),
            picklist("Attitude__c", ATTITUDES, restricted=True, label="Attitude"),
            boolean("Known__c", label="Known"),
        ],
    )


def _auto_name(label: str, display_format: str) -> FieldDef:
    name = text(
        "Name", 30, nillable=False, name_field=True, auto_number=True, label=label
    )
    return read_only(replace(name, display_format=display_format))


def standard_object_fields() -> dict[str, list[FieldDef]]:
    """Return the package's fields per standard object."""
    activity = activity_fields()
    return {
        "Account": account_fields(),
        "Contact": contact_fields(),
        "Task": activity,
        "Event": activity,
    }


def custom_objects() -> list[CustomObject]:
    """Return the package's custom objects, in key-prefix order (a00, a01, ...)."""
    return [account_plan(), stakeholder()]
