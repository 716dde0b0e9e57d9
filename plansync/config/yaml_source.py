"""Turn YAML text into plain values, remembering where every key and value sits.

PyYAML's *compose* step keeps each node's position, which ``yaml.safe_load`` throws
away; walking the nodes ourselves lets every validation issue name its line and
column, and lets duplicate keys (silently merged by ``safe_load``) be reported.
Booleans are only ``true`` and ``false`` (YAML 1.2); ``yes``/``no``/``on``/``off``
stay text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from plansync.errors import PlaybookError, PlaybookIssue

YamlKey = str | int
"""A mapping key (always text here) or a list index."""

YamlPath = tuple[YamlKey, ...]
"""Where a value sits in the document: the keys and indexes leading to it."""

Position = tuple[int, int]
"""A 1-based (line, column)."""

ROOT_FIELD = "<root>"
SYNTAX_FIELD = "<yaml>"
FILE_FIELD = "<file>"

_MAX_VALUES = 100_000
"""More values than a playbook could need: aliases expanding without bound."""


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed document: its value and the position of every value and key.

    ``values`` maps a path to where its value starts; ``keys`` maps the path of
    a mapping entry to where its key starts. ``issues`` are problems found while
    reading (duplicate keys, unusable scalars) that do not stop the reading;
    ``unreadable`` holds the paths of values that could not be read (now null):
    unusable scalars and aliases inside their own anchor.
    """

    value: object
    values: Mapping[YamlPath, Position]
    keys: Mapping[YamlPath, Position]
    issues: tuple[PlaybookIssue, ...] = ()
    unreadable: frozenset[YamlPath] = frozenset()


def field_name(path: YamlPath) -> str:
    """Render a path the way users write it: ``segments[0].activities[1].every``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or ROOT_FIELD


def read_text(path: Path) -> str:
    """Return the file's text.

    Raises:
        PlaybookError: the file is missing, unreadable or not UTF-8 text.
    """
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    issue = PlaybookIssue(str(path), 0, 0, FILE_FIELD, f"cannot read {path}: {reason}")
    raise PlaybookError([issue])


def parse_yaml(text: str, *, source: str) -> YamlDocument:
    """Compose ``text`` with the safe loader and convert it to plain values.

    Raises:
        PlaybookError: the text is not well-formed YAML (one issue, at its mark).
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        walker = _Walker(loader, source)
        if node is None:
            walker.values[()] = (1, 1)
            return YamlDocument(None, walker.values, walker.keys)
        value = walker.convert(node, ())
    except yaml.MarkedYAMLError as exc:
        raise PlaybookError([_syntax_issue(exc, source)]) from exc
    finally:
        loader.dispose()
    return YamlDocument(
        value,
        walker.values,
        walker.keys,
        tuple(walker.issues),
        frozenset(walker.unreadable),
    )


def _position(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _is_yaml11_word(node: yaml.Node) -> bool:
    """Tell a bare yes/no/on/off, which YAML 1.1 reads as a boolean, from true/false.

    Read as text, as YAML 1.2 does, so that ``holidays: NO`` means Norway and
    ``value: on`` means "on"; only ``true`` and ``false`` are booleans.
    """
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:bool"
        and node.style is None
        and str(node.value).lower() not in ("true", "false")
    )


def _syntax_issue(exc: yaml.MarkedYAMLError, source: str) -> PlaybookIssue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "unreadable document"
    if exc.context and problem.startswith("but "):
        # The problem alone ("but found another document") needs its context.
        problem = f"{exc.context}, {problem}"
    return PlaybookIssue(source, line, column, SYNTAX_FIELD, f"invalid YAML: {problem}")


class _Walker:
    """Convert nodes to values depth-first, recording positions as it goes."""

    def __init__(self, loader: yaml.SafeLoader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.values: dict[YamlPath, Position] = {}
        self.keys: dict[YamlPath, Position] = {}
        self.issues: list[PlaybookIssue] = []
        self.unreadable: set[YamlPath] = set()
        self.active: set[int] = set()

    def convert(self, node: yaml.Node, path: YamlPath) -> object:
        self.values[path] = _position(node)
        if len(self.values) > _MAX_VALUES:
            message = f"invalid YAML: more than {_MAX_VALUES} values; check the aliases"
            line, column = _position(node)
            issue = PlaybookIssue(self.source, line, column, SYNTAX_FIELD, message)
            raise PlaybookError([issue])
        if id(node) in self.active:
            # An alias pointing at its own ancestor would never end.
            self._issue(_position(node), path, "a YAML alias may not refer to itself")
            self.unreadable.add(path)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.convert(item, (*path, i)) for i, item in enumerate(node.value)
                ]
            return self._scalar(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._issue(_position(key_node), path, "a key must be plain text")
                continue
            # The key's source text, so `on:` stays "on" rather than YAML 1.1's True.
            key = str(key_node.value)
            entry = (*path, key)
            if key in result:
                message = f"duplicate key '{key}'; a key may appear only once"
                self._issue(_position(key_node), entry, message)
                continue
            self.keys[entry] = _position(key_node)
            result[key] = self.convert(value_node, entry)
        return result

    def _scalar(self, node: yaml.Node, path: YamlPath) -> object:
        if _is_yaml11_word(node):
            return str(node.value)
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            detail = getattr(exc, "problem", None) or str(exc)
            self._issue(_position(node), path, f"unreadable value: {detail}")
            self.unreadable.add(path)
            return None

    def _issue(self, position: Position, path: YamlPath, message: str) -> None:
        line, column = position
        issue = PlaybookIssue(self.source, line, column, field_name(path), message)
        self.issues.append(issue)
