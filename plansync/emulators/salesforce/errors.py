"""Carry a Salesforce error (HTTP status, errorCode, message, fields) to the HTTP edge.

These exceptions never leave the emulator: the HTTP layer turns them into the JSON
error array of docs/salesforce.md §9.4, so they live here and not in
``plansync.errors`` (which holds the exceptions plansync's own callers handle).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RecordError:
    """One per-record failure, as it appears inside results and error arrays."""

    code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_result(self) -> dict[str, object]:
        """Render as a collections/composite result error (key ``statusCode``)."""
        return {
            "statusCode": self.code,
            "message": self.message,
            "fields": list(self.fields),
        }

    def as_rest(self) -> dict[str, object]:
        """Render as a top-level REST error (key ``errorCode``)."""
        return {
            "message": self.message,
            "errorCode": self.code,
            "fields": list(self.fields),
        }

    def as_bulk(self) -> str:
        """Render as a Bulk API ``sf__Error`` cell: ``CODE:message:fields --``."""
        return f"{self.code}:{self.message}:{','.join(self.fields)} --"


class ApiError(Exception):
    """A request-level failure answered with ``status`` and a JSON error array."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: tuple[str, ...] | None = None,
    ) -> None:
        """Describe the failure; ``fields`` is only rendered when given."""
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, object]]:
        """Return the JSON error array Salesforce answers with."""
        item: dict[str, object] = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            item["fields"] = list(self.fields)
        return [item]


class RecordFailedError(Exception):
    """Raised inside the store when one record cannot be written."""

    def __init__(self, *errors: RecordError) -> None:
        """Carry the record's errors (at least one)."""
        super().__init__("; ".join(f"{e.code}: {e.message}" for e in errors))
        self.errors = list(errors)

    def first(self) -> RecordError:
        """Return the first error (the one single-record endpoints report)."""
        return self.errors[0]


def not_found() -> ApiError:
    """Build the generic 404 NOT_FOUND error."""
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def malformed_query(message: str) -> ApiError:
    """Build a 400 MALFORMED_QUERY error."""
    return ApiError(400, "MALFORMED_QUERY", message)


def json_parser_error(message: str) -> ApiError:
    """Build a 400 JSON_PARSER_ERROR (body cannot be read as the expected JSON)."""
    return ApiError(400, "JSON_PARSER_ERROR", message)
