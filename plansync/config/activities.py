"""Read a segment's activities: kind, cadence, templates, owner, done_by."""

from __future__ import annotations

import re
from functools import partial

from plansync.config.reader import Reader, closest, describe, suggestion
from plansync.config.yaml_source import YamlPath
from plansync.planning.models import ActivityKind
from plansync.planning.plan import TEMPLATE_FIELDS
from plansync.planning.playbooks import (
    ActivityRule,
    Cadence,
    DoneBy,
    Every,
    EveryDays,
    Interval,
    PerYear,
)

PLACEHOLDERS = TEMPLATE_FIELDS  # the fields planning knows how to fill
ROLE = re.compile(r"[a-z0-9_]{1,40}")
ROLE_RULE = "a role of 1 to 40 lowercase letters, digits or underscores"
KINDS = tuple(kind.value for kind in ActivityKind)

ACTIVITY_ID = re.compile(r"[a-z0-9_]{1,24}")
_ID_RULE = "an id of 1 to 24 lowercase letters, digits or underscores"
_KEYS = (
    "id",
    "kind",
    "per_year",
    "every",
    "every_days",
    "subject",
    "description",
    "owner",
    "stakeholders",
    "effort_hours",
    "done_by",
)
_CADENCES = ("per_year", "every", "every_days")
_INTERVALS = tuple(interval.value for interval in Interval)
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_SUBJECT_MAX_CHARS = 255
_EFFORT_MAX_HOURS = 100


def parse_activity(
    reader: Reader, value: object, path: YamlPath, *, key_roles: tuple[str, ...]
) -> ActivityRule | None:
    """Read one activity; None (with issues recorded) if anything in it is invalid.

    ``key_roles`` are the roles stakeholders may name; empty means any role.
    """
    before = len(reader.issues)
    entry = reader.mapping(value, path, keys=_KEYS, required=("id", "kind", "subject"))
    if entry is None:
        return None
    check_id = partial(reader.slug, pattern=ACTIVITY_ID, rule=_ID_RULE)
    rule_id = reader.optional(entry, path, "id", check_id)
    kind = reader.optional(entry, path, "kind", partial(reader.choice, options=KINDS))
    cadence = _cadence(reader, entry, path)
    subject = reader.optional(entry, path, "subject", partial(_subject, reader))
    description = reader.optional(
        entry, path, "description", partial(_template, reader)
    )
    owner = reader.optional(entry, path, "owner", partial(_owner, reader))
    check_roles = partial(_stakeholders, reader, key_roles=key_roles)
    roles = reader.optional(entry, path, "stakeholders", check_roles)
    check_effort = partial(reader.number, high=_EFFORT_MAX_HOURS)
    effort = reader.optional(entry, path, "effort_hours", check_effort)
    done_by = reader.optional(entry, path, "done_by", partial(_done_by, reader))
    if len(reader.issues) > before or not (rule_id and kind and cadence and subject):
        return None
    return ActivityRule(
        id=rule_id,
        kind=ActivityKind(kind),
        cadence=cadence,
        subject=subject,
        description=description or "",
        owner_role=owner,
        stakeholder_roles=roles or (),
        effort_hours=effort or 1.0,
        done_by=done_by or DoneBy(),
    )


def check_template(reader: Reader, text: str, path: YamlPath) -> None:
    """Report each placeholder outside the allowed set, and each stray brace."""
    for match in _TOKEN.finditer(text):
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            continue
        if name is None:
            reader.report(
                path, f"unmatched '{token}'; write '{token * 2}' for a literal brace"
            )
        elif name not in PLACEHOLDERS:
            near = closest(name, PLACEHOLDERS)
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            hint = f"did you mean '{{{near}}}'?" if near else f"use one of {known}"
            reader.report(path, f"unknown placeholder '{token}'; {hint}")


def _cadence(
    reader: Reader, entry: dict[str, object], path: YamlPath
) -> Cadence | None:
    given = [key for key in _CADENCES if key in entry]
    if not given:
        message = "missing a cadence; expected one of per_year, every or every_days"
        reader.report(path, message)
        return None
    if len(given) > 1:
        later = reader.latest_key(path, given)
        message = f"expected one cadence, got {' and '.join(given)}"
        reader.report((*path, later), message, at_key=True)
        return None
    key = given[0]
    value, where = entry[key], (*path, key)
    if key == "every":
        interval = reader.choice(value, where, _INTERVALS)
        return Every(Interval(interval)) if interval else None
    count = reader.integer(value, where, low=1, high=366)
    if count is None:
        return None
    return PerYear(count) if key == "per_year" else EveryDays(count)


def _subject(reader: Reader, value: object, path: YamlPath) -> str | None:
    subject = reader.text(value, path, max_length=_SUBJECT_MAX_CHARS)
    if subject is not None:
        check_template(reader, subject, path)
    return subject


def _template(reader: Reader, value: object, path: YamlPath) -> str | None:
    if not isinstance(value, str):
        reader.report(path, f"expected a string, got {describe(value)}")
        return None
    check_template(reader, value, path)
    return value


def _owner(reader: Reader, value: object, path: YamlPath) -> str | None:
    if value == "account_owner":
        return None
    if isinstance(value, dict):
        owner = reader.mapping(value, path, keys=("role",), required=("role",)) or {}
        if "role" in owner:
            return reader.slug(
                owner["role"], (*path, "role"), pattern=ROLE, rule=ROLE_RULE
            )
        return None
    reader.report(
        path, f"expected account_owner or {{role: <role>}}, got {describe(value)}"
    )
    return None


def _stakeholders(
    reader: Reader, value: object, path: YamlPath, *, key_roles: tuple[str, ...]
) -> tuple[str, ...]:
    items = reader.sequence(value, path, non_empty=False) or []
    roles: list[str] = []
    for index, item in enumerate(items):
        role = reader.slug(item, (*path, index), pattern=ROLE, rule=ROLE_RULE)
        if role is None:
            continue
        if key_roles and role not in key_roles:
            hint = (
                suggestion(role, key_roles)
                or f"; expected one of {', '.join(key_roles)}"
            )
            reader.report(
                (*path, index), f"role '{role}' is not in plan.key_roles{hint}"
            )
            continue
        roles.append(role)
    return tuple(roles)


def _done_by(reader: Reader, value: object, path: YamlPath) -> DoneBy:
    done_by = reader.mapping(value, path, keys=("task", "activities")) or {}
    task = True
    if "task" in done_by:
        task = reader.boolean(done_by["task"], (*path, "task")) is not False
    if "activities" not in done_by:
        if not task:
            message = "nothing would count as done; set task: true or list activities"
            reader.report(path, message)
        return DoneBy(task=task)
    kinds, contains = _done_by_activities(reader, done_by["activities"], path)
    return DoneBy(task=task, kinds=kinds, subject_contains=contains)


def _done_by_activities(
    reader: Reader, value: object, path: YamlPath
) -> tuple[tuple[ActivityKind, ...], str | None]:
    where = (*path, "activities")
    keys = ("kinds", "subject_contains")
    rule = reader.mapping(value, where, keys=keys, required=("kinds",)) or {}
    items = reader.sequence(rule["kinds"], (*where, "kinds")) if "kinds" in rule else []
    kinds = [
        reader.choice(k, (*where, "kinds", i), KINDS) for i, k in enumerate(items or [])
    ]
    contains = None
    if "subject_contains" in rule:
        contains = reader.text(rule["subject_contains"], (*where, "subject_contains"))
    return tuple(ActivityKind(k) for k in kinds if k is not None), contains
