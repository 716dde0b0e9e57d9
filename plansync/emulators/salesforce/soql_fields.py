"""Resolve SOQL field paths (``Name``, ``Owner.Email``, ``What.Name``) and render rows.

Parent fields nest as objects with their own ``attributes``; a null parent is null.
A polymorphic parent (``What``, ``Who``, Task's ``Owner``) is the ``Name``
pseudo-object, so its ``attributes.type`` is ``Name`` (seen from real orgs:
https://github.com/tprouvot/Salesforce-Inspector-reloaded/issues/95) while its
``url`` names the real record. Keys use the fields' API-name casing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plansync.emulators.salesforce import values
from plansync.emulators.salesforce.fields import FieldDef
from plansync.emulators.salesforce.schema import NAME_OBJECT_FIELDS, ObjectDef, Schema
from plansync.emulators.salesforce.soql_ast import FieldPath
from plansync.emulators.salesforce.soql_lexer import error_at
from plansync.emulators.salesforce.store import Record, Store

_NAME_TYPES = {"Email": "email", "IsActive": "boolean", "Id": "id", "Phone": "phone"}
_NO_COLUMN = (
    "No such column '{field}' on entity '{entity}'. If you are attempting to use a "
    "custom field, be sure to append the '__c' after the custom field name. Please "
    "reference your "
    "WSDL or the describe call for the appropriate names."
)
_NO_RELATIONSHIP = (
    "Didn't understand relationship '{rel}' in field path. If you are attempting to "
    "use a custom relationship, be sure to append the '__r' after the custom "
    "relationship name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


@dataclass(frozen=True, slots=True)
class Column:
    """A resolved field path: canonical names, the leaf field and a value getter."""

    names: tuple[str, ...]
    leaf: FieldDef
    refs: tuple[FieldDef, ...]
    get: Callable[[Record], Any]

    @property
    def label(self) -> str:
        """Return the canonical dotted path (``Owner.Email``)."""
        return ".".join(self.names)


@dataclass(slots=True)
class Node:
    """A level of the output tree: the record itself or one parent relationship."""

    ref: FieldDef | None = None
    items: dict[str, Column | Node] = field(default_factory=dict)


class Resolver:
    """Resolve paths against the schema and read values through the store."""

    def __init__(self, schema: Schema, store: Store, soql: str) -> None:
        """Resolve against ``schema``; ``soql`` is quoted in error messages."""
        self.schema = schema
        self.store = store
        self.soql = soql

    def column(self, obj: ObjectDef, path: FieldPath) -> Column:
        """Resolve ``path`` starting at ``obj``.

        Raises:
            ApiError: 400 INVALID_FIELD with Salesforce's positional message.
        """
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() == obj.name.lower():
            parts = parts[1:]
        names: list[str] = []
        refs: list[FieldDef] = []
        current: ObjectDef | None = obj
        for part in parts[:-1]:
            ref = current.relationship(part) if current is not None else None
            if ref is None or ref.relationship_name is None:
                raise error_at(
                    self.soql,
                    path.pos,
                    _NO_RELATIONSHIP.format(rel=part),
                    "INVALID_FIELD",
                )
            names.append(ref.relationship_name)
            refs.append(ref)
            current = (
                None if ref.is_polymorphic else self.schema.get(ref.reference_to[0])
            )
        leaf = self._leaf(current, parts[-1])
        if leaf is None:
            entity = current.name if current is not None else "Name"
            raise error_at(
                self.soql,
                path.pos,
                _NO_COLUMN.format(field=path.text, entity=entity),
                "INVALID_FIELD",
            )
        names.append(leaf.name)
        return Column(tuple(names), leaf, tuple(refs), self._getter(refs, leaf.name))

    def _leaf(self, current: ObjectDef | None, name: str) -> FieldDef | None:
        if current is not None:
            return current.field(name)
        canonical = next(
            (n for n in NAME_OBJECT_FIELDS if n.lower() == name.lower()), None
        )
        if canonical is None:
            return None
        return FieldDef(canonical, _NAME_TYPES.get(canonical, "string"))

    def _getter(self, refs: list[FieldDef], leaf: str) -> Callable[[Record], Any]:
        read = self._reader(leaf)
        if not refs:
            return read
        get = self.store.get
        steps = [ref.name for ref in refs]

        def follow(row: Record) -> object:
            current: Record | None = row
            for step in steps:
                target = current.get(step) if current is not None else None
                current = get(target) if target else None
            return None if current is None else read(current)

        return follow

    def _reader(self, leaf: str) -> Callable[[Record], Any]:
        if leaf == "Type":
            for_id = self.schema.for_id

            def type_of(row: Record) -> object:
                obj = for_id(row["Id"])
                return row.get("Type") if obj is None else obj.name

            return type_of
        return lambda row: row.get(leaf)

    def tree(self, columns: list[Column]) -> Node:
        """Arrange selected columns into the nested output shape."""
        root = Node()
        for column in columns:
            node = root
            for name, ref in zip(column.names[:-1], column.refs, strict=True):
                child = node.items.get(name)
                if not isinstance(child, Node):
                    child = node.items.setdefault(name, Node(ref))
                    assert isinstance(child, Node)  # noqa: S101 -- a column name never equals a relationship name
                node = child
            leaf_column = Column(
                column.names, column.leaf, (), self._reader(column.leaf.name)
            )
            node.items.setdefault(column.names[-1], leaf_column)
        return root

    def render(
        self, node: Node, row: Record, type_name: str, version: str
    ) -> dict[str, Any]:
        """Render one record (or parent) as query results show it."""
        obj = self.schema.for_id(row["Id"])
        actual = obj.name if obj is not None else type_name
        out: dict[str, Any] = {
            "attributes": {
                "type": type_name,
                "url": f"/services/data/{version}/sobjects/{actual}/{row['Id']}",
            }
        }
        for key, item in node.items.items():
            if isinstance(item, Column):
                out[key] = values.to_json(item.leaf, item.get(row))
                continue
            assert item.ref is not None  # noqa: S101 -- every nested node has its reference
            parent_id = row.get(item.ref.name)
            parent = self.store.get(parent_id) if parent_id else None
            if parent is None:
                out[key] = None
                continue
            parent_obj = self.schema.for_id(parent_id) if parent_id else None
            parent_type = (
                "Name"
                if item.ref.is_polymorphic or parent_obj is None
                else parent_obj.name
            )
            out[key] = self.render(item, parent, parent_type, version)
        return out
