"""Make Salesforce calls: one login, bounded retries, one re-login, translated errors.

Every call goes through ``SalesforceApi.call``: errors are translated by
``_translate_errors``, transient ones retried by ``call_with_retries``, and an
expired session (a 401 simple-salesforce could not renew itself: a directly
handed-in token, or any Bulk API 2.0 call, docs/salesforce.md §1.5) answered by
one fresh login and one more try. Reads page through ``nextRecordsUrl`` and switch
to a Bulk API 2.0 query when the first page says the result is large.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import requests
import structlog
from simple_salesforce.api import Salesforce

from plansync.config.settings import SalesforceSettings
from plansync.connectors.salesforce_auth import LOGIN_FLOWS, build_session, connect
from plansync.connectors.salesforce_csv import (
    IngestRow,
    parse_ingest_results,
    parse_query_csv,
)
from plansync.connectors.salesforce_errors import (
    CRM,
    ResponseMeta,
    _translate_errors,
    is_session_expiry,
)
from plansync.connectors.salesforce_mapping import parse_datetime
from plansync.connectors.salesforce_soql import Query
from plansync.errors import CRMAuthError, CRMFatalError
from plansync.retry import RetryPolicy, call_with_retries

T = TypeVar("T")
Record = dict[str, Any]
BULK_PAGE_ROWS = 50_000
LOST_CURSOR = "INVALID_QUERY_LOCATOR"
BULK_QUERY_CALLS = 4
"""Calls a Bulk query job takes: create, two status polls, one result page."""
log = structlog.get_logger(__name__)


class SalesforceApi:
    """An authenticated, retrying, error-translating handle on one org."""

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        bulk_wait_s: float = 2.0,
    ) -> None:
        """Prepare to log in on first use (no network traffic here)."""
        self.settings = settings
        self._owns_session = session is None
        self.session = session or build_session(settings)
        self.meta = ResponseMeta()
        self.meta.watch(self.session)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.bulk_wait_s = bulk_wait_s
        self._client: Salesforce | None = None

    def close(self) -> None:
        """Release the HTTP connections if this handle opened them."""
        if self._owns_session:
            self.session.close()

    def call(
        self,
        operation: str,
        fn: Callable[[Salesforce], T],
        *,
        object_name: str | None = None,
    ) -> T:
        """Run ``fn`` against the client with retries and at most one re-login.

        Raises:
            CRMTransientError: still failing after the retry policy's attempts.
            CRMAuthError: login refused, or the session expired again right
                after a fresh login.
            CRMFatalError: the call cannot succeed.
        """
        return call_with_retries(
            partial(self._with_relogin, operation, fn, object_name),
            operation=f"{CRM}.{operation}",
            policy=self.retry,
            sleep=self._sleep,
        )

    def read(self, query: Query, *, bulk_threshold: int) -> Iterator[Record]:
        """Yield the rows of ``query``, by REST pages or one Bulk API 2.0 job.

        The first REST page tells the total. REST costs a call per page (2,000
        rows at most); a Bulk query job costs about ``BULK_QUERY_CALLS`` whatever
        the size (docs/salesforce.md §6.1-6.2). Above ``bulk_threshold`` rows, and
        only when the pages still to fetch would cost more calls than the job,
        the job fetches everything instead.
        """
        name = query.object_name
        page = self.call(
            "query",
            lambda sf: sf.query(query.soql, include_deleted=query.include_deleted),
            object_name=name,
        )
        total, first = int(page["totalSize"]), len(page["records"])
        pages_left = math.ceil((total - first) / max(first, 1))
        if (
            not page["done"]
            and total > bulk_threshold
            and pages_left > BULK_QUERY_CALLS
        ):
            yield from self._bulk_read(query)
            return
        yield from page["records"]
        last = page["records"][-1] if page["records"] else None
        while not page["done"]:
            try:
                page = self.call(
                    "query_more",
                    partial(_query_more, str(page["nextRecordsUrl"])),
                    object_name=name,
                )
            except CRMFatalError as error:
                page = self._resume(query, last, error)
            yield from page["records"]
            last = page["records"][-1] if page["records"] else last

    def _resume(self, query: Query, last: Record | None, error: CRMFatalError) -> Any:  # noqa: ANN401  # parsed JSON page
        """Re-run a keyset read after its last row when the cursor was lost.

        Query locators expire (docs/salesforce.md §3.1, INVALID_QUERY_LOCATOR);
        a read ordered by ``SystemModstamp, Id`` can continue from its last row.
        """
        stamp = parse_datetime(last.get("SystemModstamp")) if last else None
        if (
            error.code != LOST_CURSOR
            or not query.is_keyset
            or stamp is None
            or not last
        ):
            raise error
        log.info("salesforce.query_resumed", object=query.object_name)
        resumed = query.after(stamp, str(last["Id"]))
        return self.call(
            "query",
            lambda sf: sf.query(resumed.soql, include_deleted=True),
            object_name=query.object_name,
        )

    def collection(
        self,
        method: str,
        path: str,
        *,
        records: Sequence[Mapping[str, object]] = (),
        ids: Sequence[str] = (),
        object_name: str | None = None,
    ) -> list[Record]:
        """Send one sObject Collections request (≤ 200 records) with allOrNone off.

        https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
        """
        if method == "DELETE":
            params = {"ids": ",".join(ids), "allOrNone": "false"}
            send = partial(_restful, path, method, params=params)
        else:
            body = {"allOrNone": False, "records": list(records)}
            send = partial(_restful, path, method, json=body)
        result = self.call(
            f"collections_{method.lower()}", send, object_name=object_name
        )
        return list(result or [])

    def ingest(
        self,
        object_name: str,
        operation: str,
        csv_text: str,
        *,
        match_on: str,
        external_id: str | None = None,
    ) -> list[IngestRow]:
        """Run one Bulk API 2.0 ingest job and return every row's outcome.

        The CSV goes to simple-salesforce as a file, which it uploads as is (the
        ``records=`` form would re-render every row through ``csv.DictWriter``).
        The failed and unprocessed result files are fetched only when the job
        reports such rows, which saves two calls on a clean job. ``match_on``
        names the column that identifies a row in the results.
        """
        with tempfile.TemporaryDirectory(prefix="plansync-bulk-") as folder:
            path = Path(folder) / f"{object_name}.csv"
            path.write_text(csv_text, encoding="utf-8", newline="")

            def run(sf: Salesforce) -> list[IngestRow]:
                kind = getattr(sf.bulk2, object_name)
                start = getattr(kind, operation)
                options: dict[str, Any] = {"csv_file": str(path)}
                if external_id is not None:
                    options["external_id_field"] = external_id
                outcomes: list[IngestRow] = []
                for job in start(**options, wait=self.bulk_wait_s):
                    job_id = job["job_id"]
                    failed = int(job["numberRecordsFailed"])
                    left = int(job["numberRecordsTotal"]) - int(
                        job["numberRecordsProcessed"]
                    )
                    outcomes += parse_ingest_results(
                        kind.get_successful_records(job_id),
                        kind.get_failed_records(job_id) if failed else "",
                        kind.get_unprocessed_records(job_id) if left > 0 else "",
                        column=match_on,
                    )
                return outcomes

            return self.call(f"bulk_{operation}", run, object_name=object_name)

    def _bulk_read(self, query: Query) -> Iterator[Record]:
        def run(sf: Salesforce) -> list[str]:
            kind = getattr(sf.bulk2, query.object_name)
            start = kind.query_all if query.include_deleted else kind.query
            return list(
                start(
                    query.unordered, max_records=BULK_PAGE_ROWS, wait=self.bulk_wait_s
                )
            )

        pages = self.call("bulk_query", run, object_name=query.object_name)
        log.info("salesforce.bulk_query", object=query.object_name, pages=len(pages))
        for text in pages:
            yield from parse_query_csv(query.object_name, text)

    def _with_relogin(
        self, operation: str, fn: Callable[[Salesforce], T], object_name: str | None
    ) -> T:
        try:
            return self._once(operation, fn, object_name)
        except CRMAuthError as error:
            if not is_session_expiry(error) or self.settings.auth not in LOGIN_FLOWS:
                raise
        log.info("salesforce.session_renewed", operation=operation)
        self._client = None
        try:
            return self._once(operation, fn, object_name)
        except CRMAuthError as again:
            if not is_session_expiry(again):
                raise
            raise CRMAuthError(
                "the Salesforce session expired again right after a fresh login",
                crm=CRM,
                operation=operation,
                object_name=object_name,
                status=again.status,
                code=again.code,
            ) from again

    def _once(
        self, operation: str, fn: Callable[[Salesforce], T], object_name: str | None
    ) -> T:
        with _translate_errors(operation, object_name=object_name, meta=self.meta):
            if self._client is None:
                self._client = connect(self.settings, self.session)
            return fn(self._client)


def _query_more(url: str, sf: Salesforce) -> Any:  # noqa: ANN401  # parsed JSON page
    return sf.query_more(url, identifier_is_url=True)


def _restful(path: str, method: str, sf: Salesforce, **kwargs: Any) -> Any:  # noqa: ANN401  # parsed JSON
    return sf.restful(path, method=method, **kwargs)
