"""The one error boundary: simple-salesforce and requests errors become CRMErrors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceBulkV2LoadError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from plansync.connectors.salesforce.errors import (
    ResponseMeta,
    _translate_errors,
    error_code,
    is_session_expiry,
)
from plansync.errors import (
    CRMAuthError,
    CRMError,
    CRMFatalError,
    CRMTransientError,
)

URL = "https://127.0.0.1/services/data/v59.0/query/?q=SELECT+Id+FROM+Account"
SECRET = "00Dx!SECRET-TOKEN"


def _body(code: str) -> Any:  # parsed JSON, as simple-salesforce passes it
    return [{"message": f"details {SECRET}", "errorCode": code}]


def _translated(error: Exception, meta: ResponseMeta | None = None) -> CRMError:
    with (
        pytest.raises(CRMError) as caught,
        _translate_errors("query", object_name="Account", meta=meta),
    ):
        raise error
    assert caught.value.__cause__ is error
    return caught.value


def _response(headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers.update(headers)
    return response


class TestTranslation:
    @pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
    def test_busy_statuses_are_transient(self, status):
        """429 and 5xx answers are worth a retry."""
        error = _translated(
            SalesforceGeneralError(URL, status, "query", _body("SERVER_UNAVAILABLE"))
        )
        assert isinstance(error, CRMTransientError)
        assert status == error.status

    def test_row_lock_is_transient_whatever_its_status(self):
        """UNABLE_TO_LOCK_ROW is retried by its code, though it comes as a 400."""
        error = _translated(
            SalesforceMalformedRequest(URL, 400, "query", _body("UNABLE_TO_LOCK_ROW"))
        )
        assert isinstance(error, CRMTransientError)

    def test_retry_after_is_carried(self):
        """A Retry-After header of the failing answer becomes retry_after_s."""
        meta = ResponseMeta()
        meta._seen(_response({"Retry-After": "7"}))
        error = _translated(
            SalesforceGeneralError(URL, 503, "query", _body("SERVER_UNAVAILABLE")), meta
        )
        assert isinstance(error, CRMTransientError)
        assert 7.0 == error.retry_after_s

    def test_concurrency_limit_is_transient(self):
        """REQUEST_LIMIT_EXCEEDED with allocation left is the concurrency limit."""
        meta = ResponseMeta()
        meta._seen(_response({"Sforce-Limit-Info": "api-usage=18/5000"}))
        error = _translated(
            SalesforceRefusedRequest(
                URL, 403, "query", _body("REQUEST_LIMIT_EXCEEDED")
            ),
            meta,
        )
        assert isinstance(error, CRMTransientError)

    def test_spent_daily_allocation_is_fatal(self):
        """REQUEST_LIMIT_EXCEEDED once the allocation is spent stops the run."""
        meta = ResponseMeta()
        meta._seen(_response({"Sforce-Limit-Info": "api-usage=5000/5000"}))
        error = _translated(
            SalesforceRefusedRequest(
                URL, 403, "query", _body("REQUEST_LIMIT_EXCEEDED")
            ),
            meta,
        )
        assert isinstance(error, CRMFatalError)
        assert "REQUEST_LIMIT_EXCEEDED" == error.code

    def test_expired_session_is_an_auth_error_the_caller_can_renew(self):
        """A 401 INVALID_SESSION_ID is an auth error marked as a session expiry."""
        error = _translated(
            SalesforceExpiredSession(URL, 401, "query", _body("INVALID_SESSION_ID"))
        )
        assert isinstance(error, CRMAuthError)
        assert is_session_expiry(error)

    def test_refused_login_is_an_auth_error_not_a_session_expiry(self):
        """A refused login cannot be fixed by logging in again."""
        error = _translated(SalesforceAuthenticationFailed("invalid_grant", SECRET))
        assert isinstance(error, CRMAuthError)
        assert not is_session_expiry(error)

    def test_other_client_errors_are_fatal(self):
        """A malformed query will not succeed on a retry."""
        error = _translated(
            SalesforceMalformedRequest(URL, 400, "query", _body("MALFORMED_QUERY"))
        )
        assert isinstance(error, CRMFatalError)
        assert "MALFORMED_QUERY" == error.code

    def test_bulk_job_failure_is_fatal(self):
        """A Bulk API 2.0 upload refusal stops the run."""
        error = _translated(SalesforceBulkV2LoadError(f"Response content: {SECRET}"))
        assert isinstance(error, CRMFatalError)

    @pytest.mark.parametrize(
        "error", [requests.ConnectionError(SECRET), requests.ReadTimeout(SECRET)]
    )
    def test_network_faults_are_transient(self, error):
        """A dropped connection or a timeout is retried."""
        assert isinstance(_translated(error), CRMTransientError)

    def test_no_secret_url_or_body_in_the_message(self):
        """The message names the call and the code, never the URL or the body."""
        error = _translated(
            SalesforceMalformedRequest(URL, 400, "query", _body("MALFORMED_QUERY"))
        )
        assert SECRET not in str(error)
        assert "SELECT" not in str(error)
        assert "salesforce query Account" in str(error)


class TestErrorCode:
    @pytest.mark.parametrize(
        ("content", "code"),
        [
            ([{"message": "m", "errorCode": "NOT_FOUND"}], "NOT_FOUND"),
            ({"statusCode": "UNABLE_TO_LOCK_ROW"}, "UNABLE_TO_LOCK_ROW"),
            ({"error": "invalid_grant", "error_description": "x"}, "invalid_grant"),
            ("<html>503</html>", None),
            ([], None),
        ],
    )
    def test_code_from_every_body_shape(self, content, code):
        """REST arrays, collection items and OAuth bodies all give their code."""
        assert code == error_code(content)


class TestServerClock:
    def test_a_read_starts_at_the_orgs_clock_less_the_request_time(self):
        """The first response after begin_read dates the read: Date less elapsed."""
        meta = ResponseMeta()
        meta.begin_read()
        first = _response({"Date": "Mon, 02 Mar 2026 06:00:30 GMT"})
        first.elapsed = timedelta(seconds=2)
        meta._seen(first)
        meta._seen(_response({"Date": "Mon, 02 Mar 2026 06:05:00 GMT"}))
        assert datetime(2026, 3, 2, 6, 0, 28, tzinfo=UTC) == meta.read_started_at

    def test_no_date_no_read_start(self):
        """A response without a Date header leaves the read's start unknown."""
        meta = ResponseMeta()
        meta.begin_read()
        meta._seen(_response({}))
        assert meta.read_started_at is None
