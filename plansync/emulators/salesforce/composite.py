"""Serve ``/composite`` (≤25 subrequests, ``@{ref.path}`` references) and batch.

Body-format problems answer 400 JSON_PARSER_ERROR before anything runs ("'referenceId'
is a required field.":
https://developer.salesforce.com/blogs/tech-pubs/2017/02/handle-errors-with-composite-resources.html).
"You can have up to 25 subrequests in a single call. Up to 5 of these subrequests
can be sObject Collections or query operations, including Query and QueryAll
requests" (the Note on
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm;
older versions of the page count "Query More" requests for a next batch too), so a
sixth such subrequest is refused with 400 before anything runs; the errorCode and
message Salesforce uses for it are UNCONFIRMED.
``/composite`` is one API call; with ``allOrNone`` a failure rolls every subrequest back
and the others report PROCESSING_HALTED. ``/composite/batch`` runs independent
subrequests, each committing and counting, with 412 BATCH_PROCESSING_HALTED after a
failure when ``haltOnError`` is set (docs/salesforce.md §5.2-5.3).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import Request, Response, json_response

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

MAX_SUBREQUESTS = 25
MAX_QUERY_SUBREQUESTS = 5
"""Query, QueryAll, query-more and Collections subrequests one ``/composite`` takes."""
_QUERY_LIKE = re.compile(
    r"^/?services/data/v\d+\.\d+/(query|queryall|composite/sobjects)(/|\?|$)",
    re.IGNORECASE,
)
_FAILED = 400  # the lowest HTTP status that counts as a failed subrequest
_REFERENCE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")
_STEP = re.compile(r"\.([A-Za-z0-9_]+)|\[(\d+)\]")
_ROLLED_BACK = [
    {
        "errorCode": "PROCESSING_HALTED",
        "message": "The transaction was rolled back since another operation in the "
        "same "
        "transaction failed.",
    }
]


class _UnresolvedError(Exception):
    """A ``@{...}`` reference to a result that does not exist."""


def composite(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /composite``."""
    del args
    body = req.json_object()
    subrequests = _subrequests(body.get("compositeRequest"), "compositeRequest")
    if not all(sub.get("referenceId") for sub in subrequests):
        raise ApiError(400, "JSON_PARSER_ERROR", "'referenceId' is a required field.")
    queries = sum(
        bool(_QUERY_LIKE.match(str(sub.get("url", "")))) for sub in subrequests
    )
    if queries > MAX_QUERY_SUBREQUESTS:
        raise ApiError(
            400,
            "INVALID_INPUT",
            f"A composite request can contain up to {MAX_QUERY_SUBREQUESTS} query "
            f"or sObject Collections subrequests; this one has {queries}.",
        )
    all_or_none = bool(body.get("allOrNone", False))
    results: list[dict[str, Any]] = []
    outputs: dict[str, object] = {}
    with app.store.transaction() as rollback:
        for sub in subrequests:
            ref = str(sub["referenceId"])
            if all_or_none and _any_failed(results):
                results.append(_result(ref, _FAILED, _ROLLED_BACK, {}))
            else:
                results.append(_run_subrequest(app, sub, ref, outputs))
        if all_or_none and _any_failed(results):
            rollback()
            results = [
                r
                if r["httpStatusCode"] >= _FAILED
                else _result(r["referenceId"], _FAILED, _ROLLED_BACK, {})
                for r in results
            ]
    return json_response(200, {"compositeResponse": results})


def _run_subrequest(
    app: App, sub: dict[str, Any], ref: str, outputs: dict[str, object]
) -> dict[str, Any]:
    """Resolve references, dispatch one subrequest and remember its result."""
    try:
        url = _substitute(str(sub.get("url", "")), outputs)
        payload = _substitute_json(sub.get("body"), outputs)
    except _UnresolvedError as missing:
        error = [{"errorCode": "PROCESSING_HALTED", "message": str(missing)}]
        return _result(ref, _FAILED, error, {})
    response = app.dispatch_internal(
        str(sub.get("method", "GET")), url, payload, sub.get("httpHeaders") or {}
    )
    parsed = response.json()
    if response.status < _FAILED:
        outputs[ref] = parsed
    headers = {k: v for k, v in response.headers.items() if k == "Location"}
    return _result(ref, response.status, parsed, headers)


def _any_failed(results: list[dict[str, Any]]) -> bool:
    return any(result["httpStatusCode"] >= _FAILED for result in results)


def batch(app: App, req: Request, args: dict[str, str]) -> Response:
    """``POST /composite/batch``."""
    del args
    body = req.json_object()
    subrequests = _subrequests(body.get("batchRequests"), "batchRequests")
    halt = bool(body.get("haltOnError", False))
    app.usage.spend(max(0, len(subrequests) - 1))
    results: list[dict[str, Any]] = []
    halted = False
    for sub in subrequests:
        if halted:
            results.append(
                {
                    "statusCode": 412,
                    "result": [
                        {
                            "errorCode": "BATCH_PROCESSING_HALTED",
                            "message": "Batch processing halted per request",
                        }
                    ],
                }
            )
            continue
        url = "/services/data/" + str(sub.get("url", "")).lstrip("/")
        response = app.dispatch_internal(
            str(sub.get("method", "GET")), url, sub.get("richInput"), {}
        )
        results.append({"statusCode": response.status, "result": response.json()})
        halted = halt and response.status >= _FAILED
    has_errors = any(result["statusCode"] >= _FAILED for result in results)
    return json_response(200, {"hasErrors": has_errors, "results": results})


def _subrequests(value: object, name: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ApiError(400, "JSON_PARSER_ERROR", f"'{name}' is a required field.")
    if len(value) > MAX_SUBREQUESTS:
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            f"{name} can contain at most {MAX_SUBREQUESTS} subrequests",
        )
    return value


def _result(
    ref: str, status: int, body: object, headers: dict[str, str]
) -> dict[str, Any]:
    return {
        "body": body,
        "httpHeaders": headers,
        "httpStatusCode": status,
        "referenceId": ref,
    }


def _substitute(text: str, outputs: dict[str, object]) -> str:
    def replace(match: re.Match[str]) -> str:
        return str(_resolve(match, outputs))

    return _REFERENCE.sub(replace, text)


def _substitute_json(value: object, outputs: dict[str, object]) -> object:
    if value is None:
        return None
    substituted: object = json.loads(_substitute(json.dumps(value), outputs))
    return substituted


def _resolve(match: re.Match[str], outputs: dict[str, object]) -> object:
    ref, path = match.group(1), match.group(2)
    if ref not in outputs:
        raise _UnresolvedError(
            f"Invalid reference specified. No value for {ref}{path} found in {ref}. "
            f"Provided referenceId ({ref}) must be a previously executed subrequest."
        )
    current = outputs[ref]
    for name, index in _STEP.findall(path):
        if index and isinstance(current, list) and int(index) < len(current):
            current = current[int(index)]
        elif not index and isinstance(current, dict) and name in current:
            current = current[name]
        else:
            raise _UnresolvedError(
                f"Invalid reference specified. No value for {ref}{path} found in {ref}."
            )
    return current
