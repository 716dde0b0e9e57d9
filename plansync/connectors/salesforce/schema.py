"""Declare the Salesforce objects and fields plansync reads and writes (describe terms).

``SCHEMA`` is keyed by object API name. Custom fields match the SFDX package under
``crm/salesforce`` (``tests/unit/connectors/salesforce/test_metadata.py`` keeps the two
in step); standard fields are the ones the connector selects or sets, with the
create/update rules of the Object Reference (docs/salesforce.md §8). Activity custom
fields are declared once in the package, on ``Activity``, and appear on Task and Event
(docs/salesforce.md §8.3).

Boolean attributes keep describe's names (``externalId`` → ``external_id``) so that a
spec reads one-to-one against a describe answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from plansync.planning.models import (
    POWER_MAP_ROLES,
    Attitude,
    ComplianceStatus,
    Influence,
)


class FieldType(StrEnum):
    """A field's ``type`` as describe reports it."""

    ID = "id"
    STRING = "string"
    TEXTAREA = "textarea"
    EMAIL = "email"
    COMBOBOX = "combobox"
    PICKLIST = "picklist"
    BOOLEAN = "boolean"
    INT = "int"
    DOUBLE = "double"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    REFERENCE = "reference"


class Access(StrEnum):
    """What plansync does with a field."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read_write"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field plansync depends on, with the describe properties it relies on.

    ``length`` is describe's length (characters for text, 18 for ids and references,
    255 for custom picklists, 0 for numbers and dates). ``picklist_values`` are the
    values plansync writes or expects, in the order the org lists them.
    """

    name: str
    type: FieldType
    access: Access
    length: int = 0
    precision: int = 0
    scale: int = 0
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    picklist_values: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    master_detail: bool = False
    auto_number: bool = False
    createable: bool = True
    updateable: bool = True

    @property
    def is_custom(self) -> bool:
        """Tell whether the field is plansync's own (a ``__c`` field)."""
        return self.name.endswith("__c")

    @property
    def is_read(self) -> bool:
        """Tell whether plansync reads the field."""
        return self.access in (Access.READ, Access.READ_WRITE)

    @property
    def is_written(self) -> bool:
        """Tell whether plansync writes the field."""
        return self.access in (Access.WRITE, Access.READ_WRITE)


@dataclass(frozen=True, slots=True)
class SObjectSchema:
    """One sObject type: its label, plansync's upsert key, and its fields by name."""

    name: str
    label: str
    fields: Mapping[str, FieldSpec]
    upsert_key: str | None = None

    @property
    def is_custom(self) -> bool:
        """Tell whether the object is one of plansync's custom objects."""
        return self.name.endswith("__c")

    @property
    def custom_fields(self) -> tuple[FieldSpec, ...]:
        """Return the ``__c`` fields, in declaration order."""
        return tuple(spec for spec in self.fields.values() if spec.is_custom)

    @property
    def read_fields(self) -> tuple[str, ...]:
        """Return the names plansync selects, in declaration order."""
        return tuple(spec.name for spec in self.fields.values() if spec.is_read)

    @property
    def written_fields(self) -> tuple[str, ...]:
        """Return the names plansync sets, in declaration order."""
        return tuple(spec.name for spec in self.fields.values() if spec.is_written)


ACTIVITY_OBJECTS = ("Task", "Event")
"""Objects that carry the package's ``Activity`` custom fields."""

SEGMENTS = ("A", "B", "C")
STATUSES = tuple(status.value for status in ComplianceStatus)
ROLES = POWER_MAP_ROLES
INFLUENCES = tuple(level.value for level in Influence)
ATTITUDES = tuple(attitude.value for attitude in Attitude)
TASK_STATUSES = (
    "Not Started",
    "In Progress",
    "Completed",
    "Waiting on someone else",
    "Deferred",
)
TASK_PRIORITIES = ("High", "Normal", "Low")
ACTIVITY_TYPES = ("Call", "Email", "Meeting", "Other")
TASK_SUBTYPES = ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")

KEY_FIELD = "PlanSync_Key__c"
"""The external ID plansync upserts its records by."""

_R, _W, _RW = Access.READ, Access.WRITE, Access.READ_WRITE
_ID_LENGTH = 18
_PICKLIST_LENGTH = 255


def package_object(object_name: str) -> str:
    """Return the package folder holding ``object_name``'s custom fields.

    Task and Event custom fields live on ``Activity`` in the metadata (§8.3).
    """
    return "Activity" if object_name in ACTIVITY_OBJECTS else object_name


def _field(name: str, kind: FieldType, access: Access, length: int = 0) -> FieldSpec:
    return FieldSpec(name, kind, access, length=length)


def _read_only(spec: FieldSpec) -> FieldSpec:
    return replace(spec, createable=False, updateable=False)


def _ref(name: str, access: Access, *to: str, master_detail: bool = False) -> FieldSpec:
    # A master-detail that is not reparentable is set on create only.
    return FieldSpec(
        name,
        FieldType.REFERENCE,
        access,
        length=_ID_LENGTH,
        reference_to=to,
        master_detail=master_detail,
        updateable=not master_detail,
    )


def _text(name: str, length: int, access: Access = _RW) -> FieldSpec:
    return _field(name, FieldType.STRING, access, length)


def _long_text(name: str, access: Access) -> FieldSpec:
    return _field(name, FieldType.TEXTAREA, access, 32768)


def _number(
    name: str,
    precision: int,
    scale: int,
    access: Access,
    kind: FieldType = FieldType.DOUBLE,
) -> FieldSpec:
    return FieldSpec(name, kind, access, precision=precision, scale=scale)


def _picklist(
    name: str,
    values: tuple[str, ...],
    access: Access,
    *,
    restricted: bool,
    length: int = _PICKLIST_LENGTH,
) -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.PICKLIST,
        access,
        length=length,
        picklist_values=values,
        restricted=restricted,
    )


def _key(*, unique: bool) -> FieldSpec:
    # Activity custom fields cannot be unique, so Task keys rely on upsert alone (§8.3).
    return FieldSpec(
        KEY_FIELD,
        FieldType.STRING,
        _RW,
        length=80,
        external_id=True,
        unique=unique,
        case_sensitive=unique,
    )


def _auto_name() -> FieldSpec:
    return _read_only(
        FieldSpec("Name", FieldType.STRING, _R, length=30, auto_number=True)
    )


def _object(
    name: str, label: str, *specs: FieldSpec, upsert_key: str | None = None
) -> SObjectSchema:
    fields = MappingProxyType({spec.name: spec for spec in specs})
    return SObjectSchema(name, label, fields, upsert_key)


def _system(*names: str) -> tuple[FieldSpec, ...]:
    kinds = {
        "Id": FieldType.ID,
        "SystemModstamp": FieldType.DATETIME,
        "LastModifiedDate": FieldType.DATETIME,
        "IsDeleted": FieldType.BOOLEAN,
    }
    return tuple(
        _read_only(_field(name, kinds[name], _R, _ID_LENGTH if name == "Id" else 0))
        for name in names
    )


def _activity_links(access: Access) -> tuple[FieldSpec, ...]:
    # WhatId is polymorphic; these are the targets plansync uses, not the org's list.
    return (
        _ref("WhatId", access, "Account", "Opportunity", "PlanSync_Account_Plan__c"),
        _ref("WhoId", access, "Contact", "Lead"),
        _read_only(_ref("AccountId", _R, "Account")),
    )


_ACTIVITY_CUSTOM = (
    _key(unique=False),
    _text("PlanSync_Fingerprint__c", 64),
    _text("PlanSync_Kind__c", 40),
)

ACCOUNT = _object(
    "Account",
    "Account",
    *_system("Id"),
    _text("Name", 255, _R),
    _ref("OwnerId", _R, "User"),
    _number("AnnualRevenue", 18, 0, _R, FieldType.CURRENCY),
    _picklist("Industry", (), _R, restricted=False),
    _picklist("Type", (), _R, restricted=False),
    *_system("SystemModstamp", "LastModifiedDate", "IsDeleted"),
    _read_only(_ref("MasterRecordId", _R, "Account")),
    _picklist("PlanSync_Segment__c", SEGMENTS, _R, restricted=False),
    _text("PlanSync_Plan_Segment__c", 40, _W),
    _number("PlanSync_NPS__c", 3, 0, _R),
    _number("PlanSync_Wallet__c", 18, 2, _R, FieldType.CURRENCY),
    _number("PlanSync_Recurring_Share__c", 5, 2, _R, FieldType.PERCENT),
    _number("PlanSync_Compliance_Pct__c", 5, 1, _W, FieldType.PERCENT),
    _number("PlanSync_Planned_To_Date__c", 6, 0, _W),
    _number("PlanSync_Done_To_Date__c", 6, 0, _W),
    _picklist("PlanSync_Status__c", STATUSES, _W, restricted=True),
    _number("PlanSync_Overdue__c", 6, 0, _W),
    _field("PlanSync_Next_Due__c", FieldType.DATE, _W),
    _field("PlanSync_Last_Reconciled__c", FieldType.DATETIME, _W),
)

CONTACT = _object(
    "Contact",
    "Contact",
    *_system("Id"),
    _ref("AccountId", _R, "Account"),
    _text("FirstName", 40, _R),
    _text("LastName", 80, _R),
    _read_only(_text("Name", 121, _R)),
    _field("Email", FieldType.EMAIL, _R, 80),
    _text("Title", 128, _R),
    *_system("SystemModstamp", "IsDeleted"),
    _read_only(_ref("MasterRecordId", _R, "Contact")),
    _picklist("PlanSync_Role__c", ROLES, _R, restricted=False),
    _picklist("PlanSync_Influence__c", INFLUENCES, _R, restricted=True),
    _picklist("PlanSync_Attitude__c", ATTITUDES, _R, restricted=True),
)

USER = _object(
    "User",
    "User",
    *_system("Id"),
    _read_only(_text("Name", 121, _R)),
    _field("Email", FieldType.EMAIL, _R, 128),
    _field("IsActive", FieldType.BOOLEAN, _R),
    *_system("SystemModstamp"),
)

# Standard activity picklists describe with length 40 in the orgs we know of; plansync
# writes only the listed values, so nothing depends on the exact figure.
TASK = _object(
    "Task",
    "Task",
    *_system("Id"),
    *_activity_links(_RW),
    _ref("OwnerId", _RW, "Group", "User"),
    _field("Subject", FieldType.COMBOBOX, _RW, 255),
    _field("Description", FieldType.TEXTAREA, _RW, 32000),
    _field("ActivityDate", FieldType.DATE, _RW),
    _picklist("Status", TASK_STATUSES, _RW, restricted=False, length=40),
    _picklist("Priority", TASK_PRIORITIES, _RW, restricted=False, length=40),
    _picklist("Type", ACTIVITY_TYPES, _RW, restricted=False, length=40),
    # TaskSubtype is set on create only: "This field isn't updateable" (§8.1).
    replace(
        _picklist("TaskSubtype", TASK_SUBTYPES, _RW, restricted=True, length=40),
        updateable=False,
    ),
    _read_only(_field("IsClosed", FieldType.BOOLEAN, _R)),
    _read_only(_field("CompletedDateTime", FieldType.DATETIME, _R)),
    *_system("SystemModstamp", "LastModifiedDate", "IsDeleted"),
    *_ACTIVITY_CUSTOM,
    upsert_key=KEY_FIELD,
)

EVENT = _object(
    "Event",
    "Event",
    *_system("Id"),
    *_activity_links(_R),
    _ref("OwnerId", _R, "Calendar", "User"),
    _field("Subject", FieldType.COMBOBOX, _R, 255),
    _field("Description", FieldType.TEXTAREA, _R, 32000),
    _field("ActivityDate", FieldType.DATE, _R),
    _field("StartDateTime", FieldType.DATETIME, _R),
    _field("EndDateTime", FieldType.DATETIME, _R),
    _field("DurationInMinutes", FieldType.INT, _R),
    _picklist("Type", ACTIVITY_TYPES, _R, restricted=False, length=40),
    *_system("SystemModstamp", "IsDeleted"),
    *_ACTIVITY_CUSTOM,
)

ACCOUNT_PLAN = _object(
    "PlanSync_Account_Plan__c",
    "Account Plan",
    *_system("Id"),
    _auto_name(),
    _ref("Account__c", _RW, "Account", master_detail=True),
    _key(unique=True),
    _number("Plan_Year__c", 4, 0, _RW),
    _text("Segment__c", 40),
    _field("Segment_Since__c", FieldType.DATE, _RW),
    # The narrative belongs to the rep: plansync reads it and never writes it.
    _long_text("Customer_Strategy__c", _R),
    _long_text("Short_Term_Goals__c", _R),
    _long_text("Long_Term_Goals__c", _R),
    _long_text("Whitespace__c", _R),
    _long_text("Red_Flags__c", _RW),
    _long_text("Buying_Process__c", _R),
    _long_text("Next_Actions__c", _R),
    _number("Current_Revenue__c", 18, 2, _RW, FieldType.CURRENCY),
    _text("Products__c", 255),
    _number("Recurring_Share__c", 5, 2, _RW, FieldType.PERCENT),
    _number("Wallet_Share__c", 5, 2, _RW, FieldType.PERCENT),
    _number("Planned_Activities__c", 6, 0, _RW),
    _number("Planned_Hours__c", 8, 1, _RW),
    _number("Done_Activities__c", 6, 0, _W),
    _number("Compliance_Pct__c", 5, 1, _W, FieldType.PERCENT),
    _picklist("Status__c", STATUSES, _W, restricted=True),
    _field("Last_Reviewed__c", FieldType.DATE, _RW),
    *_system("SystemModstamp", "IsDeleted"),
    upsert_key=KEY_FIELD,
)

STAKEHOLDER = _object(
    "PlanSync_Stakeholder__c",
    "Plan Stakeholder",
    *_system("Id"),
    _auto_name(),
    _ref("Account_Plan__c", _RW, "PlanSync_Account_Plan__c", master_detail=True),
    _key(unique=True),
    _ref("Contact__c", _RW, "Contact"),
    _text("Role__c", 80),
    _picklist("Influence__c", INFLUENCES, _RW, restricted=True),
    _picklist("Attitude__c", ATTITUDES, _RW, restricted=True),
    _field("Known__c", FieldType.BOOLEAN, _RW),
    *_system("SystemModstamp", "IsDeleted"),
    upsert_key=KEY_FIELD,
)

SCHEMA: Mapping[str, SObjectSchema] = MappingProxyType(
    {
        schema.name: schema
        for schema in (ACCOUNT, CONTACT, USER, TASK, EVENT, ACCOUNT_PLAN, STAKEHOLDER)
    }
)
"""Every object plansync touches, by API name."""
