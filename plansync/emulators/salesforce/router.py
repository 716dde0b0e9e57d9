"""Match REST paths to handlers, segment by segment, ignoring a trailing slash and case.

Segments stay percent-encoded until a handler decodes them, so an external-id value
containing ``%2F`` is one segment (docs/salesforce.md §1.6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plansync.emulators.salesforce.errors import ApiError, not_found
from plansync.emulators.salesforce.http import Request, Response

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

Handler = Callable[["App", Request, dict[str, str]], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One REST resource: methods, segment pattern (``{name}`` captures), handler."""

    methods: frozenset[str]
    pattern: tuple[str, ...]
    handler: Handler
    name: str


def route(methods: str, pattern: str, handler: Handler, name: str) -> Route:
    """Build a route from ``"GET POST"`` and ``"sobjects/{type}/describe"``."""
    parts = tuple(pattern.split("/")) if pattern else ()
    return Route(frozenset(methods.split()), parts, handler, name)


def split_path(path: str) -> list[str]:
    """Split a path into segments, dropping empty ones (a trailing slash is ignored)."""
    return [segment for segment in path.split("/") if segment]


class Router:
    """Find the route for a method and the segments after ``/services/data/vXX.X``."""

    def __init__(self, routes: list[Route]) -> None:
        """Match against ``routes`` in order (more specific patterns first)."""
        self.routes = routes

    def resolve(self, method: str, segments: list[str]) -> tuple[Route, dict[str, str]]:
        """Return the route and captured segments.

        Raises:
            ApiError: 404 NOT_FOUND for an unknown resource, 405 METHOD_NOT_ALLOWED.
        """
        allowed: set[str] = set()
        for candidate in self.routes:
            args = _match(candidate.pattern, segments)
            if args is None:
                continue
            if method in candidate.methods:
                return candidate, args
            allowed.update(candidate.methods)
        if allowed:
            raise ApiError(
                405,
                "METHOD_NOT_ALLOWED",
                f"HTTP Method '{method}' not allowed. Allowed are "
                f"{','.join(sorted(allowed))}",
            )
        raise not_found()

    def name_for(self, method: str, segments: list[str]) -> str:
        """Return the stats name of the resource (``data`` when nothing matches)."""
        for candidate in self.routes:
            if _match(candidate.pattern, segments) is not None:
                return candidate.name
        return "data"


def _match(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    args: dict[str, str] = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith("{"):
            args[part[1:-1]] = segment
        elif part.lower() != segment.lower():
            return None
    return args
