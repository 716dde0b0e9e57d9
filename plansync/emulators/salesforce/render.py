"""Render stored records as the REST API shows them (``attributes``, then fields)."""

from __future__ import annotations

from typing import Any

from plansync.emulators.salesforce import values
from plansync.emulators.salesforce.schema import ObjectDef
from plansync.emulators.salesforce.store import Record


def record_json(
    obj: ObjectDef, row: Record, version: str, fields: list[str] | None = None
) -> dict[str, Any]:
    """Render ``row`` with all fields in describe order, or only ``fields``."""
    out: dict[str, Any] = {
        "attributes": {
            "type": obj.name,
            "url": f"/services/data/{version}/sobjects/{obj.name}/{row['Id']}",
        }
    }
    wanted = fields or [f.name for f in obj.fields.values()]
    for name in wanted:
        fdef = obj.fields[name.lower()]
        out[fdef.name] = values.to_json(fdef, row.get(fdef.name))
    return out
