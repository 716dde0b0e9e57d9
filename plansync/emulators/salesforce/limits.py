"""Track the daily API request allocation and answer ``/limits``.

Every ``/services/data`` call except the versions list counts (a ``/composite`` call
once, ``/composite/batch`` once per subrequest); each data response carries
``Sforce-Limit-Info: api-usage=N/M`` with ``api-usage`` first, which is what
simple-salesforce's anchored regex needs; when spent, 403 REQUEST_LIMIT_EXCEEDED
(docs/salesforce.md §9.1-9.3).
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import Request, Response, json_response

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App


class ApiUsage:
    """The org's rolling request counter."""

    def __init__(self, daily_limit: int) -> None:
        """Allow ``daily_limit`` requests."""
        self.limit = daily_limit
        self.used = 0
        self._lock = threading.Lock()

    def spend(self, count: int = 1) -> None:
        """Count ``count`` requests.

        Raises:
            ApiError: 403 REQUEST_LIMIT_EXCEEDED once the allocation is used up.
        """
        with self._lock:
            if self.used + count > self.limit:
                raise ApiError(
                    403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."
                )
            self.used += count

    def header(self) -> str:
        """Return the ``Sforce-Limit-Info`` value."""
        return f"api-usage={self.used}/{self.limit}"

    def reset(self) -> None:
        """Start a new day."""
        with self._lock:
            self.used = 0

    def configure(self, *, limit: int | None = None, used: int | None = None) -> None:
        """Change the allocation or the count spent so far."""
        with self._lock:
            self.limit = self.limit if limit is None else limit
            self.used = self.used if used is None else used


def limits(app: App, req: Request, args: dict[str, str]) -> Response:
    """``GET /limits``."""
    del req, args
    usage = app.usage
    body: dict[str, Any] = {
        "ConcurrentAsyncGetReportInstances": _pair(200, 200),
        "ConcurrentSyncReportRuns": _pair(20, 20),
        "DailyApiRequests": _pair(usage.limit, max(0, usage.limit - usage.used)),
        "DailyAsyncApexExecutions": _pair(250000, 250000),
        "DailyBulkApiBatches": _pair(15000, 15000 - app.bulk_batches),
        "DailyBulkV2QueryFileStorageMB": _pair(976562, 976562),
        "DailyBulkV2QueryJobs": _pair(10000, 10000 - app.bulk_query_jobs),
        "DataStorageMB": _pair(1024, 1024),
        "FileStorageMB": _pair(1024, 1024),
        "HourlyTimeBasedWorkflow": _pair(1000, 1000),
        "SingleEmail": _pair(5000, 5000),
    }
    return json_response(200, body)


def _pair(maximum: int, remaining: int) -> dict[str, int]:
    return {"Max": maximum, "Remaining": remaining}
