"""Load a playbook file (the YAML language in ``docs/playbooks.md``) into a PlaybookSet.

Reading never stops at the first mistake: every issue is collected, sorted by
position and raised together in one :class:`PlaybookError`.
"""

from __future__ import annotations

import re
from pathlib import Path

from plansync.config.activities import ACTIVITY_ID, parse_activity
from plansync.config.blocks import PlaybookOptions, parse_options
from plansync.config.conditions import parse_condition
from plansync.config.reader import Reader, describe
from plansync.config.yaml_source import YamlPath, parse_yaml, read_text
from plansync.errors import PlaybookError
from plansync.planning.playbooks import ActivityRule, PlaybookSet, Segment

_TOP_KEYS = (
    "version",
    "plan_year",
    "compliance",
    "capacity",
    "plan",
    "sync",
    "segments",
)
_SEGMENT_KEYS = ("name", "when", "activities")
_SEGMENT_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")
_SEGMENT_RULE = "a name of 1 to 20 letters, digits, '_' or '-'"
_EMPTY_FILE = "the file is empty; expected a mapping with version and segments"


def load_playbooks(path: Path) -> PlaybookSet:
    """Read and validate the playbook file at ``path``.

    Raises:
        PlaybookError: the file cannot be read or has mistakes; carries every issue.
    """
    return parse_playbooks(read_text(path), source=str(path))


def parse_playbooks(text: str, *, source: str) -> PlaybookSet:
    """Validate playbook YAML; ``source`` names it in issues and in the result.

    Raises:
        PlaybookError: the text has mistakes; carries every issue, sorted by position.
    """
    reader = Reader(parse_yaml(text, source=source), source=source)
    playbooks = _playbook_set(reader)
    if reader.issues or playbooks is None:
        issues = sorted(reader.issues, key=lambda issue: (issue.line, issue.column))
        raise PlaybookError(issues)
    return playbooks


def _playbook_set(reader: Reader) -> PlaybookSet | None:
    document = reader.document.value
    if document is None:
        reader.report((), _EMPTY_FILE)
        return None
    root = reader.mapping(
        document, (), keys=_TOP_KEYS, required=("version", "segments")
    )
    if root is None:
        return None
    version = root.get("version", 1)
    if version != 1 or isinstance(version, bool):
        reader.report(("version",), f"expected version 1, got {describe(version)}")
    options = parse_options(reader, root)
    if "segments" not in root:
        return None
    segments = _segments(reader, root["segments"], options=options)
    return PlaybookSet(
        segments=segments,
        plan_year=options.plan_year,
        thresholds=options.thresholds,
        capacity_hours_per_year=options.capacity_hours_per_year,
        stale_after_days=options.stale_after_days,
        key_roles=options.key_roles,
        strategic_revenue_target_pct=options.strategic_revenue_target_pct,
        withdraw=options.withdraw,
        source=reader.source,
    )


def _segments(
    reader: Reader, value: object, *, options: PlaybookOptions
) -> tuple[Segment, ...]:
    path: YamlPath = ("segments",)
    items = reader.sequence(value, path) or []
    segments: list[Segment] = []
    names: list[object] = []
    catch_all: object = None
    for index, item in enumerate(items):
        where = (*path, index)
        # Order checks read the raw entries, so a mistake inside one segment
        # does not hide a duplicate or unreachable one after it.
        raw = item if isinstance(item, dict) else {}
        name = raw.get("name")
        is_valid = isinstance(name, str) and bool(_SEGMENT_NAME.fullmatch(name))
        if is_valid and name in names:
            reader.report((*where, "name"), f"duplicate segment name '{name}'")
        elif is_valid and catch_all is not None:
            message = f"segment '{name}' is unreachable: '{catch_all}' before it "
            reader.report((*where, "name"), message + "matches every account")
        names.append(name)
        if raw.get("when") == {"always": True} and catch_all is None:
            catch_all = name
        segment = _segment(reader, item, where, key_roles=options.key_roles)
        if segment is not None:
            segments.append(segment)
    return tuple(segments)


def _segment(
    reader: Reader, value: object, path: YamlPath, *, key_roles: tuple[str, ...]
) -> Segment | None:
    before = len(reader.issues)
    entry = reader.mapping(value, path, keys=_SEGMENT_KEYS, required=("name", "when"))
    if entry is None:
        return None
    name = None
    if "name" in entry:
        where = (*path, "name")
        name = reader.slug(
            entry["name"], where, pattern=_SEGMENT_NAME, rule=_SEGMENT_RULE
        )
    when = (
        parse_condition(reader, entry["when"], (*path, "when"))
        if "when" in entry
        else None
    )
    activities = _activities(
        reader, entry.get("activities", []), path, key_roles=key_roles
    )
    if name is None or when is None or len(reader.issues) > before:
        return None
    return Segment(name, when, activities)


def _activities(
    reader: Reader, value: object, path: YamlPath, *, key_roles: tuple[str, ...]
) -> tuple[ActivityRule, ...]:
    where = (*path, "activities")
    items = reader.sequence(value, where, non_empty=False) or []
    rules: list[ActivityRule] = []
    ids: set[str] = set()
    for index, item in enumerate(items):
        raw_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw_id, str) and ACTIVITY_ID.fullmatch(raw_id):
            if raw_id in ids:
                message = f"duplicate activity id '{raw_id}'"
                reader.report((*where, index, "id"), message)
            ids.add(raw_id)
        rule = parse_activity(reader, item, (*where, index), key_roles=key_roles)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)
