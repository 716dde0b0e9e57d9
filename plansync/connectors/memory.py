"""An in-memory CRM behind ``CRMConnector``: the demo's CRM and the tests' fake.

It behaves like a CRM where it matters to plansync: upserts by key, per-record
errors returned as values, incremental reads by modification stamp, deletions
visible to incremental reads, and faults injected on request (never by patching).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from plansync.connectors.base import Changes, Watermarks
from plansync.errors import CRMError, CRMTransientError
from plansync.planning.diff import written_activity
from plansync.planning.models import (
    Account,
    AccountCompliance,
    AccountPlan,
    Activity,
    Contact,
    Owner,
    TaskStatus,
    TaskWithdrawal,
    TaskWrite,
    WriteResult,
)
from plansync.planning.plan_changes import keep_narrative
from plansync.planning.playbooks import WithdrawMode
from plansync.sample import Sample

MAX_SUBJECT_LENGTH = 255  # Salesforce Task.Subject and HubSpot hs_task_subject limits
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
_Stamped = TypeVar("_Stamped", Account, Contact, Activity)
_Read = TypeVar("_Read", Owner, Account, Contact, Activity, AccountPlan)


@dataclass
class _Fault:
    operation: str
    count: int
    error: CRMError


@dataclass
class InMemoryCRM:
    """A working CRM in a few dictionaries; ``name`` is ``"memory"``.

    ``calls`` counts calls by operation, ``records_read`` the records each read
    operation handed out, and ``writes`` the records each write changed.
    """

    name: str = "memory"
    owners: dict[str, Owner] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    plans: dict[str, AccountPlan] = field(default_factory=dict)
    compliance: dict[str, AccountCompliance] = field(default_factory=dict)
    clock: Callable[[], datetime] | None = None
    calls: dict[str, int] = field(default_factory=dict)
    writes: dict[str, int] = field(default_factory=dict)
    records_read: dict[str, int] = field(default_factory=dict)
    _faults: list[_Fault] = field(default_factory=list)
    _rejects: dict[str, tuple[str, int]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _last: datetime = _EPOCH

    @classmethod
    def from_sample(cls, sample: Sample) -> InMemoryCRM:
        """Build a CRM holding a generated sample."""
        crm = cls()
        crm.load(sample)
        return crm

    def load(self, sample: Sample) -> None:
        """Add a sample's records, keeping their ids and stamps."""
        self.owners.update((o.id, o) for o in sample.owners)
        self.accounts.update((a.id, a) for a in sample.accounts)
        self.contacts.update((c.id, c) for c in sample.contacts)
        self.activities.update((a.id, a) for a in sample.activities)
        records: list[Account | Contact | Activity] = [
            *sample.accounts,
            *sample.contacts,
            *sample.activities,
        ]
        stamps = [r.modified_at for r in records if r.modified_at is not None]
        self._last = max([self._last, *stamps])

    # ---------------------------------------------------------------- reads
    def fetch_changes(self, *, since: Watermarks | None, year: int) -> Changes:
        """Read every type through the ``fetch_*`` methods, in one call."""
        self._enter("fetch_changes")
        marks = since or Watermarks()
        return Changes(
            owners=tuple(self.fetch_owners(since=marks.owners)),
            accounts=tuple(self.fetch_accounts(since=marks.accounts)),
            contacts=tuple(self.fetch_contacts(since=marks.contacts)),
            activities=tuple(self.fetch_activities(since=marks.activities)),
            plans=tuple(self.fetch_plans(year=year, since=marks.plans)),
        )

    def fetch_owners(self, *, since: datetime | None = None) -> Iterator[Owner]:
        """Yield owners modified after ``since`` (every owner when None)."""
        self._enter("fetch_owners")
        owners = sorted(self.owners.values(), key=lambda o: o.id)
        if since is not None:
            owners = [o for o in owners if o.modified_at and o.modified_at > since]
        yield from self._handed_out("fetch_owners", owners)

    def fetch_accounts(self, *, since: datetime | None = None) -> Iterator[Account]:
        """Yield accounts modified after ``since`` (live ones when None)."""
        self._enter("fetch_accounts")
        changed = _changed(self.accounts.values(), since)
        yield from self._handed_out("fetch_accounts", changed)

    def fetch_contacts(self, *, since: datetime | None = None) -> Iterator[Contact]:
        """Yield contacts modified after ``since`` (live ones when None)."""
        self._enter("fetch_contacts")
        changed = _changed(self.contacts.values(), since)
        yield from self._handed_out("fetch_contacts", changed)

    def fetch_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        """Yield activities changed after ``since`` (deletions too), or live ones."""
        self._enter("fetch_activities")
        changed = _changed(self.activities.values(), since)
        yield from self._handed_out("fetch_activities", changed)

    def fetch_plans(
        self, *, year: int, since: datetime | None = None
    ) -> Iterator[AccountPlan]:
        """Yield the plan records of one year modified after ``since``."""
        self._enter("fetch_plans")
        plans = sorted(
            (p for p in self.plans.values() if p.year == year), key=lambda p: p.key
        )
        if since is not None:
            plans = [p for p in plans if p.modified_at and p.modified_at > since]
        yield from self._handed_out("fetch_plans", plans)

    # ---------------------------------------------------------------- writes
    def upsert_tasks(self, tasks: Sequence[TaskWrite]) -> list[WriteResult]:
        """Create or update tasks by key."""
        self._enter("upsert_tasks")
        return [self._upsert_task(task) for task in tasks]

    def withdraw_tasks(
        self, withdrawals: Sequence[TaskWithdrawal], *, mode: WithdrawMode
    ) -> list[WriteResult]:
        """Delete open tasks, or set them to withdrawn."""
        self._enter("withdraw_tasks")
        results = []
        for item in withdrawals:
            found = self.activities.get(item.crm_id)
            if found is None or found.is_deleted:
                results.append(_failed(item.key, "NOT_FOUND", "task does not exist"))
                continue
            if found.is_completed:
                results.append(_failed(item.key, "COMPLETED", "completed tasks stay"))
                continue
            if mode is WithdrawMode.DELETE:
                gone = replace(found, is_deleted=True, modified_at=self._now())
            else:
                gone = replace(
                    found, status=TaskStatus.WITHDRAWN, modified_at=self._now()
                )
            self.activities[found.id] = gone
            self._count("withdraw_tasks")
            results.append(WriteResult(item.key, ok=True, crm_id=found.id))
        return results

    def upsert_plans(self, plans: Sequence[AccountPlan]) -> list[WriteResult]:
        """Create plan records, or update their computed fields, by key."""
        self._enter("upsert_plans")
        results = []
        for plan in plans:
            if plan.account_id not in self.accounts:
                results.append(
                    _failed(plan.key, "INVALID_CROSS_REFERENCE_KEY", "no account")
                )
                continue
            old = self.plans.get(plan.key)
            stored = plan if old is None else keep_narrative(plan, old)
            crm_id = old.crm_id if old and old.crm_id else f"P{next(self._ids):07d}"
            self.plans[plan.key] = replace(
                stored, crm_id=crm_id, modified_at=self._now()
            )
            self._count("upsert_plans")
            results.append(
                WriteResult(plan.key, ok=True, crm_id=crm_id, created=old is None)
            )
        return results

    def write_compliance(self, rows: Sequence[AccountCompliance]) -> list[WriteResult]:
        """Store compliance fields on accounts, counting only real changes."""
        self._enter("write_compliance")
        results = []
        for row in rows:
            if row.account_id not in self.accounts:
                results.append(_failed(row.account_id, "NOT_FOUND", "no account"))
                continue
            if _compliance_fields(
                self.compliance.get(row.account_id)
            ) != _compliance_fields(row):
                self.compliance[row.account_id] = row
                self._count("write_compliance")
            results.append(WriteResult(row.account_id, ok=True, crm_id=row.account_id))
        return results

    # ---------------------------------------------------------------- reps and tests
    def complete_task(self, key: str, *, on: date) -> Activity:
        """Mark the open task with ``key`` completed, as a rep would."""
        task = next(
            a for a in self.activities.values() if a.key == key and not a.is_deleted
        )
        done = replace(
            task, status=TaskStatus.COMPLETED, completed_on=on, modified_at=self._now()
        )
        self.activities[task.id] = done
        return done

    def edit_task(self, key: str, **fields: object) -> Activity:
        """Change a task's fields by hand, as a rep would, leaving the fingerprint."""
        task = next(
            a for a in self.activities.values() if a.key == key and not a.is_deleted
        )
        edited = replace(task, modified_at=self._now(), **fields)  # type: ignore[arg-type]  # caller names Activity fields
        self.activities[task.id] = edited
        return edited

    def log_activity(self, activity: Activity) -> Activity:
        """Record an activity a rep logged by hand."""
        logged = replace(
            activity,
            id=activity.id or f"L{next(self._ids):07d}",
            modified_at=self._now(),
        )
        self.activities[logged.id] = logged
        return logged

    def update_account(self, account_id: str, **fields: object) -> Account:
        """Change an account, as a rep or an integration would."""
        account = replace(self.accounts[account_id], modified_at=self._now(), **fields)  # type: ignore[arg-type]  # caller names Account fields
        self.accounts[account_id] = account
        return account

    def edit_plan(self, key: str, **fields: object) -> AccountPlan:
        """Change a plan record by hand (its narrative, say), as a rep would."""
        plan = replace(self.plans[key], modified_at=self._now(), **fields)  # type: ignore[arg-type]  # caller names AccountPlan fields
        self.plans[key] = plan
        return plan

    def fail_next(
        self, operation: str, *, count: int = 1, error: CRMError | None = None
    ) -> None:
        """Make the next ``count`` calls of ``operation`` raise ``error`` (a 503)."""
        fault = error or CRMTransientError(
            "service unavailable", crm=self.name, operation=operation, status=503
        )
        self._faults.append(_Fault(operation, count, fault))

    def reject(
        self,
        key: str,
        *,
        code: str = "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        times: int = -1,
    ) -> None:
        """Make the next ``times`` writes (all when -1) of record ``key`` fail.

        Codes in ``RETRIABLE_CODES`` come back marked retriable, as a row lock does.
        """
        self._rejects[key] = (code, times)

    # ---------------------------------------------------------------- internals
    def _upsert_task(self, task: TaskWrite) -> WriteResult:
        rejected = self._rejected(task.key)
        if rejected is not None:
            return rejected
        if task.account_id not in self.accounts:
            return _failed(
                task.key, "INVALID_CROSS_REFERENCE_KEY", "account does not exist"
            )
        if len(task.subject) > MAX_SUBJECT_LENGTH:
            return _failed(task.key, "STRING_TOO_LONG", "subject longer than 255")
        old = self._find(task)
        if old is not None and old.is_completed:
            return _failed(task.key, "COMPLETED", "completed tasks are not changed")
        crm_id = old.id if old else f"T{next(self._ids):07d}"
        self.activities[crm_id] = replace(
            written_activity(task, crm_id), modified_at=self._now()
        )
        self._count("upsert_tasks")
        return WriteResult(task.key, ok=True, crm_id=crm_id, created=old is None)

    def _rejected(self, key: str) -> WriteResult | None:
        if key not in self._rejects:
            return None
        code, times = self._rejects[key]
        if times == 0:
            return None
        self._rejects[key] = (code, times - 1 if times > 0 else times)
        return replace(
            _failed(key, code, "rejected by the CRM"),
            is_retriable=code in RETRIABLE_CODES,
        )

    def _find(self, task: TaskWrite) -> Activity | None:
        if task.crm_id and task.crm_id in self.activities:
            found = self.activities[task.crm_id]
            return None if found.is_deleted else found
        return next(
            (
                a
                for a in self.activities.values()
                if a.key == task.key and not a.is_deleted
            ),
            None,
        )

    def _enter(self, operation: str) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        for fault in self._faults:
            if fault.operation == operation and fault.count > 0:
                fault.count -= 1
                raise fault.error

    def _handed_out(self, operation: str, records: list[_Read]) -> list[_Read]:
        self.records_read[operation] = self.records_read.get(operation, 0) + len(
            records
        )
        return records

    def _count(self, operation: str) -> None:
        self.writes[operation] = self.writes.get(operation, 0) + 1

    def _now(self) -> datetime:
        if self.clock is not None:
            return self.clock()
        # Strictly increasing stamps so "modified after the watermark" is exact.
        self._last += timedelta(microseconds=1)
        return self._last


def _changed(records: Iterable[_Stamped], since: datetime | None) -> list[_Stamped]:
    """Return the live records (``since`` None) or those stamped after ``since``."""
    if since is None:
        items = [r for r in records if not r.is_deleted]
    else:
        items = [
            r for r in records if r.modified_at is not None and r.modified_at > since
        ]
    return sorted(items, key=lambda r: (r.modified_at or _EPOCH, r.id))


def _failed(key: str, code: str, message: str) -> WriteResult:
    return WriteResult(key, ok=False, error=message, error_code=code)


def _compliance_fields(row: AccountCompliance | None) -> tuple[object, ...] | None:
    if row is None:
        return None
    return (
        row.segment,
        row.planned_to_date,
        row.done_to_date,
        row.percent,
        row.status,
        row.overdue,
        row.next_due,
    )
