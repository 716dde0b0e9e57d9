"""Translate simple-salesforce and requests errors into plansync's CRMError tree.

``_translate_errors()`` is the one place this happens, modelled on httpx's
``map_httpcore_exceptions``: it decides by HTTP status and Salesforce errorCode,
never by message text, and re-raises with ``from exc``. The messages it builds
hold no URL, body, token or SOQL: simple-salesforce's own ``str()`` includes the
request URL and the response body, so it is never logged or re-used.

How simple-salesforce maps statuses to exceptions: docs/salesforce.md §9.4. Which
faults are worth a retry: §9.3 (a daily-limit 403 is not; a concurrency one is),
§4.1 (UNABLE_TO_LOCK_ROW is transient whatever its status),
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import structlog
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceOperationError,
)

from plansync.errors import (
    CRMAuthError,
    CRMError,
    CRMFatalError,
    CRMTransientError,
)

CRM = "salesforce"
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"
SESSION_CODE = "INVALID_SESSION_ID"
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
log = structlog.get_logger(__name__)


@dataclass
class ResponseMeta:
    """What responses said about waiting, the daily allocation and the org's clock.

    simple-salesforce's exceptions and results carry no headers, so a
    ``requests`` response hook (public API, see ``watch``) keeps them.
    ``read_started_at`` is the org's clock (the ``Date`` header, less the time
    the request took) at the first response after ``begin_read()``.
    """

    retry_after_s: float | None = None
    api_used: int | None = None
    api_max: int | None = None
    read_started_at: datetime | None = None
    _is_reading: bool = False

    def begin_read(self) -> None:
        """Start timing a read: the next response's ``Date`` becomes its start."""
        self.read_started_at = None
        self._is_reading = True

    def watch(self, session: requests.Session) -> None:
        """Record ``Retry-After`` and ``Sforce-Limit-Info`` of every response."""
        session.hooks["response"].append(self._seen)

    @property
    def is_daily_limit_spent(self) -> bool:
        """Tell whether the org's daily API allocation was used up when last seen."""
        return (
            self.api_used is not None
            and self.api_max is not None
            and self.api_used >= self.api_max
        )

    def _seen(
        self, response: requests.Response, *args: object, **kwargs: object
    ) -> None:
        del args, kwargs
        self.retry_after_s = _seconds(response.headers.get("Retry-After"))
        usage = _USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        if usage:
            self.api_used, self.api_max = int(usage[1]), int(usage[2])
        if self._is_reading:
            self._is_reading = False
            self.read_started_at = _server_time(response)


@contextmanager
def _translate_errors(
    operation: str,
    *,
    object_name: str | None = None,
    meta: ResponseMeta | None = None,
) -> Iterator[None]:
    """Turn client and transport errors raised inside the block into CRMErrors.

    Raises:
        CRMTransientError: 429, 5xx, UNABLE_TO_LOCK_ROW, a concurrency
            REQUEST_LIMIT_EXCEEDED, a dropped connection or a timeout.
        CRMAuthError: the login was refused, or the session expired
            (code INVALID_SESSION_ID, which the caller answers by one re-login).
        CRMFatalError: anything else, including a spent daily allocation.
    """
    context: dict[str, Any] = {
        "crm": CRM,
        "operation": operation,
        "object_name": object_name,
    }
    try:
        yield
    except SalesforceAuthenticationFailed as exc:
        code = None if exc.code is None else str(exc.code)
        _log(operation, None, code)
        raise CRMAuthError(
            "Salesforce refused the login", code=code, **context
        ) from exc
    except SalesforceExpiredSession as exc:
        code = error_code(exc.content) or SESSION_CODE
        _log(operation, 401, code)
        raise CRMAuthError(
            "the Salesforce session expired or is invalid",
            status=401,
            code=code,
            **context,
        ) from exc
    except SalesforceError as exc:
        raise _from_status(exc.status, error_code(exc.content), meta, context) from exc
    except SalesforceOperationError as exc:
        # Bulk API 2.0: a job that ended Failed/Aborted, or an upload refused.
        _log(operation, None, "BULK_JOB_FAILED")
        raise CRMFatalError(
            "a Bulk API 2.0 job failed", code="BULK_JOB_FAILED", **context
        ) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        _log(operation, None, type(exc).__name__)
        raise CRMTransientError(
            "Salesforce could not be reached", code=type(exc).__name__, **context
        ) from exc
    except requests.RequestException as exc:
        _log(operation, None, type(exc).__name__)
        raise CRMFatalError(
            "the request to Salesforce failed", code=type(exc).__name__, **context
        ) from exc


def error_code(content: object) -> str | None:
    """Return the errorCode of an error body (REST array, collection item, OAuth)."""
    first = content[0] if isinstance(content, list) and content else content
    if isinstance(first, dict):
        for name in ("errorCode", "statusCode", "error"):
            value = first.get(name)
            if isinstance(value, str) and value:
                return value
    return None


def is_session_expiry(error: CRMError) -> bool:
    """Tell whether an error means the session ended (a re-login may fix it)."""
    return isinstance(error, CRMAuthError) and error.code == SESSION_CODE


def _from_status(
    status: int,
    code: str | None,
    meta: ResponseMeta | None,
    context: dict[str, Any],
) -> CRMError:
    _log(str(context["operation"]), status, code)
    detail: dict[str, Any] = {"status": status, "code": code, **context}
    if code == LIMIT_CODE:
        # Same errorCode for the daily allocation and the concurrency limit (§9.3);
        # the allocation is spent when the last Sforce-Limit-Info said so.
        if meta is not None and meta.is_daily_limit_spent:
            return CRMFatalError(
                "the daily Salesforce API allocation is spent", **detail
            )
        return _transient("Salesforce is over its concurrency limit", meta, detail)
    if status in TRANSIENT_STATUSES or code in TRANSIENT_CODES:
        return _transient("Salesforce is busy or unavailable", meta, detail)
    if status == 401:  # noqa: PLR2004  # HTTP Unauthorized
        return CRMAuthError("Salesforce refused the credentials", **detail)
    return CRMFatalError("Salesforce rejected the request", **detail)


def _transient(
    message: str, meta: ResponseMeta | None, detail: dict[str, Any]
) -> CRMTransientError:
    wait = meta.retry_after_s if meta is not None else None
    return CRMTransientError(message, retry_after_s=wait, **detail)


def _server_time(response: requests.Response) -> datetime | None:
    """Return when the org began answering: its ``Date`` less the request's time."""
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if sent.tzinfo is None:
        return None
    return sent - response.elapsed


def _seconds(value: str | None) -> float | None:
    # Retry-After may also be an HTTP date; Salesforce sends seconds when it sends any.
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _log(operation: str, status: int | None, code: str | None) -> None:
    log.warning("salesforce.call_failed", operation=operation, status=status, code=code)
