"""Make Salesforce calls: one login, bounded retries, one re-login, translated errors.

Every call goes through ``SalesforceApi.call``: errors are translated by
``_translate_errors``, transient ones retried by ``call_with_retries``, and an
expired session (a 401 simple-salesforce could not renew itself: a directly
handed-in token, or any Bulk API 2.0 call, docs/salesforce.md §1.5) answered by
one fresh login and one more try. Reads page through ``nextRecordsUrl`` and switch
to a Bulk API 2.0 query when the first page says the result is large; several
reads can fetch their first pages together through ``/composite``. Bulk API 2.0
ingest jobs are run by ``ingest`` through ``call`` too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import quote_plus

import requests
import structlog
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from plansync.config.settings import SalesforceSettings
from plansync.connectors.salesforce.auth import LOGIN_FLOWS, build_session, connect
from plansync.connectors.salesforce.bulk_csv import parse_query_csv
from plansync.connectors.salesforce.errors import (
    CRM,
    ResponseMeta,
    _translate_errors,
    is_session_expiry,
)
from plansync.connectors.salesforce.mapping import parse_datetime
from plansync.connectors.salesforce.soql import Query, chunks
from plansync.errors import CRMAuthError, CRMFatalError
from plansync.retry import RetryPolicy, call_with_retries

T = TypeVar("T")
Record = dict[str, Any]
BULK_PAGE_ROWS = 50_000
LOST_CURSOR = "INVALID_QUERY_LOCATOR"
BULK_QUERY_CALLS = 4
"""Calls a Bulk query job takes: create, two status polls, one result page."""
COMPOSITE_QUERIES = 5
"""Query subrequests per ``/composite`` call: "Up to 5 of these subrequests can be
sObject Collections or query operations, including Query and QueryAll requests"
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm)."""
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
        page = self.call(
            "query",
            lambda sf: sf.query(query.soql, include_deleted=query.include_deleted),
            object_name=query.object_name,
        )
        yield from self._rest(query, page, bulk_threshold=bulk_threshold)

    def read_many(
        self, queries: Sequence[Query], *, bulk_threshold: int
    ) -> list[Iterator[Record]]:
        """Return the rows of each query, their first pages fetched in one go.

        The first pages come from ``/composite`` query subrequests, at most
        ``COMPOSITE_QUERIES`` a call; each query then goes on as ``read`` would
        (more pages by ``nextRecordsUrl``, or a Bulk query job when large),
        lazily, as its rows are consumed.

        Raises:
            CRMError: a composite call, or one of its subrequests, failed.
        """
        pages: list[Any] = []
        for batch in chunks(list(queries), COMPOSITE_QUERIES):
            pages += self.call(
                "composite_query",
                partial(_composite_query, batch),
                object_name=",".join(q.object_name for q in batch),
            )
        return [
            self._rest(query, page, bulk_threshold=bulk_threshold)
            for query, page in zip(queries, pages, strict=True)
        ]

    def _rest(
        self,
        query: Query,
        page: Any,  # noqa: ANN401  # parsed JSON page
        *,
        bulk_threshold: int,
    ) -> Iterator[Record]:
        """Yield the rows of a query from its first page on."""
        name = query.object_name
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


def _composite_query(queries: Sequence[Query], sf: Salesforce) -> list[Any]:
    """Send the queries as ``/composite`` subrequests; return each first page.

    allOrNone is off: query subrequests change nothing, and each answers alone.
    A failed subrequest raises simple-salesforce's error for its status and body,
    for ``_translate_errors`` to translate.
    """
    version = str(sf.sf_version)
    urls = [subrequest_url(query, version) for query in queries]
    body = {
        "allOrNone": False,
        "compositeRequest": [
            {"method": "GET", "url": url, "referenceId": f"q{index}"}
            for index, url in enumerate(urls)
        ],
    }
    answer = sf.restful("composite", method="POST", json=body) or {}
    items = answer.get("compositeResponse") or []
    by_ref = {item.get("referenceId"): item for item in items}
    pages = []
    for index, (query, url) in enumerate(zip(queries, urls, strict=True)):
        item = by_ref.get(f"q{index}") or {
            "httpStatusCode": HTTPStatus.BAD_GATEWAY,
            "body": [{"errorCode": "MISSING_SUBRESPONSE"}],
        }
        status = int(item["httpStatusCode"])
        if status >= HTTPStatus.MULTIPLE_CHOICES:
            raise SalesforceError(url, status, query.object_name, item["body"])
        pages.append(item["body"])
    return pages


def subrequest_url(query: Query, version: str) -> str:
    """Return the query (or queryAll) resource URL a composite subrequest names."""
    resource = "queryAll" if query.include_deleted else "query"
    return f"/services/data/v{version}/{resource}/?q={quote_plus(query.soql)}"
