"""Turn plansync's SFDX package into field definitions, through the connector's parser.

``plansync.connectors.salesforce.metadata.load_package_fields(root)`` parses
``crm/salesforce/force-app/main/default`` into object → field → parsed field. That
module is written separately, so it is imported lazily and its parsed fields are
read by attribute *or* key, under either snake_case or describe-style names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from plansync.emulators.salesforce.fields import FieldDef, label_for

PACKAGE_ROOT = (
    Path(__file__).resolve().parents[3]
    / "crm"
    / "salesforce"
    / "force-app"
    / "main"
    / "default"
)
_METADATA_TYPES = {
    "text": "string",
    "longtextarea": "textarea",
    "textarea": "textarea",
    "html": "textarea",
    "number": "double",
    "checkbox": "boolean",
    "datetime": "datetime",
    "lookup": "reference",
    "masterdetail": "reference",
    "multiselectpicklist": "multipicklist",
    "autonumber": "string",
}


def package_fields(root: Path | None = None) -> dict[str, list[FieldDef]] | None:
    """Return the package's fields per object, or None when the package is unavailable.

    ``Activity`` fields are returned under ``Task`` and ``Event``, where the API
    exposes them (docs/salesforce.md §8.3).
    """
    folder = root or PACKAGE_ROOT
    if not folder.is_dir():
        return None
    try:
        module = importlib.import_module("plansync.connectors.salesforce.metadata")
    except ImportError:
        return None
    loader: Callable[[Path], Mapping[str, Mapping[str, Any]]] | None = getattr(
        module, "load_package_fields", None
    )
    if loader is None:
        return None
    result: dict[str, list[FieldDef]] = {}
    for object_name, fields in loader(folder).items():
        defs = [to_field_def(name, parsed) for name, parsed in fields.items()]
        targets = ("Task", "Event") if object_name == "Activity" else (object_name,)
        for target in targets:
            result.setdefault(target, []).extend(defs)
    return result


def to_field_def(name: str, parsed: object) -> FieldDef:
    """Convert one parsed field (attribute- or key-style) into a ``FieldDef``."""
    raw_type = _text(parsed, "type", "field_type", "describe_type") or "string"
    kind = _METADATA_TYPES.get(raw_type.lower(), raw_type.lower())
    is_master = raw_type.lower() == "masterdetail" or _flag(
        parsed, "master_detail", "is_master_detail", "cascade_delete"
    )
    api_name = _text(parsed, "name", "full_name", "fullName") or name
    required = _flag(parsed, "required", "is_required")
    default: str | bool | None = _text(
        parsed, "default_value", "defaultValue", "default"
    )
    boolean = kind == "boolean"
    if boolean:
        default = str(default).lower() == "true"
    return FieldDef(
        name=api_name,
        type=kind,
        label=_text(parsed, "label") or label_for(api_name),
        length=_number(parsed, "length") or (255 if kind == "picklist" else 0),
        precision=_number(parsed, "precision"),
        scale=_number(parsed, "scale"),
        nillable=_choice(parsed, "nillable", not (required or is_master or boolean)),
        createable=_choice(parsed, "createable", default=True),
        updateable=_choice(parsed, "updateable", default=not is_master),
        defaulted_on_create=_choice(parsed, "defaulted_on_create", default=boolean),
        default=default,
        external_id=_flag(parsed, "external_id", "externalId", "is_external_id"),
        unique=_flag(parsed, "unique", "is_unique"),
        case_sensitive=_flag(parsed, "case_sensitive", "caseSensitive"),
        picklist=_values(
            _pick(parsed, "picklist_values", "picklistValues", "values", "picklist")
        ),
        restricted=_flag(parsed, "restricted", "is_restricted", "restricted_picklist"),
        reference_to=_names(_pick(parsed, "reference_to", "referenceTo")),
        # A custom lookup's SOQL relationship is always the field name with __r;
        # the metadata relationshipName only names the child relationship.
        relationship_name=(
            api_name.removesuffix("__c") + "__r" if kind == "reference" else None
        ),
        master_detail=is_master,
        custom=api_name.endswith("__c"),
        auto_number=raw_type.lower() == "autonumber",
    )


def _pick(parsed: object, *names: str) -> object:
    for name in names:
        if isinstance(parsed, Mapping):
            if name in parsed:
                found: object = parsed[name]
                return found
        elif hasattr(parsed, name):
            attribute: object = getattr(parsed, name)
            return attribute
    return None


def _text(parsed: object, *names: str) -> str | None:
    value = _pick(parsed, *names)
    if value is None or value == "":
        return None
    return str(getattr(value, "value", value))


def _choice(parsed: object, name: str, default: bool) -> bool:
    """Use the parser's own describe property when it has one."""
    value = _pick(parsed, name)
    return value if isinstance(value, bool) else default


def _flag(parsed: object, *names: str) -> bool:
    value = _pick(parsed, *names)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _number(parsed: object, *names: str) -> int:
    value = _pick(parsed, *names)
    if isinstance(value, int | float | str) and str(value).strip():
        return int(float(value))
    return 0


def _names(value: object) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(item) for item in value)
    return (str(value),)


def _values(values: object) -> tuple[str, ...]:
    if not isinstance(values, Iterable) or isinstance(values, str):
        return ()
    out = []
    for value in values:
        if isinstance(value, str):
            out.append(value)
        else:
            out.append(
                str(_pick(value, "value", "full_name", "fullName", "api_name") or value)
            )
    return tuple(out)
