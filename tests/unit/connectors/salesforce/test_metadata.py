"""The SFDX package under crm/salesforce is valid metadata and matches the schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from plansync.connectors.salesforce.metadata import (
    NAMESPACE,
    ParsedField,
    load_package_fields,
    load_package_objects,
    load_permission_sets,
    parse_xml,
    source_dir,
)
from plansync.connectors.salesforce.schema import (
    ACTIVITY_OBJECTS,
    KEY_FIELD,
    SCHEMA,
    FieldSpec,
    FieldType,
    package_object,
)
from plansync.errors import ConfigError

PROJECT = Path(__file__).resolve().parents[4] / "crm" / "salesforce"
SOURCE = PROJECT / "force-app" / "main" / "default"
XML_FILES = sorted(SOURCE.rglob("*-meta.xml"))
CUSTOM_OBJECTS = ("PlanSync_Account_Plan__c", "PlanSync_Stakeholder__c")
PERMISSION_SETS = ("PlanSync_Integration", "PlanSync_Viewer")
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

DECLARED = [
    (name, spec) for name, schema in SCHEMA.items() for spec in schema.custom_fields
]


def _id(path: Path) -> str:
    return str(path.relative_to(SOURCE))


def _parsed(object_name: str, field_name: str) -> ParsedField:
    return load_package_fields(PROJECT)[package_object(object_name)][field_name]


def _shape(field: FieldSpec | ParsedField) -> dict[str, object]:
    values = field.picklist_values
    return {
        "type": str(field.type),
        "length": field.length,
        "precision": field.precision,
        "scale": field.scale,
        "external_id": field.external_id,
        "unique": field.unique,
        "case_sensitive": field.case_sensitive,
        "picklist": tuple(v if isinstance(v, str) else v.value for v in values),
        "restricted": field.restricted,
        "reference_to": field.reference_to,
        "master_detail": field.master_detail,
        "createable": field.createable,
        "updateable": field.updateable,
    }


def _retrieve_order(tags: list[str]) -> list[str]:
    head = [tag for tag in tags if tag == "fullName"]
    return head + sorted(tag for tag in tags if tag != "fullName")


def _fls_field_names(object_name: str) -> set[str]:
    """Return ``Object.Field`` for the custom fields that take FLS entries."""
    targets = ACTIVITY_OBJECTS if object_name == "Activity" else (object_name,)
    fields = load_package_fields(PROJECT)[object_name].values()
    return {
        f"{target}.{field.name}"
        for target in targets
        for field in fields
        if not (field.master_detail or field.required)
    }


class TestWellFormedXml:
    """Every metadata file is a well-formed document in the metadata namespace."""

    def test_package_holds_only_declared_components(self) -> None:
        """The package has a file per declared field, object and permission set."""
        expected = {
            *(
                f"objects/{package_object(o)}/fields/{s.name}.field-meta.xml"
                for o, s in DECLARED
            ),
            *(f"objects/{o}/{o}.object-meta.xml" for o in CUSTOM_OBJECTS),
            *(f"permissionsets/{p}.permissionset-meta.xml" for p in PERMISSION_SETS),
        }
        assert expected == {_id(path) for path in XML_FILES}

    @pytest.mark.parametrize("path", XML_FILES, ids=_id)
    def test_declaration_and_namespace(self, path: Path) -> None:
        """Each file starts with the UTF-8 declaration; its root is in the namespace."""
        root = ET.parse(path).getroot()
        assert DECLARATION == path.read_text(encoding="utf-8")[: len(DECLARATION)]
        assert NAMESPACE == root.tag.split("}")[0].lstrip("{")

    @pytest.mark.parametrize("path", XML_FILES, ids=_id)
    def test_elements_in_retrieve_order(self, path: Path) -> None:
        """Children are alphabetical after fullName, as `sf project retrieve` writes."""
        for node in ET.parse(path).iter():
            tags = [child.tag.split("}")[1] for child in node]
            assert _retrieve_order(tags) == tags

    def test_malformed_file_is_a_config_error(self, tmp_path: Path) -> None:
        """A file that does not parse raises ConfigError naming the file."""
        broken = tmp_path / "Broken__c.field-meta.xml"
        broken.write_text("<CustomField><fullName>", encoding="utf-8")
        with pytest.raises(ConfigError, match="Broken__c"):
            parse_xml(broken, "CustomField")

    def test_wrong_namespace_is_a_config_error(self, tmp_path: Path) -> None:
        """A root element outside the metadata namespace raises ConfigError."""
        stray = tmp_path / "Stray__c.field-meta.xml"
        stray.write_text("<CustomField><fullName>Stray__c</fullName></CustomField>")
        with pytest.raises(ConfigError, match="expected <CustomField>"):
            parse_xml(stray, "CustomField")


class TestSfdxProject:
    """sfdx-project.json describes a deployable source-format project."""

    def test_points_at_force_app(self) -> None:
        """The default package directory is force-app and it exists."""
        project = json.loads(
            (PROJECT / "sfdx-project.json").read_text(encoding="utf-8")
        )
        default = [d["path"] for d in project["packageDirectories"] if d.get("default")]
        assert ["force-app"] == default
        assert (PROJECT / "force-app").is_dir()
        assert "59.0" == project["sourceApiVersion"]

    def test_project_root_and_source_dir_parse_alike(self) -> None:
        """Loading from the project root reads what loading the source dir reads."""
        assert SOURCE == source_dir(PROJECT)
        assert load_package_fields(SOURCE) == load_package_fields(PROJECT)


class TestSchemaMatchesMetadata:
    """The connector schema and the package declare the same custom fields."""

    @pytest.mark.parametrize(
        ("object_name", "spec"), DECLARED, ids=[f"{o}.{s.name}" for o, s in DECLARED]
    )
    def test_declared_field_matches_metadata(
        self, object_name: str, spec: FieldSpec
    ) -> None:
        """Each declared custom field exists with the same describe properties."""
        assert _shape(spec) == _shape(_parsed(object_name, spec.name))

    def test_no_orphan_fields(self) -> None:
        """Every custom field in the package is declared in the schema."""
        declared = {(package_object(o), s.name) for o, s in DECLARED}
        in_package = {
            (object_name, name)
            for object_name, fields in load_package_fields(PROJECT).items()
            for name in fields
        }
        assert in_package == declared

    def test_task_and_event_share_activity_fields(self) -> None:
        """Task and Event both declare the package's Activity custom fields."""
        task, event = (SCHEMA[name].custom_fields for name in ACTIVITY_OBJECTS)
        assert set(load_package_fields(PROJECT)["Activity"]) == {f.name for f in task}
        assert task == event

    @pytest.mark.parametrize("object_name", CUSTOM_OBJECTS)
    def test_custom_object_name_field(self, object_name: str) -> None:
        """The auto-number name field is a read-only string in both declarations."""
        name_field = load_package_objects(PROJECT)[object_name].name_field
        assert name_field is not None
        assert _shape(SCHEMA[object_name].fields["Name"]) == _shape(name_field)

    @pytest.mark.parametrize(
        ("object_name", "label", "display_format"),
        [
            ("PlanSync_Account_Plan__c", "Account Plan", "AP-{00000}"),
            ("PlanSync_Stakeholder__c", "Plan Stakeholder", "ST-{00000}"),
        ],
    )
    def test_custom_object_settings(
        self, object_name: str, label: str, display_format: str
    ) -> None:
        """Detail objects are ControlledByParent, with their label and number format."""
        parsed = load_package_objects(PROJECT)[object_name]
        assert parsed.name_field is not None
        assert (label, "ControlledByParent", display_format) == (
            parsed.label,
            parsed.sharing_model,
            parsed.name_field.display_format,
        )
        assert label == SCHEMA[object_name].label


class TestFieldRules:
    """Field definitions respect the Metadata API's per-type rules."""

    def test_checkboxes_have_default(self) -> None:
        """Every Checkbox declares a defaultValue."""
        missing = [
            f"{o}.{f.name}"
            for o, fields in load_package_fields(PROJECT).items()
            for f in fields.values()
            if f.metadata_type == "Checkbox" and f.default_value is None
        ]
        assert [] == missing

    def test_long_text_areas_have_length_and_lines(self) -> None:
        """Every LongTextArea is 32768 long and shows 4 to 6 lines."""
        shapes = {
            (f.length, f.visible_lines in range(4, 7))
            for fields in load_package_fields(PROJECT).values()
            for f in fields.values()
            if f.metadata_type == "LongTextArea"
        }
        assert {(32768, True)} == shapes

    def test_every_field_explains_itself(self) -> None:
        """Every custom field has a description and inline help text."""
        silent = [
            f"{o}.{f.name}"
            for o, fields in load_package_fields(PROJECT).items()
            for f in fields.values()
            if not (f.description and f.inline_help_text)
        ]
        assert [] == silent

    def test_activity_key_is_external_but_not_unique(self) -> None:
        """The Activity key is an external ID but not unique (salesforce.md §8.3)."""
        key = load_package_fields(PROJECT)["Activity"][KEY_FIELD]
        assert (True, False) == (key.external_id, key.unique)

    def test_restricted_picklists_list_expected_values(self) -> None:
        """Restricted picklists in the package offer exactly the schema's values."""
        expected = {
            (package_object(o), s.name): s.picklist_values
            for o, s in DECLARED
            if s.type is FieldType.PICKLIST and s.restricted
        }
        actual = {
            (o, f.name): tuple(v.value for v in f.picklist_values)
            for o, fields in load_package_fields(PROJECT).items()
            for f in fields.values()
            if f.restricted
        }
        assert expected == actual

    def test_status_labels(self) -> None:
        """The compliance status picklist shows human labels for its API values."""
        values = _parsed("Account", "PlanSync_Status__c").picklist_values
        assert ["On track", "At risk", "Off track", "No plan"] == [
            v.label for v in values
        ]


class TestPermissionSets:
    """Both permission sets reference real fields and grant what plansync needs."""

    def test_both_sets_exist(self) -> None:
        """The package ships the integration and viewer permission sets."""
        assert set(PERMISSION_SETS) == set(load_permission_sets(PROJECT))

    @pytest.mark.parametrize("name", PERMISSION_SETS)
    def test_field_permissions_cover_every_custom_field(self, name: str) -> None:
        """FLS lists every custom field but the master-detail and required ones."""
        expected = set().union(
            *(_fls_field_names(o) for o in load_package_fields(PROJECT))
        )
        assert expected == set(load_permission_sets(PROJECT)[name].fields)

    @pytest.mark.parametrize(
        ("name", "access"),
        [("PlanSync_Integration", (True, True)), ("PlanSync_Viewer", (True, False))],
    )
    def test_field_access(self, name: str, access: tuple[bool, bool]) -> None:
        """The integration reads and edits every field; the viewer only reads."""
        assert {access} == set(load_permission_sets(PROJECT)[name].fields.values())

    @pytest.mark.parametrize(
        ("name", "crud"),
        [
            ("PlanSync_Integration", (True, True, True, True)),
            ("PlanSync_Viewer", (False, True, False, False)),
        ],
    )
    def test_custom_object_access(
        self, name: str, crud: tuple[bool, bool, bool, bool]
    ) -> None:
        """The integration has full CRUD on both objects; the viewer reads them."""
        objects = load_permission_sets(PROJECT)[name].objects
        actual = {
            o: (a.allow_create, a.allow_read, a.allow_edit, a.allow_delete)
            for o, a in objects.items()
            if o in CUSTOM_OBJECTS
        }
        assert dict.fromkeys(CUSTOM_OBJECTS, crud) == actual

    def test_integration_standard_access(self) -> None:
        """The integration reads and edits accounts, contacts and activities."""
        permission_set = load_permission_sets(PROJECT)["PlanSync_Integration"]
        actual = {
            o: (a.allow_create, a.allow_read, a.allow_edit, a.allow_delete)
            for o, a in permission_set.objects.items()
            if o not in CUSTOM_OBJECTS
        }
        expected = dict.fromkeys(("Account", "Contact"), (False, True, True, False))
        assert expected == actual
        # Task and Event take no object permissions; Edit Tasks/Events grant them.
        assert {"EditTask", "EditEvent"} == permission_set.user_permissions

    @pytest.mark.parametrize("name", PERMISSION_SETS)
    def test_no_view_all_or_modify_all(self, name: str) -> None:
        """Neither set grants View All or Modify All on any object."""
        objects = load_permission_sets(PROJECT)[name].objects.values()
        assert set() == {
            a.object for a in objects if a.view_all_records or a.modify_all_records
        }


class TestSchema:
    """The connector schema has standard fields with the API's create/update rules."""

    def test_objects(self) -> None:
        """The schema covers exactly the objects the connector touches."""
        expected = {"Account", "Contact", "Task", "Event", "User", *CUSTOM_OBJECTS}
        assert expected == set(SCHEMA)
        assert all(name == schema.name for name, schema in SCHEMA.items())

    @pytest.mark.parametrize(
        "qualified",
        [
            "Account.Id",
            "Account.SystemModstamp",
            "Account.LastModifiedDate",
            "Account.IsDeleted",
            "Account.MasterRecordId",
            "Contact.Name",
            "Contact.MasterRecordId",
            "Task.IsClosed",
            "Task.AccountId",
            "Task.CompletedDateTime",
            "Event.AccountId",
            "User.Id",
        ],
    )
    def test_read_only_fields(self, qualified: str) -> None:
        """System and derived fields are neither createable nor updateable."""
        object_name, field_name = qualified.split(".")
        spec = SCHEMA[object_name].fields[field_name]
        assert (False, False, False) == (
            spec.createable,
            spec.updateable,
            spec.is_written,
        )

    def test_task_subtype_is_create_only(self) -> None:
        """TaskSubtype can be set on create but not changed afterwards."""
        spec = SCHEMA["Task"].fields["TaskSubtype"]
        assert (True, False) == (spec.createable, spec.updateable)

    @pytest.mark.parametrize("object_name", ["Task", *CUSTOM_OBJECTS])
    def test_upsert_key_is_external_id(self, object_name: str) -> None:
        """Objects plansync upserts name an external-ID key field."""
        schema = SCHEMA[object_name]
        assert schema.upsert_key is not None
        assert schema.fields[schema.upsert_key].external_id

    def test_written_fields_are_writable(self) -> None:
        """Every field plansync writes is createable."""
        blocked = [
            f"{o}.{s.name}"
            for o, schema in SCHEMA.items()
            for s in schema.fields.values()
            if s.is_written and not s.createable
        ]
        assert [] == blocked
