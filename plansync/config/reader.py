"""Check plain YAML values against expected shapes, collecting located issues.

Every check returns the value it accepted, or ``None`` after recording an issue,
so a loader can keep going and report every mistake in one run.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import TypeVar

from plansync.config.yaml_source import (
    Position,
    YamlDocument,
    YamlPath,
    field_name,
)
from plansync.errors import PlaybookIssue

T = TypeVar("T")
_SHOWN_CHARS = 60


def describe(value: object) -> str:
    """Render a value for a message the way it would be written in YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) > _SHOWN_CHARS:
            # A whole file read as one string (not YAML at all) must not flood the line.
            return f"'{value[:_SHOWN_CHARS]}…' ({len(value)} characters)"
        return f"'{value}'" if value else "an empty string"
    if isinstance(value, list | dict) and not value:
        return "an empty list" if isinstance(value, list) else "an empty mapping"
    if isinstance(value, date):
        return value.isoformat()
    shapes = {dict: "a mapping", list: "a list", type(None): "null"}
    return shapes.get(type(value), str(value))


def closest(word: str, options: Collection[str]) -> str | None:
    """Return the option nearest to a misspelt ``word``, if one is near enough."""
    same_letters = sorted(o for o in options if o.casefold() == word.casefold())
    if same_letters:
        return same_letters[0]
    close = difflib.get_close_matches(word, list(options), n=1)
    return close[0] if close else None


def suggestion(word: str, options: Collection[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for a near miss, else an empty string."""
    near = closest(word, options)
    return f"; did you mean '{near}'?" if near else ""


def is_scalar(value: object) -> bool:
    """Tell whether a value is a single YAML scalar (not a list or mapping)."""
    return value is None or isinstance(value, str | int | float | bool | date)


def is_number(value: object) -> bool:
    """Tell whether a value is an int or float; YAML's true/false do not count."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class Reader:
    """Hold a document's positions and the issues found in it so far."""

    def __init__(self, document: YamlDocument, *, source: str) -> None:
        """Start with the issues the YAML reader already found."""
        self.document = document
        self.source = source
        self.issues: list[PlaybookIssue] = list(document.issues)

    def report(self, path: YamlPath, message: str, *, at_key: bool = False) -> None:
        """Record an issue at a value (or at its key with ``at_key``).

        A value the YAML reader could not read is already reported; it is not
        reported again for not having the expected type.
        """
        if path in self.document.unreadable:
            return
        position = self.document.keys.get(path) if at_key else None
        self._add(position or self._value_position(path), path, message)

    def missing(self, path: YamlPath, key: str, message: str | None = None) -> None:
        """Record that the mapping at ``path`` lacks ``key``, located at the mapping."""
        text = message or f"missing required key '{key}'"
        self._add(self._value_position(path), (*path, key), text)

    def mapping(
        self,
        value: object,
        path: YamlPath,
        *,
        keys: Sequence[str],
        required: Collection[str] = (),
    ) -> dict[str, object] | None:
        """Accept a mapping; report unknown keys (with a suggestion) and missing ones.

        Returns:
            The mapping without its unknown keys, or None when it is not a mapping.
        """
        if not isinstance(value, dict):
            self.report(path, f"expected a mapping, got {describe(value)}")
            return None
        for key in value:
            if key not in keys:
                self.unknown_key((*path, key), keys)
        for key in required:
            if key not in value:
                self.missing(path, key)
        return {k: v for k, v in value.items() if k in keys}

    def optional(
        self,
        entry: dict[str, object],
        path: YamlPath,
        key: str,
        check: Callable[[object, YamlPath], T | None],
    ) -> T | None:
        """Check ``entry[key]`` with ``check`` if the key is there; else None."""
        return check(entry[key], (*path, key)) if key in entry else None

    def block(
        self, root: dict[str, object], key: str, *, keys: Sequence[str]
    ) -> dict[str, object]:
        """Return an optional top-level block; absent or empty means defaults.

        A block that is not a mapping is reported and read as empty, so the
        defaults stand in while the rest of the file is checked.
        """
        value = root.get(key)
        if value is None:
            return {}
        return self.mapping(value, (key,), keys=keys) or {}

    def unknown_key(self, path: YamlPath, allowed: Sequence[str]) -> None:
        """Report the key at the end of ``path`` as not part of the language."""
        key = str(path[-1])
        hint = suggestion(key, allowed) or f"; expected one of {', '.join(allowed)}"
        self.report(path, f"unknown key '{key}'{hint}", at_key=True)

    def sequence(
        self, value: object, path: YamlPath, *, non_empty: bool = True
    ) -> list[object] | None:
        """Accept a list (a non-empty one unless told otherwise)."""
        if not isinstance(value, list):
            self.report(path, f"expected a list, got {describe(value)}")
            return None
        if non_empty and not value:
            self.report(path, "expected a non-empty list, got an empty list")
            return None
        return value

    def integer(
        self, value: object, path: YamlPath, *, low: int, high: int | None = None
    ) -> int | None:
        """Accept a whole number from ``low`` to ``high`` (no upper bound if None)."""
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and low <= value
            and (high is None or value <= high)
        ):
            return value
        if high is not None:
            expected = f"a whole number from {low} to {high}"
        elif low == 1:
            expected = "a positive integer"
        else:
            expected = f"a whole number of at least {low}"
        self.report(path, f"expected {expected}, got {describe(value)}")
        return None

    def number(
        self,
        value: object,
        path: YamlPath,
        *,
        high: float | None = None,
        is_zero_allowed: bool = False,
    ) -> float | None:
        """Accept a finite number above zero (or from zero) up to ``high`` if given."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            above_low = value >= 0 if is_zero_allowed else value > 0
            is_below_high = high is None or value <= high
            if above_low and is_below_high and math.isfinite(value):
                return float(value)
        if is_zero_allowed:
            expected = "a number from 0" + (f" to {high:g}" if high is not None else "")
        else:
            expected = "a positive number"
            expected += f" up to {high:g}" if high is not None else ""
        self.report(path, f"expected {expected}, got {describe(value)}")
        return None

    def percent(self, value: object, path: YamlPath) -> float | None:
        """Accept a percentage from 0 to 100."""
        return self.number(value, path, high=100, is_zero_allowed=True)

    def boolean(self, value: object, path: YamlPath) -> bool | None:
        """Accept true or false."""
        if isinstance(value, bool):
            return value
        self.report(path, f"expected true or false, got {describe(value)}")
        return None

    def text(
        self, value: object, path: YamlPath, *, max_length: int | None = None
    ) -> str | None:
        """Accept a non-empty string, at most ``max_length`` characters if given."""
        if not isinstance(value, str) or not value.strip():
            self.report(path, f"expected a non-empty string, got {describe(value)}")
            return None
        if max_length is not None and len(value) > max_length:
            message = f"expected at most {max_length} characters, got {len(value)}"
            self.report(path, message)
            return None
        return value

    def slug(
        self, value: object, path: YamlPath, *, pattern: re.Pattern[str], rule: str
    ) -> str | None:
        """Accept a name matching ``pattern``; ``rule`` says what it allows."""
        if isinstance(value, str) and pattern.fullmatch(value):
            return value
        self.report(path, f"expected {rule}, got {describe(value)}")
        return None

    def choice(
        self, value: object, path: YamlPath, options: Sequence[str]
    ) -> str | None:
        """Accept one of ``options``, suggesting the nearest for a misspelling."""
        if isinstance(value, str) and value in options:
            return value
        expected = f"expected one of {', '.join(options)}"
        if isinstance(value, str) and (hint := suggestion(value, options)):
            self.report(path, expected + hint)
        else:
            self.report(path, f"{expected}, got {describe(value)}")
        return None

    def latest_key(self, path: YamlPath, keys: Collection[str]) -> str:
        """Return which of ``keys`` (all present under ``path``) is written last."""
        return max(keys, key=lambda k: self.document.keys.get((*path, k), (0, 0)))

    def _value_position(self, path: YamlPath) -> Position:
        for end in range(len(path), -1, -1):
            if (found := self.document.values.get(path[:end])) is not None:
                return found
        return (1, 1)

    def _add(self, position: Position, path: YamlPath, message: str) -> None:
        line, column = position
        issue = PlaybookIssue(self.source, line, column, field_name(path), message)
        self.issues.append(issue)
