"""Parse plansync's SFDX package (objects, fields, permission sets) into describe terms.

The package under ``crm/salesforce`` is in source format: one
``objects/<Object>/fields/<Field>.field-meta.xml`` per custom field, one
``<Object>.object-meta.xml`` per custom object and one ``.permissionset-meta.xml`` per
permission set, all in the Metadata API namespace (docs/salesforce.md §10; CustomField:
https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm).
The connector's tests and the Salesforce emulator both read it through this module, so a
field is described the way the describe call would describe it once deployed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plansync.errors import ConfigError

NAMESPACE = "http://soap.sforce.com/2006/04/metadata"
_NS = {"md": NAMESPACE}

DESCRIBE_TYPES: Mapping[str, str] = {
    "AutoNumber": "string",
    "Checkbox": "boolean",
    "Currency": "currency",
    "Date": "date",
    "DateTime": "datetime",
    "Email": "email",
    "Html": "textarea",
    "LongTextArea": "textarea",
    "Lookup": "reference",
    "MasterDetail": "reference",
    "MultiselectPicklist": "multipicklist",
    "Number": "double",
    "Percent": "percent",
    "Phone": "phone",
    "Picklist": "picklist",
    "Text": "string",
    "TextArea": "textarea",
    "Url": "url",
}
"""Metadata field type → the ``type`` describe reports for it."""

# Describe's length for types whose metadata declares none (AutoNumber: 30 characters).
_FIXED_LENGTHS = {
    "AutoNumber": 30,
    "Email": 80,
    "Lookup": 18,
    "MasterDetail": 18,
    "MultiselectPicklist": 4099,
    "Phone": 40,
    "Picklist": 255,
    "TextArea": 255,
    "Url": 255,
}


@dataclass(frozen=True, slots=True)
class PicklistValue:
    """One value of a picklist: API value, label, and whether it is the default."""

    value: str
    label: str
    default: bool = False


@dataclass(frozen=True, slots=True)
class ParsedField:
    """One field of the package, in describe terms plus the metadata it came from.

    Booleans keep describe's names (``externalId`` → ``external_id``).
    ``relationship_name`` is describe's (``Account__r``); ``child_relationship_name``
    is the metadata ``relationshipName``, which names the parent's child list.
    """

    name: str
    label: str
    type: str
    metadata_type: str
    length: int = 0
    precision: int = 0
    scale: int = 0
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    required: bool = False
    default_value: bool | str | None = None
    picklist_values: tuple[PicklistValue, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    child_relationship_name: str | None = None
    master_detail: bool = False
    reparentable: bool = False
    delete_constraint: str | None = None
    auto_number: bool = False
    display_format: str | None = None
    visible_lines: int | None = None
    description: str = ""
    inline_help_text: str = ""

    @property
    def custom(self) -> bool:
        """Tell whether this is a custom (``__c``) field rather than a name field."""
        return self.name.endswith("__c")

    @property
    def nillable(self) -> bool:
        """Tell whether describe reports the field as accepting null."""
        fixed = self.master_detail or self.auto_number or self.type == "boolean"
        return not (self.required or fixed)

    @property
    def createable(self) -> bool:
        """Tell whether a create may set the field (auto numbers are generated)."""
        return not self.auto_number

    @property
    def updateable(self) -> bool:
        """Tell whether an update may set it (no auto number or fixed master-detail)."""
        return not (self.auto_number or (self.master_detail and not self.reparentable))

    @property
    def defaulted_on_create(self) -> bool:
        """Tell whether the server fills the field when a create leaves it out."""
        return self.auto_number or self.type == "boolean"

    @property
    def cascade_delete(self) -> bool:
        """Tell whether deleting the parent deletes this record (master-detail)."""
        return self.master_detail


@dataclass(frozen=True, slots=True)
class ParsedObject:
    """One object folder of the package; ``label`` is None for standard objects."""

    name: str
    fields: Mapping[str, ParsedField]
    label: str | None = None
    plural_label: str | None = None
    sharing_model: str | None = None
    name_field: ParsedField | None = None

    @property
    def custom(self) -> bool:
        """Tell whether the package defines the object itself."""
        return self.name.endswith("__c")


@dataclass(frozen=True, slots=True)
class ObjectAccess:
    """A permission set's CRUD rights on one object."""

    object: str
    allow_create: bool
    allow_read: bool
    allow_edit: bool
    allow_delete: bool
    view_all_records: bool
    modify_all_records: bool


@dataclass(frozen=True, slots=True)
class ParsedPermissionSet:
    """One permission set: object rights and ``Object.Field`` → (readable, editable)."""

    name: str
    label: str
    objects: Mapping[str, ObjectAccess]
    fields: Mapping[str, tuple[bool, bool]]
    user_permissions: frozenset[str]


def source_dir(root: Path) -> Path:
    """Return the source folder (the one holding ``objects/``) for ``root``.

    ``root`` is either that folder or an SFDX project, whose default package
    directory's ``main/default`` is then used.

    Raises:
        ConfigError: ``sfdx-project.json`` is unreadable or names no package directory.
    """
    project = root / "sfdx-project.json"
    if not project.is_file():
        return root
    try:
        settings = json.loads(project.read_text(encoding="utf-8"))
        directories = settings["packageDirectories"]
        chosen = next((d for d in directories if d.get("default")), directories[0])
        folder = str(chosen["path"])
    except (ValueError, LookupError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{project}: no usable packageDirectories entry") from exc
    return root / folder / "main" / "default"


def load_package_objects(root: Path) -> dict[str, ParsedObject]:
    """Parse every object folder under ``root`` (see ``source_dir``), sorted by name."""
    objects_dir = source_dir(root) / "objects"
    if not objects_dir.is_dir():
        return {}
    return {
        folder.name: _parse_object(folder)
        for folder in sorted(objects_dir.iterdir())
        if folder.is_dir()
    }


def load_package_fields(root: Path) -> dict[str, dict[str, ParsedField]]:
    """Return object → custom field name → parsed field for the package at ``root``.

    Only ``__c`` fields are returned; a custom object's auto-number name field is on
    ``load_package_objects(root)[name].name_field``, so that callers merging these
    fields into an object's describe keep its ``Name``. Task and Event fields come back
    under ``Activity``, where the metadata defines them (docs/salesforce.md §8.3).
    """
    return {
        name: dict(parsed.fields) for name, parsed in load_package_objects(root).items()
    }


def load_permission_sets(root: Path) -> dict[str, ParsedPermissionSet]:
    """Parse every permission set under ``root`` (see ``source_dir``), by API name."""
    folder = source_dir(root) / "permissionsets"
    suffix = ".permissionset-meta.xml"
    paths = sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []
    return {
        path.name.removesuffix(suffix): _parse_permission_set(
            path.name.removesuffix(suffix), parse_xml(path, "PermissionSet")
        )
        for path in paths
    }


def parse_xml(path: Path, root_tag: str) -> ET.Element:
    """Parse one metadata file and check its root element and namespace.

    Raises:
        ConfigError: the file is not well formed or is not a ``root_tag`` document.
    """
    try:
        # The package is our own repository's content, not untrusted input.
        root = ET.parse(path).getroot()  # noqa: S314
    except ET.ParseError as exc:
        raise ConfigError(f"{path}: not well-formed XML: {exc}") from exc
    if root.tag != f"{{{NAMESPACE}}}{root_tag}":
        raise ConfigError(
            f"{path}: expected <{root_tag}> in {NAMESPACE}, got {root.tag}"
        )
    return root


def _parse_object(folder: Path) -> ParsedObject:
    fields = {
        path.name.removesuffix(".field-meta.xml"): _parse_field(
            parse_xml(path, "CustomField"), path
        )
        for path in sorted((folder / "fields").glob("*.field-meta.xml"))
    }
    meta = folder / f"{folder.name}.object-meta.xml"
    if not meta.is_file():
        return ParsedObject(folder.name, fields)
    root = parse_xml(meta, "CustomObject")
    name_node = root.find("md:nameField", _NS)
    return ParsedObject(
        folder.name,
        fields,
        label=_text(root, "label"),
        plural_label=_text(root, "pluralLabel"),
        sharing_model=_text(root, "sharingModel"),
        name_field=None if name_node is None else _parse_field(name_node, meta, "Name"),
    )


def _parse_field(node: ET.Element, path: Path, name: str | None = None) -> ParsedField:
    api_name = name or _text(node, "fullName")
    kind = _text(node, "type")
    if not api_name or kind is None or kind not in DESCRIBE_TYPES:
        raise ConfigError(
            f"{path}: field needs a fullName and a known type, got {kind}"
        )
    references = _text(node, "referenceTo")
    is_reference = kind in ("Lookup", "MasterDetail")
    return ParsedField(
        name=api_name,
        label=_text(node, "label") or api_name,
        type=DESCRIBE_TYPES[kind],
        metadata_type=kind,
        length=_int(node, "length") or _FIXED_LENGTHS.get(kind, 0),
        precision=_int(node, "precision") or 0,
        scale=_int(node, "scale") or 0,
        external_id=_bool(node, "externalId"),
        unique=_bool(node, "unique"),
        case_sensitive=_bool(node, "caseSensitive"),
        required=_bool(node, "required"),
        default_value=_default(node, kind),
        picklist_values=_picklist(node),
        restricted=_bool(node, "valueSet/md:restricted"),
        reference_to=(references,) if references else (),
        relationship_name=api_name.removesuffix("__c") + "__r"
        if is_reference
        else None,
        child_relationship_name=_text(node, "relationshipName"),
        master_detail=kind == "MasterDetail",
        reparentable=_bool(node, "reparentableMasterDetail"),
        delete_constraint=_text(node, "deleteConstraint"),
        auto_number=kind == "AutoNumber",
        display_format=_text(node, "displayFormat"),
        visible_lines=_int(node, "visibleLines"),
        description=_text(node, "description") or "",
        inline_help_text=_text(node, "inlineHelpText") or "",
    )


def _parse_permission_set(name: str, root: ET.Element) -> ParsedPermissionSet:
    objects = {}
    for node in root.iterfind("md:objectPermissions", _NS):
        access = ObjectAccess(
            object=_text(node, "object") or "",
            allow_create=_bool(node, "allowCreate"),
            allow_read=_bool(node, "allowRead"),
            allow_edit=_bool(node, "allowEdit"),
            allow_delete=_bool(node, "allowDelete"),
            view_all_records=_bool(node, "viewAllRecords"),
            modify_all_records=_bool(node, "modifyAllRecords"),
        )
        objects[access.object] = access
    fields = {
        _text(node, "field") or "": (_bool(node, "readable"), _bool(node, "editable"))
        for node in root.iterfind("md:fieldPermissions", _NS)
    }
    enabled = frozenset(
        _text(node, "name") or ""
        for node in root.iterfind("md:userPermissions", _NS)
        if _bool(node, "enabled")
    )
    return ParsedPermissionSet(
        name, _text(root, "label") or name, objects, fields, enabled
    )


def _picklist(node: ET.Element) -> tuple[PicklistValue, ...]:
    return tuple(
        PicklistValue(
            value=_text(value, "fullName") or "",
            label=_text(value, "label") or _text(value, "fullName") or "",
            default=_bool(value, "default"),
        )
        for value in node.iterfind("md:valueSet/md:valueSetDefinition/md:value", _NS)
    )


def _default(node: ET.Element, kind: str) -> bool | str | None:
    raw = _text(node, "defaultValue")
    if kind == "Checkbox" and raw is not None:
        return raw == "true"
    return raw


def _text(node: ET.Element, path: str) -> str | None:
    found = node.find(path if path.startswith("md:") else f"md:{path}", _NS)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _bool(node: ET.Element, path: str) -> bool:
    return _text(node, path) == "true"


def _int(node: ET.Element, path: str) -> int | None:
    raw = _text(node, path)
    return int(raw) if raw else None
