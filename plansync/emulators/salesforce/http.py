"""Model HTTP requests and responses apart from the server (composite re-dispatches)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from plansync.emulators.salesforce.errors import ApiError

JSON_TYPE = "application/json;charset=UTF-8"
CSV_TYPE = "text/csv"


@dataclass(slots=True)
class Request:
    """One HTTP request; ``path`` stays percent-encoded so segments split correctly."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def build(
        cls, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Request:
        """Create a request from a request line target (path plus query string)."""
        parts = urlsplit(target)
        return cls(
            method.upper(),
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            {key.lower(): value for key, value in headers.items()},
            body,
        )

    @property
    def target(self) -> str:
        """Return path and query string, as fault rules match them."""
        if not self.query:
            return self.path
        pairs = "&".join(f"{k}={v}" for k, vs in self.query.items() for v in vs)
        return f"{self.path}?{pairs}"

    def header(self, name: str) -> str | None:
        """Return a header value (case-insensitive name)."""
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """Return the first value of a query-string parameter."""
        found = self.query.get(name)
        return found[0] if found else None

    def json(self) -> object:
        """Parse the body as JSON.

        Raises:
            ApiError: 400 JSON_PARSER_ERROR when the body is not JSON.
        """
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}"
            ) from None

    def json_object(self) -> dict[str, Any]:
        """Parse the body as a JSON object.

        Raises:
            ApiError: 400 JSON_PARSER_ERROR when the body is not a JSON object.
        """
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(
                400,
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of object from "
                f"{'START_ARRAY' if isinstance(body, list) else 'VALUE'} value",
            )
        return body


@dataclass(slots=True)
class Response:
    """One HTTP response."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> object:
        """Decode a JSON body (None when empty)."""
        return json.loads(self.body) if self.body else None


def json_response(
    status: int, payload: object, headers: Mapping[str, str] | None = None
) -> Response:
    """Build a JSON response."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})


def error_response(error: ApiError) -> Response:
    """Build the JSON error-array response for ``error``."""
    return json_response(error.status, error.body())


def empty_response(status: int = 204) -> Response:
    """Build a response without a body."""
    return Response(status)


def csv_response(text: str, headers: Mapping[str, str] | None = None) -> Response:
    """Build a CSV response."""
    return Response(200, text.encode(), {"Content-Type": CSV_TYPE, **(headers or {})})
