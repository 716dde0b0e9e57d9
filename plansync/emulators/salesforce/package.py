"""Turn plansync's SFDX package into field definitions, through the connector's parser.

``plansync.connectors.salesforce_metadata.load_package_fields(root)`` parses
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
    Path(__file__).resolve().parents[3] / "crm" / "salesforce" / "force-app" / "main" / "default"
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
        module = importlib.import_module("plansync.connectors.salesforce_metadata")
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


def to_field_def(name: str, parsed: Any) -> FieldDef:
    """Convert one parsed field (attribute- or key-style) into a ``FieldDef``."""
    raw_type = str(_pick(parsed, "type", "field_type", "describe_type", default="string"))
    kind = _METADATA_TYPES.get(raw_type.lower(), raw_type.lower())
    is_master = raw_type.lower() == "masterdetail" or bool(
        _pick(parsed, "master_detail", "is_master_detail", "cascade_delete", default=False)
    )
    api_name = str(_pick(parsed, "name", "full_name", "fullName", default=name))
    references = _pick(parsed, "reference_to", "referenceTo", default=())
    required = bool(_pick(parsed, "required", "is_required", default=False))
    default = _pick(parsed, "default_value", "defaultValue", "default", default=None)
    if kind == "boolean":
        default = str(default).lower() == "true"
    return FieldDef(
        name=api_name,
        type=kind,
        label=str(_pick(parsed, "label", default=label_for(api_name))),
        length=int(_pick(parsed, "length", default=0) or (255 if kind == "picklist" else 0)),
        precision=int(_pick(parsed, "precision", default=0) or 0),
        scale=int(_pick(parsed, "scale", default=0) or 0),
        nillable=not (required or is_master or kind == "boolean"),
        defaulted_on_create=kind == "boolean",
        default=default,
        external_id=bool(_pick(parsed, "external_id", "externalId", "is_external_id", default=False)),
        unique=bool(_pick(parsed, "unique", "is_unique", default=False)),
        case_sensitive=bool(_pick(parsed, "case_sensitive", "caseSensitive", default=False)),
        picklist=tuple(_picklist_values(_pick(parsed, "picklist_values", "picklistValues",
                                              "values", "picklist", default=()))),
        restricted=bool(_pick(parsed, "restricted", "is_restricted", "restricted_picklist",
                              default=False)),
        reference_to=_names(references),
        # A custom lookup's SOQL relationship is always the field name with __r;
        # the metadata relationshipName only names the child relationship.
        relationship_name=api_name.removesuffix("__c") + "__r" if kind == "reference" else None,
        master_detail=is_master,
        custom=api_name.endswith("__c"),
        auto_number=raw_type.lower() == "autonumber",
    )


def _pick(parsed: Any, *names: str, default: Any) -> Any:
    for name in names:
        if isinstance(parsed, Mapping) and name in parsed:
            return parsed[name]
        if not isinstance(parsed, Mapping) and hasattr(parsed, name):
            return getattr(parsed, name)
    return default


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(item) for item in value)


def _picklist_values(values: Iterable[Any] | None) -> Iterable[str]:
    for value in values or ():
        if isinstance(value, str):
            yield value
        else:
            yield str(_pick(value, "value", "full_name", "fullName", "api_name", default=value))
