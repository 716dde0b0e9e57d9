"""Hold the org's schema: objects, fields, relationships, prefixes (any-case names).

Standard objects come from ``standard.py``; plansync's custom fields and objects from
the SFDX package when it parses (``package.py``), else from ``custom.py``. Custom
objects get key prefixes a00, a01, ... in definition order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from plansync.emulators.salesforce import custom, package, standard
from plansync.emulators.salesforce.fields import FieldDef, system_fields, text

# Fields readable through a polymorphic relationship (the ``Name`` pseudo-object):
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_name.htm
NAME_OBJECT_FIELDS = (
    "Id",
    "Name",
    "Type",
    "Alias",
    "Email",
    "FirstName",
    "LastName",
    "IsActive",
    "Title",
    "Phone",
    "Username",
)


@dataclass(slots=True)
class ObjectDef:
    """One sObject type: its fields by lower-case name and its relationships."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    custom: bool
    fields: dict[str, FieldDef]
    relationships: dict[str, FieldDef] = field(default_factory=dict)
    children: list[tuple[str, FieldDef]] = field(default_factory=list)

    def field(self, name: str) -> FieldDef | None:
        """Return the field called ``name`` (any case), or None."""
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        """Return the reference field behind relationship ``name`` (any case)."""
        return self.relationships.get(name.lower())

    @property
    def is_activity(self) -> bool:
        """Tell whether this is Task or Event."""
        return self.name in ("Task", "Event")

    @property
    def lookup_fields(self) -> list[FieldDef]:
        """Return the fields records can be looked up (and upserted) by."""
        return [f for f in self.fields.values() if f.external_id or f.unique]


class Schema:
    """All objects of the emulated org."""

    def __init__(self, objects: list[ObjectDef]) -> None:
        """Index ``objects`` by name and key prefix and wire up relationships."""
        self.objects = {obj.name.lower(): obj for obj in objects}
        self.by_prefix = {obj.key_prefix: obj for obj in objects}
        for obj in objects:
            for fdef in obj.fields.values():
                if fdef.type == "reference" and fdef.relationship_name:
                    obj.relationships[fdef.relationship_name.lower()] = fdef
                    for target in fdef.reference_to:
                        parent = self.objects.get(target.lower())
                        if parent is not None:
                            parent.children.append((obj.name, fdef))

    def get(self, name: str) -> ObjectDef | None:
        """Return the object called ``name`` (any case), or None."""
        return self.objects.get(name.lower())

    def for_id(self, record_id: str) -> ObjectDef | None:
        """Return the object whose key prefix starts ``record_id``, or None."""
        return self.by_prefix.get(record_id[:3])


def build_schema(package_root: Path | None = None) -> Schema:
    """Build the org schema: standard objects plus plansync's package."""
    parsed = package.package_fields(package_root)
    objects = [
        _object(label, prefix, label, plural, fields, custom_object=False)
        for prefix, label, plural, fields in standard.all_standard()
    ]
    by_name = {obj.name: obj for obj in objects}
    for name, extra in custom.standard_object_fields().items():
        _merge(by_name[name], extra)
    customs = {
        name: (label, plural, fields)
        for name, label, plural, fields in custom.custom_objects()
    }
    for name, extra in (parsed or {}).items():
        if name in by_name:
            _merge(by_name[name], extra)
        elif name.endswith("__c") and name not in customs:
            customs[name] = (
                _label(name),
                _label(name) + "s",
                _new_custom_fields(extra),
            )
        elif name in customs:
            label, plural, fields = customs[name]
            merged = {f.name.lower(): f for f in [*fields, *extra]}
            customs[name] = (label, plural, list(merged.values()))
    for index, (name, (label, plural, fields)) in enumerate(customs.items()):
        objects.append(
            _object(name, f"a{index:02d}", label, plural, fields, custom_object=True)
        )
    return Schema(objects)


def _object(
    name: str,
    prefix: str,
    label: str,
    plural: str,
    fields: list[FieldDef],
    *,
    custom_object: bool,
) -> ObjectDef:
    return ObjectDef(
        name=name,
        label=label,
        label_plural=plural,
        key_prefix=prefix,
        custom=custom_object,
        fields={f.name.lower(): f for f in fields},
    )


def _merge(obj: ObjectDef, extra: list[FieldDef]) -> None:
    for fdef in extra:
        obj.fields[fdef.name.lower()] = replace(fdef, custom=True)


def _label(name: str) -> str:
    return name.removesuffix("__c").replace("_", " ")


def _new_custom_fields(extra: list[FieldDef]) -> list[FieldDef]:
    has_master = any(f.master_detail for f in extra)
    base = [
        *system_fields(owned=not has_master),
        text("Name", 80, nillable=False, name_field=True, custom=False),
    ]
    return [*base, *extra]
