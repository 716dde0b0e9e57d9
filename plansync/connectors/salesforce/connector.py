"""Keep plansync's records in a Salesforce org: the ``CRMConnector`` for Salesforce.

Reads select only the fields plansync maps and page through ``nextRecordsUrl``
(a Bulk API 2.0 query above the bulk threshold); incremental reads use
``queryAll`` from a watermark so deletions and merges come back flagged, and
``fetch_changes`` asks for every object's changes at once through ``/composite``
(two calls for the seven queries, then more pages only where there are). Writes
are keyed: a new task is upserted by ``PlanSync_Key__c`` (an External ID, not
unique on activities, docs/salesforce.md §8.3), so a retry after a lost answer
updates instead of duplicating; a known one is updated by id. Plans and
stakeholders are upserted by their unique keys, writing only the computed fields
that changed; compliance fields are written only where their values changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import TracebackType

import requests

from plansync.config.settings import SalesforceSettings
from plansync.connectors.base import Changes, Watermarks
from plansync.connectors.salesforce import soql
from plansync.connectors.salesforce.api import SalesforceApi
from plansync.connectors.salesforce.ingest import BulkIngest
from plansync.connectors.salesforce.mapping import WITHDRAWN
from plansync.connectors.salesforce.payloads import (
    changed,
    compliance_fields,
    reconciled_at,
    task_fields,
)
from plansync.connectors.salesforce.plans import PlanRecords, stored_records
from plansync.connectors.salesforce.reads import RecordReader, query
from plansync.connectors.salesforce.writes import RecordWriter, Write, unchanged
from plansync.planning.models import (
    Account,
    AccountCompliance,
    AccountPlan,
    Activity,
    Contact,
    Owner,
    TaskWithdrawal,
    TaskWrite,
    WriteResult,
)
from plansync.planning.playbooks import WithdrawMode
from plansync.retry import RetryPolicy

KEY = soql.KEY_FIELD


class SalesforceConnector:
    """Read and write plansync's records in one Salesforce org."""

    name = "salesforce"

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        bulk_wait_s: float = 2.0,
    ) -> None:
        """Prepare the connector; it logs in on its first call.

        Args:
            settings: org, login flow and field mapping.
            session: the HTTP session to use (one with the custom CA is built
                from ``settings`` when absent).
            retry: how transient faults are retried.
            sleep: how to wait between retries (tests pass a recorder).
            clock: the current time, which decides whether a meeting is over.
            bulk_wait_s: seconds before the first poll of a Bulk API 2.0 job.
        """
        self.settings = settings
        self.api = SalesforceApi(
            settings, session=session, retry=retry, sleep=sleep, bulk_wait_s=bulk_wait_s
        )
        ingest = BulkIngest(self.api, sleep=sleep, first_wait_s=bulk_wait_s)
        self.writer = RecordWriter(
            self.api, bulk_threshold=settings.bulk_threshold, ingest=ingest
        )
        self.reads = RecordReader(self.api, settings, clock=clock)
        self.plans = PlanRecords(self.reads.read, self.writer)

    def __enter__(self) -> SalesforceConnector:
        """Use the connector as a context manager that closes its session."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close the HTTP session."""
        self.close()

    def close(self) -> None:
        """Release the HTTP connections the connector opened."""
        self.api.close()

    # ---------------------------------------------------------------- reads
    def fetch_changes(self, *, since: Watermarks | None, year: int) -> Changes:
        """Read every object's changes after ``since``, first pages in one batch.

        With ``since`` None this is the full read of the ``fetch_*`` methods.
        Otherwise the seven reads (users, accounts, contacts, tasks, events,
        plans, stakeholder lines) go as ``/composite`` query subrequests, five to
        a call (the documented maximum), and only reads with more rows than one
        page cost further calls. ``read_at`` is the org's clock as the read began.

        Raises:
            CRMError: the changes cannot be read.
        """
        self.api.meta.begin_read()
        if since is None:
            changes = Changes(
                owners=tuple(self.fetch_owners()),
                accounts=tuple(self.fetch_accounts()),
                contacts=tuple(self.fetch_contacts()),
                activities=tuple(self.fetch_activities()),
                plans=tuple(self.fetch_plans(year=year)),
            )
        else:
            changes = self.reads.changes(since, year, plans=self.plans)
        return replace(changes, read_at=self.api.meta.read_started_at)

    def fetch_owners(self, *, since: datetime | None = None) -> Iterator[Owner]:
        """Yield the users changed after ``since`` (every user when None).

        Raises:
            CRMError: the users cannot be read.
        """
        rows = self.reads.read(query("User", soql.USER_FIELDS, since))
        yield from self.reads.owners(rows, since)

    def fetch_accounts(self, *, since: datetime | None = None) -> Iterator[Account]:
        """Yield accounts changed after ``since`` (all live ones when None).

        Raises:
            CRMError: the accounts cannot be read.
        """
        fields = self.reads.account_fields
        rows = self.reads.read(query("Account", fields, since))
        yield from self.reads.accounts(rows, since)

    def fetch_contacts(self, *, since: datetime | None = None) -> Iterator[Contact]:
        """Yield contacts changed after ``since`` (all live ones when None).

        Raises:
            CRMError: the contacts cannot be read.
        """
        fields = self.reads.contact_fields
        rows = self.reads.read(query("Contact", fields, since))
        yield from self.reads.contacts(rows, since)

    def fetch_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        """Yield tasks and events changed after ``since``, deletions included.

        A full read uses ``queryAll`` too, because ``query`` hides archived
        activities (docs/salesforce.md §7), which year-end compliance still needs.

        Raises:
            CRMError: the activities cannot be read.
        """
        tasks, events = self.reads.activity_queries(since)
        read = self.reads.read
        yield from self.reads.activities(read(tasks), read(events), since)

    def fetch_plans(
        self, *, year: int, since: datetime | None = None
    ) -> Iterator[AccountPlan]:
        """Yield the plan records of one year with their power maps, by key.

        With ``since``, only plans whose record or lines changed after it, and
        deleted ones flagged.

        Raises:
            CRMError: the plans cannot be read.
        """
        return self.plans.fetch(year, since)

    # ---------------------------------------------------------------- writes
    def upsert_tasks(self, tasks: Sequence[TaskWrite]) -> list[WriteResult]:
        """Create tasks by key and update known ones by id; one result per task.

        Raises:
            CRMError: a whole batch could not be sent.
        """
        names = self.reads.contact_names
        new = [t for t in tasks if not t.crm_id]
        known = [t for t in tasks if t.crm_id]
        created = self.writer.upsert(
            "Task",
            [Write(t.key, task_fields(t, names=names, is_open=True)) for t in new],
            external_id=KEY,
        )
        updated = self.writer.update(
            "Task",
            [
                Write(
                    t.key,
                    task_fields(t, names=names, is_open=t.reopen),
                    record_id=t.crm_id,
                )
                for t in known
            ],
        )
        by_key = {r.key: r for r in (*created, *updated)}
        return [by_key[t.key] for t in tasks]

    def withdraw_tasks(
        self, withdrawals: Sequence[TaskWithdrawal], *, mode: WithdrawMode
    ) -> list[WriteResult]:
        """Delete obsolete tasks, or set them ``Deferred``, per ``mode``.

        Raises:
            CRMError: a whole batch could not be sent.
        """
        match mode:
            case WithdrawMode.DELETE:
                writes = [Write(w.key, {}, record_id=w.crm_id) for w in withdrawals]
                return self.writer.delete("Task", writes)
            case WithdrawMode.STATUS:
                writes = [
                    Write(w.key, {"Status": WITHDRAWN}, record_id=w.crm_id)
                    for w in withdrawals
                ]
                return self.writer.update("Task", writes)

    def upsert_plans(self, plans: Sequence[AccountPlan]) -> list[WriteResult]:
        """Create plan records, or update the computed fields that changed, by key.

        The rep's narrative is written empty on create and never afterwards.
        Stakeholder records follow their plan; a failed one fails its plan.

        Raises:
            CRMError: a whole batch could not be sent.
        """
        return self.plans.upsert(plans)

    def write_compliance(self, rows: Sequence[AccountCompliance]) -> list[WriteResult]:
        """Write the compliance fields that changed onto each account.

        The current values are read first, so an unchanged account costs no
        write; ``PlanSync_Last_Reconciled__c`` moves only with a change.

        Raises:
            CRMError: the accounts could not be read or a batch not sent.
        """
        fields = ("Id", *soql.COMPLIANCE_FIELDS)
        current = stored_records(
            self.reads.read,
            "Account",
            fields,
            [r.account_id for r in rows],
            key="Id",
            broad=[soql.full("Account", fields)],
        )
        results: dict[str, WriteResult] = {}
        writes = []
        for row in rows:
            raw = current.get(row.account_id)
            if raw is None:
                results[row.account_id] = WriteResult(
                    row.account_id,
                    ok=False,
                    error="no such account",
                    error_code="NOT_FOUND",
                )
                continue
            delta = changed(raw, compliance_fields(row))
            if not delta:
                results[row.account_id] = unchanged(row.account_id, row.account_id)
                continue
            delta["PlanSync_Last_Reconciled__c"] = reconciled_at(row)
            writes.append(Write(row.account_id, delta, record_id=row.account_id))
        results.update((r.key, r) for r in self.writer.update("Account", writes))
        return [results[r.account_id] for r in rows]
