"""Write records in batches: sObject Collections up to a threshold, Bulk API 2.0 above.

Collections take 200 records a call with ``allOrNone`` off, so one bad record
fails alone (docs/salesforce.md §5.1); above ``bulk_threshold`` rows one Bulk API
2.0 ingest job does the work in a handful of calls (§6.1). Either way every record
comes back as a ``WriteResult`` in input order; a rejected record is a failed
result with Salesforce's error code, retriable when the code says so (a row lock).

A Bulk upsert reads the successful-results file only when the caller needs the
ids of created records (``needs_ids``); without it a written record's result has
no id, and ``created`` says what the write meant to do: plansync upserts by key
only records its last read did not find. The next read brings the ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from plansync.connectors.salesforce.api import Record, SalesforceApi
from plansync.connectors.salesforce.bulk_csv import render_parts
from plansync.connectors.salesforce.ingest import BulkIngest, IngestOutcome
from plansync.connectors.salesforce.soql import chunks
from plansync.planning.models import WriteResult

BATCH = 200
"""Records per sObject Collections call, the documented maximum."""

RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNPROCESSED"})
GONE_CODES = frozenset({"ENTITY_IS_DELETED"})
"""Delete outcomes that mean the record is already gone, which is the goal."""


@dataclass(frozen=True, slots=True)
class Write:
    """One record to write: plansync's key for it, its fields, its id if known."""

    key: str
    fields: Mapping[str, object]
    record_id: str | None = None


class RecordWriter:
    """Upsert, update and delete records of one org in the cheapest batches."""

    def __init__(
        self, api: SalesforceApi, *, bulk_threshold: int, ingest: BulkIngest
    ) -> None:
        """Write through ``api``; more than ``bulk_threshold`` rows go by ``ingest``."""
        self.api = api
        self.bulk_threshold = bulk_threshold
        self.ingest = ingest

    def upsert(
        self,
        object_name: str,
        writes: Sequence[Write],
        *,
        external_id: str,
        needs_ids: bool = False,
    ) -> list[WriteResult]:
        """Create or update records by an external ID held in their fields.

        ``needs_ids`` asks for the record ids even when Bulk writes them.
        """
        if len(writes) > self.bulk_threshold:
            outcome = self.ingest.run(
                object_name,
                "upsert",
                render_parts([w.fields for w in writes], clear=True),
                match_on=external_id,
                external_id=external_id,
                needs_ids=needs_ids,
            )
            return ingest_results(
                writes,
                outcome,
                lambda w: str(w.fields[external_id]),
                column=external_id,
                is_create=True,
            )
        path = f"composite/sobjects/{object_name}/{external_id}"
        return self._collections("PATCH", path, object_name, writes)

    def update(self, object_name: str, writes: Sequence[Write]) -> list[WriteResult]:
        """Update records by id, sending only the fields given."""
        if len(writes) > self.bulk_threshold:
            records = [{"Id": w.record_id, **w.fields} for w in writes]
            outcome = self.ingest.run(
                object_name,
                "update",
                render_parts(records, clear=True),
                match_on="Id",
            )
            return ingest_results(
                writes, outcome, lambda w: str(w.record_id), column="Id"
            )
        return self._collections("PATCH", "composite/sobjects", object_name, writes)

    def delete(self, object_name: str, writes: Sequence[Write]) -> list[WriteResult]:
        """Delete records by id; one already deleted counts as deleted."""
        if len(writes) > self.bulk_threshold:
            outcome = self.ingest.run(
                object_name,
                "delete",
                render_parts([{"Id": w.record_id} for w in writes], clear=False),
                match_on="Id",
            )
            results = ingest_results(
                writes, outcome, lambda w: str(w.record_id), column="Id"
            )
        else:
            results = []
            for batch in chunks(list(writes), BATCH):
                ids = [str(w.record_id) for w in batch]
                items = self.api.collection(
                    "DELETE", "composite/sobjects", ids=ids, object_name=object_name
                )
                results += collection_results(batch, items)
        return [_gone_is_done(result) for result in results]

    def _collections(
        self, method: str, path: str, object_name: str, writes: Sequence[Write]
    ) -> list[WriteResult]:
        results: list[WriteResult] = []
        for batch in chunks(list(writes), BATCH):
            records = [_record(object_name, w) for w in batch]
            items = self.api.collection(
                method, path, records=records, object_name=object_name
            )
            results += collection_results(batch, items)
        return results


def collection_results(
    writes: Sequence[Write], items: Sequence[Record]
) -> list[WriteResult]:
    """Pair a collections response (request order) with the writes sent.

    A failed item carries ``errors: [{statusCode, message, fields}]`` and may have
    no ``id`` or a null one (docs/salesforce.md §5.1).
    """
    out = []
    for index, write in enumerate(writes):
        item = items[index] if index < len(items) else None
        if item is None:
            out.append(_failed(write, "MISSING_RESULT", "no result for this record"))
        elif item.get("success"):
            crm_id = item.get("id") or write.record_id
            out.append(
                WriteResult(
                    write.key,
                    ok=True,
                    crm_id=None if crm_id is None else str(crm_id),
                    created=bool(item.get("created")),
                )
            )
        else:
            errors = item.get("errors") or [{}]
            first = errors[0] if isinstance(errors[0], dict) else {}
            code = str(first.get("statusCode") or first.get("errorCode") or "UNKNOWN")
            out.append(_failed(write, code, str(first.get("message") or code)))
    return out


def ingest_results(
    writes: Sequence[Write],
    outcome: IngestOutcome,
    identity: Callable[[Write], str],
    *,
    column: str,
    is_create: bool = False,
) -> list[WriteResult]:
    """Pair Bulk ingest outcomes with the writes by ``column`` (rows come unordered).

    A write the result files do not name succeeded when they list failures
    only; ``is_create`` is then what its result says of ``created``.
    """
    by_value = {row.values.get(column, ""): row for row in outcome.rows}
    by_id = {row.record_id: row for row in outcome.rows if row.record_id}
    out = []
    for write in writes:
        value = identity(write)
        row = by_value.get(value) or by_id.get(value)
        if row is None and not outcome.lists_successes:
            out.append(
                WriteResult(
                    write.key, ok=True, crm_id=write.record_id, created=is_create
                )
            )
        elif row is None:
            out.append(_failed(write, "MISSING_RESULT", "no result for this record"))
        elif row.ok:
            crm_id = row.record_id or write.record_id
            out.append(
                WriteResult(write.key, ok=True, crm_id=crm_id, created=row.created)
            )
        else:
            code = row.error_code or "UNKNOWN"
            out.append(_failed(write, code, row.error or code))
    return out


def unchanged(key: str, crm_id: str | None) -> WriteResult:
    """Return the result of a record that needed no write."""
    return WriteResult(key, ok=True, crm_id=crm_id)


def _record(object_name: str, write: Write) -> dict[str, object]:
    record: dict[str, object] = {"attributes": {"type": object_name}}
    if write.record_id is not None:
        record["id"] = write.record_id
    record.update(write.fields)
    return record


def _failed(write: Write, code: str, message: str) -> WriteResult:
    return WriteResult(
        write.key,
        ok=False,
        crm_id=write.record_id,
        error=message,
        error_code=code,
        is_retriable=code in RETRIABLE_CODES,
    )


def _gone_is_done(result: WriteResult) -> WriteResult:
    if result.ok or result.error_code not in GONE_CODES:
        return result
    return WriteResult(result.key, ok=True, crm_id=result.crm_id)
