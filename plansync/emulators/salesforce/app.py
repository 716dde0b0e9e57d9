"""Wire the emulated org together and run each request through one pipeline.

Pipeline: control API (no auth) → stats → injected faults (latency, failure) →
OAuth/SOAP login, versions list → API version → bearer token (401) → daily limit
(403) → route → ``Sforce-Limit-Info`` header. Handlers run under the store lock, so
the threaded server never interleaves two writes.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from plansync.emulators.salesforce import auth, control, describe
from plansync.emulators.salesforce.bulk2_jobs import Jobs
from plansync.emulators.salesforce.errors import ApiError, not_found
from plansync.emulators.salesforce.faults import FaultRule, Faults, Stats
from plansync.emulators.salesforce.http import (
    Request,
    Response,
    error_response,
    json_response,
)
from plansync.emulators.salesforce.limits import ApiUsage
from plansync.emulators.salesforce.query import Cursors
from plansync.emulators.salesforce.router import Router, split_path
from plansync.emulators.salesforce.routes import data_routes
from plansync.emulators.salesforce.schema import Schema
from plansync.emulators.salesforce.sessions import Credentials, Sessions
from plansync.emulators.salesforce.soql_engine import QueryEngine
from plansync.emulators.salesforce.store import Store
from plansync.emulators.salesforce.writes import Writer

_VERSION = re.compile(r"v(\d+)\.0")
_DATA = "/services/data"


class App:
    """The emulated org: data, credentials, limits, faults, and request handling."""

    def __init__(
        self,
        schema: Schema,
        credentials: Credentials,
        *,
        session_ttl_s: float,
        daily_api_limit: int,
        bulk_job_polls: int = 1,
    ) -> None:
        """Create an empty org; Bulk jobs finish by the ``bulk_job_polls``-th poll."""
        self.schema = schema
        self.store = Store(schema)
        self.writer = Writer(self.store)
        self.credentials = credentials
        self.sessions = Sessions(credentials.org_id, session_ttl_s)
        self.usage = ApiUsage(daily_api_limit)
        self.faults = Faults()
        self.stats = Stats()
        self.cursors = Cursors()
        self.jobs = Jobs()
        self.router = Router(data_routes())
        self.base_url = "https://127.0.0.1"
        self.bulk_job_polls = bulk_job_polls
        self.bulk_batches = 0
        self.bulk_query_jobs = 0
        self.reseed: Callable[[], None] | None = None

    def engine(self, version: str) -> QueryEngine:
        """Return a SOQL engine speaking API ``version`` (``v59.0``)."""
        return QueryEngine(self.store, api_version=version.lstrip("v"))

    def identity_url(self) -> str:
        """Return the identity URL of the API user."""
        return f"{self.base_url}/id/{self.credentials.org_id}/{self.store.user_id}"

    def count_writes(self, count: int) -> None:
        """Count records created, updated or deleted by a request."""
        self.stats.add_writes(count)

    def handle(self, req: Request) -> Response:
        """Answer one HTTP request."""
        if req.path.startswith("/__emulator"):
            return control.handle(self, req)
        self.stats.request(f"{req.method} {self._endpoint(req)}")
        rule = self.faults.match(req.target)
        if rule is not None:
            if rule.latency_ms:
                time.sleep(rule.latency_ms / 1000)
            if rule.status:
                return self._fault_response(req, rule)
        try:
            return self._route(req)
        except ApiError as error:
            response = error_response(error)
            if req.path.startswith(_DATA + "/v"):
                response.headers["Sforce-Limit-Info"] = self.usage.header()
            return response

    def dispatch_internal(
        self, method: str, url: str, body: object, headers: dict[str, str]
    ) -> Response:
        """Run a composite subrequest (already authenticated and counted)."""
        payload = b"" if body is None else json.dumps(body).encode()
        req = Request.build(
            method, url, {"Content-Type": "application/json", **headers}, payload
        )
        try:
            with self.store.lock:
                return self._data(req, authenticate=False)
        except ApiError as error:
            return error_response(error)

    def _route(self, req: Request) -> Response:
        path = req.path
        if path.rstrip("/") == "/services/oauth2/token" and req.method == "POST":
            with self.store.lock:
                return auth.token(self, req)
        if path.rstrip("/") == "/services/oauth2/authorize" and req.method == "GET":
            return auth.authorize(self, req)
        if path.startswith("/services/Soap/u/") and req.method == "POST":
            return auth.soap(self, req)
        if path.rstrip("/") == _DATA and req.method == "GET":
            return describe.versions(self, req, {})
        if not path.startswith(_DATA + "/"):
            raise not_found()
        with self.store.lock:
            response = self._data(req, authenticate=True)
        response.headers["Sforce-Limit-Info"] = self.usage.header()
        return response

    def _data(self, req: Request, *, authenticate: bool) -> Response:
        segments = split_path(req.path)[2:]
        match = _VERSION.fullmatch(segments[0]) if segments else None
        if match is None or not (
            describe.OLDEST_VERSION <= int(match.group(1)) <= describe.NEWEST_VERSION
        ):
            raise not_found()
        if authenticate:
            auth.check_bearer(self, req)
            self.usage.spend()
        route, args = self.router.resolve(req.method, segments[1:])
        return route.handler(self, req, {**args, "version": segments[0]})

    def _endpoint(self, req: Request) -> str:
        segments = split_path(req.path)
        if segments[:2] == ["services", "oauth2"]:
            return "/".join(segments[1:3])
        if segments[:2] == ["services", "Soap"]:
            return "Soap/u"
        if segments[:2] == ["services", "data"]:
            if segments[2:]:
                return self.router.name_for(req.method, segments[3:])
            return "versions"
        return "other"

    def _fault_response(self, req: Request, rule: FaultRule) -> Response:
        status = rule.status or 503
        if req.path.rstrip("/") == "/services/oauth2/token":
            body: Any = {
                "error": rule.error_code.lower(),
                "error_description": rule.message,
            }
        else:
            body = rule.body()
        response = json_response(status, body)
        if rule.retry_after_s is not None:
            response.headers["Retry-After"] = str(rule.retry_after_s)
        if req.path.startswith(_DATA + "/v"):
            response.headers["Sforce-Limit-Info"] = self.usage.header()
        return response
