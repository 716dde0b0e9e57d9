"""Describe one sObject field the way Salesforce's describe call does, plus builders.

``FieldDef`` holds the describe properties the emulator needs to validate writes
and answer describe; the small builder functions keep the object definitions in
``standard.py`` and ``custom.py`` readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, TypedDict, Unpack

TEXT_TYPES = frozenset(
    {
        "string",
        "textarea",
        "picklist",
        "multipicklist",
        "combobox",
        "email",
        "phone",
        "url",
    }
)
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})
ID_TYPES = frozenset({"id", "reference"})

SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
}


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field of an sObject, in describe terms."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default: Any = None
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    picklist: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    master_detail: bool = False
    custom: bool = False
    auto_number: bool = False
    calculated: bool = False
    name_field: bool = False
    display_format: str = ""

    @property
    def is_required_on_create(self) -> bool:
        """Tell whether a create must supply a value (describe's rule)."""
        return self.createable and not self.nillable and not self.defaulted_on_create

    @property
    def is_text(self) -> bool:
        """Tell whether values are strings compared without regard to case."""
        return self.type in TEXT_TYPES

    @property
    def is_polymorphic(self) -> bool:
        """Tell whether the reference can point at more than one object type."""
        return len(self.reference_to) > 1

    @property
    def soap_type(self) -> str:
        """Return the describe ``soapType``."""
        return SOAP_TYPES.get(self.type, "xsd:string")


def label_for(name: str) -> str:
    """Derive a label from an API name (``PlanSync_Next_Due__c``)."""
    base = name.removesuffix("__c")
    if "_" in base:
        return base.replace("_", " ")
    if base.endswith("Id") and base != "Id":
        base = base[:-2] + "ID"
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base)


class Props(TypedDict, total=False):
    """Optional describe properties accepted by the field builders."""

    label: str
    nillable: bool
    createable: bool
    updateable: bool
    defaulted_on_create: bool
    default: str | bool | None
    external_id: bool
    unique: bool
    case_sensitive: bool
    restricted: bool
    master_detail: bool
    custom: bool
    auto_number: bool
    calculated: bool
    name_field: bool


def _make(name: str, kind: str, props: Props) -> FieldDef:
    props.setdefault("label", label_for(name))
    props.setdefault("custom", name.endswith("__c"))
    return FieldDef(name=name, type=kind, **props)


def text(
    name: str, length: int = 255, *, kind: str = "string", **props: Unpack[Props]
) -> FieldDef:
    """Build a string field (or email, phone, url, combobox with ``kind``)."""
    return replace(_make(name, kind, props), length=length)


def long_text(name: str, length: int = 32768, **props: Unpack[Props]) -> FieldDef:
    """Build a long text area (describe type ``textarea``)."""
    return replace(_make(name, "textarea", props), length=length)


def number(
    name: str,
    precision: int = 18,
    scale: int = 0,
    *,
    kind: str = "double",
    **props: Unpack[Props],
) -> FieldDef:
    """Build a number field (``double`` in describe, like custom Number fields)."""
    return replace(_make(name, kind, props), precision=precision, scale=scale)


def integer(name: str, **props: Unpack[Props]) -> FieldDef:
    """Build an integer field."""
    return replace(_make(name, "int", props), precision=9)


def currency(
    name: str, precision: int = 18, scale: int = 2, **props: Unpack[Props]
) -> FieldDef:
    """Build a currency field."""
    return number(name, precision, scale, kind="currency", **props)


def percent(
    name: str, precision: int = 5, scale: int = 2, **props: Unpack[Props]
) -> FieldDef:
    """Build a percent field (the stored number is the percentage)."""
    return number(name, precision, scale, kind="percent", **props)


def boolean(name: str, **props: Unpack[Props]) -> FieldDef:
    """Build a checkbox: never null, defaulted (``default`` False if unset)."""
    props.setdefault("nillable", False)
    props.setdefault("defaulted_on_create", True)
    props.setdefault("default", False)
    return _make(name, "boolean", props)


def date(name: str, **props: Unpack[Props]) -> FieldDef:
    """Build a date field."""
    return _make(name, "date", props)


def datetime_(name: str, **props: Unpack[Props]) -> FieldDef:
    """Build a dateTime field."""
    return _make(name, "datetime", props)


def picklist(name: str, values: tuple[str, ...], **props: Unpack[Props]) -> FieldDef:
    """Build a picklist field (``restricted=True`` refuses other values)."""
    return replace(_make(name, "picklist", props), picklist=values, length=255)


def reference(
    name: str, to: tuple[str, ...], relationship: str, **props: Unpack[Props]
) -> FieldDef:
    """Build a lookup (or master-detail, with ``master_detail=True``) field."""
    if props.get("master_detail"):
        props.setdefault("nillable", False)
    return replace(
        _make(name, "reference", props),
        reference_to=to,
        relationship_name=relationship,
        length=18,
    )


def read_only(field: FieldDef) -> FieldDef:
    """Return ``field`` as neither createable nor updateable."""
    return replace(field, createable=False, updateable=False)


def create_only(field: FieldDef) -> FieldDef:
    """Return ``field`` as createable but not updateable."""
    return replace(field, updateable=False)


def system_fields(*, owned: bool) -> list[FieldDef]:
    """Return the audit fields every object has (and OwnerId when ``owned``)."""
    fields = [
        read_only(
            replace(
                _make("Id", "id", {"nillable": False, "label": "Record ID"}), length=18
            )
        ),
        read_only(boolean("IsDeleted", label="Deleted")),
        read_only(datetime_("CreatedDate", nillable=False, label="Created Date")),
        read_only(reference("CreatedById", ("User",), "CreatedBy", nillable=False)),
        read_only(
            datetime_("LastModifiedDate", nillable=False, label="Last Modified Date")
        ),
        read_only(
            reference("LastModifiedById", ("User",), "LastModifiedBy", nillable=False)
        ),
        read_only(datetime_("SystemModstamp", nillable=False, label="System Modstamp")),
    ]
    if owned:
        fields.append(
            reference(
                "OwnerId", ("User",), "Owner", nillable=False, defaulted_on_create=True
            )
        )
    return fields
