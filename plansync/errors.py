"""Define every public exception plansync raises, grouped by what the caller does.

The tree (``tests/unit/test_errors.py`` keeps this drawing honest)::

    PlansyncError
    ├── ConfigError            exit 2; fix the input
    │   └── PlaybookError      path, line, column, field, reason
    ├── CRMError               crm, operation, object, record_id (never a secret)
    │   ├── CRMTransientError  retry with backoff (429, 5xx, timeout); retry_after_s
    │   ├── CRMAuthError       re-authenticate once, then fatal
    │   ├── CRMRecordError     skip the record, report it, continue
    │   └── CRMFatalError      abort the run; state stays consistent
    └── StateError             store unreadable or a schema mismatch; abort
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class PlansyncError(Exception):
    """Base of every error plansync raises on purpose."""

    exit_code: int = 1


class ConfigError(PlansyncError):
    """Raise when user input (settings, playbooks, CLI arguments) cannot be used."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class PlaybookIssue:
    """Describe one problem in a playbook file, located to the line and column."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        """Render as ``path:line:col: field: message`` like a compiler does."""
        return f"{self.path}:{self.line}:{self.column}: {self.field}: {self.message}"


class PlaybookError(ConfigError):
    """Raise when a playbook file is invalid; carries every issue found."""

    def __init__(self, issues: Sequence[PlaybookIssue]) -> None:
        """Keep all issues; the message is the first one plus a count."""
        self.issues = tuple(issues)
        first = str(self.issues[0]) if self.issues else "invalid playbook"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(first + more)

    @property
    def path(self) -> str:
        """Return the file of the first issue."""
        return self.issues[0].path if self.issues else ""

    @property
    def line(self) -> int:
        """Return the line of the first issue."""
        return self.issues[0].line if self.issues else 0

    @property
    def field(self) -> str:
        """Return the field of the first issue."""
        return self.issues[0].field if self.issues else ""


class CRMError(PlansyncError):
    """Raise when a CRM call fails; names the CRM, operation and record, no secret."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        crm: str,
        operation: str,
        object_name: str | None = None,
        record_id: str | None = None,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        """Store the context a user needs to find the failing call."""
        self.crm = crm
        self.operation = operation
        self.object_name = object_name
        self.record_id = record_id
        self.status = status
        self.code = code
        where = f"{crm} {operation}"
        if object_name:
            where += f" {object_name}"
        if record_id:
            where += f" {record_id}"
        detail = " ".join(p for p in (str(status or ""), code or "") if p)
        super().__init__(f"{where}: {message}" + (f" [{detail}]" if detail else ""))


class CRMTransientError(CRMError):
    """Raise for a fault worth retrying with backoff: 429, 5xx, timeouts, row locks."""

    def __init__(
        self, message: str, *, retry_after_s: float | None = None, **context: object
    ) -> None:
        """Remember how long the CRM asked us to wait, when it said."""
        self.retry_after_s = retry_after_s
        super().__init__(message, **context)  # type: ignore[arg-type]  # same keywords as CRMError


class CRMAuthError(CRMError):
    """Raise when the CRM refuses our credentials or session."""


class CRMRecordError(CRMError):
    """Raise when one record is rejected; the caller skips it and continues."""


class CRMFatalError(CRMError):
    """Raise when the run cannot continue against this CRM."""


class StateError(PlansyncError):
    """Raise when the state store cannot be read or its schema does not match."""

    exit_code = 4
