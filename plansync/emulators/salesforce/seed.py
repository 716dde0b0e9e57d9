"""Load records into the emulated org: the API user, the seeded sample, a JSON file.

``plansync.sample.generate_sample`` becomes Users, Accounts (segment, revenue, NPS,
wallet, industry), Contacts (power-map role) and completed Tasks/Events as history.
Loading bypasses request validation (it is the org's existing data) but still fills
derived fields and indexes. A data file is ``{"Account": [{...}], ...}`` or a list of
records with ``attributes.type``; values are in REST JSON form.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from plansync.emulators.salesforce import derived, ids, values
from plansync.emulators.salesforce.app import App
from plansync.emulators.salesforce.sample_records import (
    account_fields,
    activity_record,
    contact_fields,
    user_fields,
)
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.store import Record
from plansync.sample import Sample, generate_sample


def seed_org(
    app: App, *, accounts: int, seed: int, as_of: date, data: Path | None
) -> None:
    """Replace the org's data: the API user, ``accounts`` sample accounts, ``data``."""
    app.store.clear()
    stamp = app.store.clock.now()
    creds = app.credentials
    user = load(
        app,
        "User",
        {
            "Username": creds.username,
            "FirstName": "Integration",
            "LastName": "User",
            "Email": creds.username,
            "Alias": "integ",
            "IsActive": True,
        },
        stamp,
    )
    app.store.user_id = user["Id"]
    for key in ("CreatedById", "LastModifiedById"):
        user[key] = user["Id"]
    if accounts:
        load_sample(app, generate_sample(accounts=accounts, seed=seed, as_of=as_of))
    if data is not None:
        load_file(app, data)


def load_sample(app: App, sample: Sample) -> None:
    """Load a generated sample, keeping its ids' relations."""
    default_owner = app.store.user_id
    owners = {o.id: load(app, "User", user_fields(o))["Id"] for o in sample.owners}
    accounts: dict[str, Record] = {}
    for account in sample.accounts:
        owner_id = owners.get(account.owner_id or "", default_owner)
        fields = account_fields(account, owner_id)
        accounts[account.id] = load(app, "Account", fields, account.modified_at)
    for contact in sample.contacts:
        parent = accounts[contact.account_id]
        fields = contact_fields(contact, parent["Id"], parent["OwnerId"])
        load(app, "Contact", fields, contact.modified_at)
    for activity in sample.activities:
        owner_id = owners.get(activity.owner_id or "", default_owner)
        what_id = accounts[activity.account_id]["Id"]
        sobject, fields = activity_record(activity, what_id, owner_id)
        load(app, sobject, fields, activity.modified_at)


def load_file(app: App, path: Path) -> None:
    """Load records from a JSON data file (see the module docstring).

    Raises:
        ValueError: an unknown object or field.
        TypeError: the file holds neither an object nor a list.
    """
    content = json.loads(path.read_text(encoding="utf-8"))
    batches: list[tuple[str, dict[str, Any]]] = []
    if isinstance(content, dict):
        batches = [(name, rec) for name, recs in content.items() for rec in recs]
    elif isinstance(content, list):
        batches = [
            (str(rec.get("attributes", {}).get("type", "")), rec) for rec in content
        ]
    else:
        raise TypeError(f"{path}: expected an object or a list of records")
    for name, record in batches:
        obj = _object(app, name)
        converted: dict[str, Any] = {}
        for key, raw in record.items():
            if key == "attributes":
                continue
            fdef = obj.field(key)
            if fdef is None:
                raise ValueError(f"{path}: no field {key} on {obj.name}")
            converted[fdef.name] = values.from_json(fdef, raw)
        load(app, obj.name, converted, converted.pop("CreatedDate", None))


def load(
    app: App, sobject: str, fields: dict[str, Any], stamp: datetime | None = None
) -> Record:
    """Insert one trusted record (defaults, derived fields, indexes; no validation)."""
    obj = _object(app, sobject)
    store = app.store
    table = store.table(obj)
    when = stamp or store.clock.now()
    row: Record = {
        f.name: f.default for f in obj.fields.values() if f.default is not None
    }
    if obj.field("OwnerId") is not None:
        row["OwnerId"] = store.user_id
    row.update({key: value for key, value in fields.items() if value is not None})
    given_id = row.pop("Id", None)
    completed = row.get("CompletedDateTime")
    derived.derive(store, obj, row, None, when)
    if completed is not None:
        row["CompletedDateTime"] = completed
    record_id = ids.normalize(str(given_id)) if given_id else None
    if record_id is None:
        record_id = store.new_id(table)
    row.update(
        {
            "Id": record_id,
            "IsDeleted": bool(row.get("IsDeleted", False)),
            "CreatedDate": when,
            "CreatedById": store.user_id or record_id,
            "LastModifiedDate": row.get("LastModifiedDate", when),
            "LastModifiedById": store.user_id or record_id,
            "SystemModstamp": row.get("SystemModstamp", when),
        }
    )
    if row["IsDeleted"]:
        row["_deleted_at"] = row["SystemModstamp"]
    store.insert(table, row)
    return row


def _object(app: App, name: str) -> ObjectDef:
    obj = app.schema.get(name)
    if obj is None:
        raise ValueError(f"unknown sObject {name!r}")
    return obj
