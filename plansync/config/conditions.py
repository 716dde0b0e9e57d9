"""Read a segment's ``when:`` condition into planning's condition values."""

from __future__ import annotations

from plansync.config.reader import Reader, describe, is_number, is_scalar, suggestion
from plansync.config.yaml_source import YamlPath
from plansync.planning.models import FieldValue
from plansync.planning.playbooks import (
    LIST_OPERATORS,
    NUMERIC_OPERATORS,
    STRING_OPERATORS,
    VALUELESS_OPERATORS,
    AllOf,
    Always,
    AnyOf,
    Condition,
    FieldRule,
    Not,
    Operator,
    Rank,
)

FORMS = (
    "{field, op, value}, {all: [...]}, {any: [...]}, {not: ...}, "
    "{rank: {field, top_percent | top_n}} or {always: true}"
)
_RULE_KEYS = ("field", "op", "value")
_FORM_KEYS = ("all", "any", "not", "rank", "always")
_RANK_KEYS = ("field", "top_percent", "top_n")
_OPERATORS = tuple(op.value for op in Operator)

Operand = FieldValue | tuple[FieldValue, ...]


def parse_condition(reader: Reader, value: object, path: YamlPath) -> Condition | None:
    """Read one condition, recursively; None (with issues recorded) if invalid."""
    if not isinstance(value, dict) or not value:
        reader.report(path, f"expected a condition ({FORMS}), got {describe(value)}")
        return None
    if any(key in value for key in _RULE_KEYS):
        return _field_rule(reader, value, path)
    forms = [key for key in value if key in _FORM_KEYS]
    for key in value:
        if key not in _FORM_KEYS:
            hint = (
                suggestion(key, _RULE_KEYS + _FORM_KEYS) or f"; a condition is {FORMS}"
            )
            reader.report(
                (*path, key), f"unknown condition key '{key}'{hint}", at_key=True
            )
    if len(forms) > 1:
        later = reader.latest_key(path, forms)
        message = f"a condition has exactly one form, got {' and '.join(forms)}"
        reader.report((*path, later), message, at_key=True)
        return None
    if not forms:
        return None
    return _form(reader, forms[0], value[forms[0]], (*path, forms[0]))


def _form(reader: Reader, form: str, value: object, path: YamlPath) -> Condition | None:
    if form == "not":
        inner = parse_condition(reader, value, path)
        return None if inner is None else Not(inner)
    if form == "rank":
        return _rank(reader, value, path)
    if form == "always":
        if value is not True:
            reader.report(path, f"expected true, got {describe(value)}")
        return Always() if value is True else None
    return _combined(reader, form, value, path)


def _combined(
    reader: Reader, form: str, value: object, path: YamlPath
) -> AllOf | AnyOf | None:
    items = reader.sequence(value, path) or []
    parsed = [parse_condition(reader, item, (*path, i)) for i, item in enumerate(items)]
    conditions = tuple(c for c in parsed if c is not None)
    if not items or len(conditions) < len(parsed):
        return None
    return AllOf(conditions) if form == "all" else AnyOf(conditions)


def _field_rule(
    reader: Reader, value: dict[str, object], path: YamlPath
) -> FieldRule | None:
    before = len(reader.issues)
    rule = reader.mapping(value, path, keys=_RULE_KEYS, required=("field", "op")) or {}
    name = reader.text(rule["field"], (*path, "field")) if "field" in rule else None
    op_name = (
        reader.choice(rule["op"], (*path, "op"), _OPERATORS) if "op" in rule else None
    )
    if op_name is None:
        return None
    op = Operator(op_name)
    operand = _operand(reader, op, rule, path)
    if name is None or len(reader.issues) > before:
        return None
    return FieldRule(name, op, operand)


def _operand(
    reader: Reader, op: Operator, rule: dict[str, object], path: YamlPath
) -> Operand:
    where = (*path, "value")
    if op in VALUELESS_OPERATORS:
        if "value" in rule:
            reader.report(
                where, f"op '{op}' takes no value; remove 'value'", at_key=True
            )
        return None
    if "value" not in rule:
        reader.missing(path, "value", f"missing key 'value', which op '{op}' needs")
        return None
    value = rule["value"]
    if op in NUMERIC_OPERATORS and not is_number(value):
        reader.report(where, f"op '{op}' needs a number, got {describe(value)}")
    elif op in STRING_OPERATORS and not isinstance(value, str):
        reader.report(where, f"op '{op}' needs a string, got {describe(value)}")
    elif op in LIST_OPERATORS:
        return _values(reader, op, value, where)
    elif not is_scalar(value):
        reader.report(where, f"op '{op}' needs a single value, got {describe(value)}")
    return value  # type: ignore[return-value]  # checked to be a scalar above


def _values(
    reader: Reader, op: Operator, value: object, path: YamlPath
) -> tuple[FieldValue, ...]:
    if not isinstance(value, list) or not value:
        message = f"op '{op}' needs a non-empty list of values, got {describe(value)}"
        reader.report(path, message)
        return ()
    for index, item in enumerate(value):
        if not is_scalar(item) or item is None:
            reader.report(
                (*path, index), f"expected a single value, got {describe(item)}"
            )
    return tuple(value)


def _rank(reader: Reader, value: object, path: YamlPath) -> Rank | None:
    before = len(reader.issues)
    rank = reader.mapping(value, path, keys=_RANK_KEYS, required=("field",))
    if rank is None:
        return None
    name = reader.text(rank["field"], (*path, "field")) if "field" in rank else None
    given = [key for key in ("top_percent", "top_n") if key in rank]
    if len(given) > 1:
        later = reader.latest_key(path, given)
        reader.report(
            (*path, later),
            "expected one of top_percent or top_n, got both",
            at_key=True,
        )
    elif not given:
        reader.report(path, "expected one of top_percent or top_n, got neither")
    top_percent = top_n = None
    if "top_percent" in rank:
        top_percent = reader.number(
            rank["top_percent"], (*path, "top_percent"), high=100
        )
    if "top_n" in rank:
        top_n = reader.integer(rank["top_n"], (*path, "top_n"), low=1)
    if name is None or len(reader.issues) > before:
        return None
    return Rank(name, top_percent=top_percent, top_n=top_n)
