"""The one port between plansync and a CRM: the ``CRMConnector`` Protocol.

Only canonical models from ``plansync.planning.models`` cross it. Reads are
incremental from a watermark; writes are upserts by plansync's stable key and
return one ``WriteResult`` per record: a record the CRM rejects comes back as a
failed result, never as an exception. Exceptions (``CRMError`` subclasses) mean the
call as a whole could not be made.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class CRMConnector(Protocol):
    """Read accounts and activity from a CRM; write tasks, plans and compliance back."""

    name: str

    def fetch_owners(self) -> Iterator[Owner]:
        """Yield every user who can own accounts and tasks."""
        ...

    def fetch_accounts(self, *, since: datetime | None = None) -> Iterator[Account]:
        """Yield accounts changed after ``since`` (all when None), deletions flagged."""
        ...

    def fetch_contacts(self, *, since: datetime | None = None) -> Iterator[Contact]:
        """Yield contacts changed after ``since`` (all when None), deletions flagged."""
        ...

    def fetch_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        """Yield activities (ours and the reps') changed after ``since``."""
        ...

    def fetch_plans(self, *, year: int) -> Iterator[AccountPlan]:
        """Yield the account plan records of one plan year."""
        ...

    def upsert_tasks(self, tasks: Sequence[TaskWrite]) -> list[WriteResult]:
        """Create or update tasks by key; one result per task, in order."""
        ...

    def withdraw_tasks(
        self, withdrawals: Sequence[TaskWithdrawal], *, mode: WithdrawMode
    ) -> list[WriteResult]:
        """Delete obsolete open tasks, or mark them withdrawn, per ``mode``."""
        ...

    def upsert_plans(self, plans: Sequence[AccountPlan]) -> list[WriteResult]:
        """Create plan records, or update only their computed fields, by key."""
        ...

    def write_compliance(self, rows: Sequence[AccountCompliance]) -> list[WriteResult]:
        """Write compliance fields onto account records, only where they changed."""
        ...
