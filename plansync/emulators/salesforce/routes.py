"""List the REST resources under ``/services/data/vXX.X/`` and their handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plansync.emulators.salesforce import (
    bulk2_ingest,
    bulk2_query,
    collections,
    composite,
    describe,
    limits,
    query,
    replication,
    sobjects,
)
from plansync.emulators.salesforce.http import Request, Response
from plansync.emulators.salesforce.router import Route, route

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App


def _record(app: App, req: Request, args: dict[str, str]) -> Response:
    handlers = {
        "GET": sobjects.read,
        "PATCH": sobjects.update,
        "DELETE": sobjects.delete,
    }
    return handlers[req.method](app, req, args)


def _query_all(app: App, req: Request, args: dict[str, str]) -> Response:
    return query.run_query(app, req, {**args, "all": "1"})


def data_routes() -> list[Route]:
    """Return the data resources, most specific patterns first."""
    return [
        route("GET", "", describe.resources, "resources"),
        route("GET", "sobjects", describe.global_describe, "sobjects"),
        route("GET", "sobjects/{type}/describe", describe.describe, "sobjects"),
        route("GET", "sobjects/{type}/updated", replication.updated, "sobjects"),
        route("GET", "sobjects/{type}/deleted", replication.deleted, "sobjects"),
        route("GET", "sobjects/{type}", describe.basic_info, "sobjects"),
        route("POST", "sobjects/{type}", sobjects.create, "sobjects"),
        route("POST", "sobjects/{type}/Id", sobjects.create, "sobjects"),
        route("GET PATCH DELETE", "sobjects/{type}/{id}", _record, "sobjects"),
        route(
            "GET PATCH DELETE",
            "sobjects/{type}/{field}/{value}",
            sobjects.by_external_id,
            "sobjects",
        ),
        route("GET", "query", query.run_query, "query"),
        route("GET", "query/{locator}", query.query_more, "query"),
        route("GET", "queryAll", _query_all, "queryAll"),
        route("GET", "queryAll/{locator}", query.query_more, "queryAll"),
        route("GET", "limits", limits.limits, "limits"),
        route("POST", "composite", composite.composite, "composite"),
        route("POST", "composite/batch", composite.batch, "composite/batch"),
        route("POST", "composite/sobjects", collections.create, "composite/sobjects"),
        route("PATCH", "composite/sobjects", collections.update, "composite/sobjects"),
        route("DELETE", "composite/sobjects", collections.delete, "composite/sobjects"),
        route(
            "GET POST",
            "composite/sobjects/{type}",
            collections.retrieve,
            "composite/sobjects",
        ),
        route(
            "PATCH",
            "composite/sobjects/{type}/{field}",
            collections.upsert,
            "composite/sobjects",
        ),
        route("POST", "jobs/ingest", bulk2_ingest.create, "jobs/ingest"),
        route("GET", "jobs/ingest", bulk2_ingest.listing, "jobs/ingest"),
        route("GET", "jobs/ingest/{job}", bulk2_ingest.info, "jobs/ingest"),
        route("PATCH", "jobs/ingest/{job}", bulk2_ingest.change_state, "jobs/ingest"),
        route("DELETE", "jobs/ingest/{job}", bulk2_ingest.remove, "jobs/ingest"),
        route("PUT", "jobs/ingest/{job}/batches", bulk2_ingest.upload, "jobs/ingest"),
        route("GET", "jobs/ingest/{job}/{kind}", bulk2_ingest.results, "jobs/ingest"),
        route("POST", "jobs/query", bulk2_query.create, "jobs/query"),
        route("GET", "jobs/query", bulk2_query.listing, "jobs/query"),
        route("GET", "jobs/query/{job}", bulk2_query.info, "jobs/query"),
        route("PATCH", "jobs/query/{job}", bulk2_query.change_state, "jobs/query"),
        route("DELETE", "jobs/query/{job}", bulk2_query.remove, "jobs/query"),
        route("GET", "jobs/query/{job}/results", bulk2_query.results, "jobs/query"),
    ]
