"""Answer discovery resources: versions, resources, describe (global, sObject, basic).

Shapes follow the REST API guide (docs/salesforce.md §4.3): the describe field entry
carries the full key set of the documentation's example.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from plansync.emulators.salesforce.errors import not_found
from plansync.emulators.salesforce.fields import FieldDef
from plansync.emulators.salesforce.http import Request, Response, json_response
from plansync.emulators.salesforce.schema import ObjectDef

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

OLDEST_VERSION = 31
NEWEST_VERSION = 62
_SEASONS = ("Winter", "Spring", "Summer")


def version_label(major: int) -> str:
    """Name the release of API version ``major`` (59 → ``Winter '24``)."""
    index = major - 20
    return f"{_SEASONS[index % 3]} '{11 + index // 3}"


def versions(app: App, req: Request, args: dict[str, str]) -> Response:
    """List the API versions (``GET /services/data/``)."""
    del app, req, args
    return json_response(
        200,
        [
            {
                "label": version_label(major),
                "url": f"/services/data/v{major}.0",
                "version": f"{major}.0",
            }
            for major in range(OLDEST_VERSION, NEWEST_VERSION + 1)
        ],
    )


def resources(app: App, req: Request, args: dict[str, str]) -> Response:
    """List the resources of one version (``GET /services/data/v59.0/``)."""
    del req
    base = f"/services/data/{args['version']}"
    names = (
        "sobjects",
        "query",
        "queryAll",
        "limits",
        "composite",
        "jobs",
        "search",
        "recent",
        "tooling",
        "connect",
        "analytics",
    )
    payload: dict[str, str] = {name: f"{base}/{name}" for name in names}
    payload["identity"] = app.identity_url()
    return json_response(200, payload)


def global_describe(app: App, req: Request, args: dict[str, str]) -> Response:
    """Describe every object (``GET /sobjects``)."""
    del req
    return json_response(
        200,
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [
                object_summary(obj, args["version"])
                for obj in app.schema.objects.values()
            ],
        },
    )


def basic_info(app: App, req: Request, args: dict[str, str]) -> Response:
    """Answer ``GET /sobjects/{type}/`` with the object summary and recent items."""
    del req
    obj = find_object(app, args["type"])
    return json_response(
        200, {"objectDescribe": object_summary(obj, args["version"]), "recentItems": []}
    )


def describe(app: App, req: Request, args: dict[str, str]) -> Response:
    """Answer ``GET /sobjects/{type}/describe`` with the full describe."""
    del req
    obj = find_object(app, args["type"])
    body = object_summary(obj, args["version"])
    body.update(
        {
            "actionOverrides": [],
            "childRelationships": [_child(name, f) for name, f in obj.children],
            "compactLayoutable": True,
            "fields": [describe_field(f) for f in obj.fields.values()],
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [],
            "searchLayoutable": True,
            "supportedScopes": [{"label": "All records", "name": "everything"}],
        }
    )
    return json_response(200, body)


def find_object(app: App, raw_name: str) -> ObjectDef:
    """Return the object named in a URL segment.

    Raises:
        ApiError: 404 NOT_FOUND for an unknown object.
    """
    obj = app.schema.get(unquote(raw_name))
    if obj is None:
        raise not_found()
    return obj


def object_summary(obj: ObjectDef, version: str) -> dict[str, Any]:
    """Return the global-describe entry of ``obj``."""
    base = f"/services/data/{version}/sobjects/{obj.name}"
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": True,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.name != "User",
        "deprecatedAndHidden": False,
        "feedEnabled": not obj.is_activity,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": obj.name in ("Account", "Contact"),
        "mruEnabled": True,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": True,
        "updateable": True,
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


def describe_field(f: FieldDef) -> dict[str, Any]:
    """Return the describe entry of one field (key set of the REST guide's example)."""
    text_like = f.type not in (
        "boolean",
        "date",
        "datetime",
        "double",
        "currency",
        "percent",
        "int",
    )
    return {
        "aggregatable": f.type != "textarea",
        "autoNumber": f.auto_number,
        "byteLength": f.length * 3 if text_like else 0,
        "calculated": f.calculated,
        "calculatedFormula": None,
        "cascadeDelete": f.master_detail,
        "caseSensitive": f.case_sensitive,
        "controllerName": None,
        "createable": f.createable,
        "custom": f.custom,
        "defaultValue": f.default if f.type == "boolean" else None,
        "defaultValueFormula": None,
        "defaultedOnCreate": f.defaulted_on_create
        or f.name == "OwnerId"
        or not f.createable,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": f.precision if f.type == "int" else 0,
        "displayLocationInDecimal": False,
        "externalId": f.external_id,
        "extraTypeInfo": "plaintextarea" if f.type == "textarea" else None,
        "filterable": f.type != "textarea",
        "groupable": f.type
        not in ("textarea", "double", "currency", "percent", "datetime"),
        "htmlFormatted": False,
        "idLookup": f.external_id
        or f.name in ("Id", "Username")
        or (f.name_field and f.type == "string"),
        "inlineHelpText": None,
        "label": f.label,
        "length": f.length if text_like else 0,
        "mask": None,
        "maskType": None,
        "name": f.name,
        "nameField": f.name_field,
        "namePointing": f.is_polymorphic,
        "nillable": f.nillable,
        "permissionable": f.custom and f.nillable,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": value == f.default,
                "label": value,
                "validFor": None,
                "value": value,
            }
            for value in f.picklist
        ],
        "polymorphicForeignKey": f.is_polymorphic,
        "precision": f.precision if f.type in ("double", "currency", "percent") else 0,
        "queryByDistance": False,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "relationshipOrder": 0 if f.master_detail else None,
        "restrictedDelete": False,
        "restrictedPicklist": f.restricted,
        "scale": f.scale if f.type in ("double", "currency", "percent") else 0,
        "soapType": f.soap_type,
        "sortable": f.type != "textarea",
        "type": f.type,
        "unique": f.unique,
        "updateable": f.updateable,
        "writeRequiresMasterRead": False,
    }


def _child(child: str, f: FieldDef) -> dict[str, Any]:
    base = child.removesuffix("__c")
    plural = base[:-1] + "ies" if base.endswith("y") else base + "s"
    relationship = plural + "__r" if f.custom else plural
    return {
        "cascadeDelete": f.master_detail,
        "childSObject": child,
        "deprecatedAndHidden": False,
        "field": f.name,
        "junctionIdListNames": [],
        "junctionReferenceTo": [],
        "relationshipName": relationship,
        "restrictedDelete": False,
    }
