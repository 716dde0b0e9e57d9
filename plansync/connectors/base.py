"""The one port between plansync and a CRM: the ``CRMConnector`` Protocol.

Only canonical models from ``plansync.planning.models`` cross it, alone or
bundled in the two value types defined here for batched reads (``Watermarks``
in, ``Changes`` out). Reads are incremental from a watermark; writes are upserts
by plansync's stable key and return one ``WriteResult`` per record: a record the
CRM rejects comes back as a failed result, never as an exception. Exceptions
(``CRMError`` subclasses) mean the call as a whole could not be made.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Watermarks:
    """Where the caller's knowledge of each object type ends.

    Each type's field is the newest modification stamp the caller has seen of
    it; ``None`` asks for every live record of the type instead of the changes.
    ``read_at`` is the CRM's clock when the caller's last read began (from
    ``Changes.read_at``), for CRMs whose stamps can precede their commit.
    """

    owners: datetime | None = None
    accounts: datetime | None = None
    contacts: datetime | None = None
    activities: datetime | None = None
    plans: datetime | None = None
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """What one batched read found: records changed after the watermarks.

    Deleted records come back flagged ``is_deleted``; a type read in full (its
    watermark ``None``) holds every live record. Plans are those of one year,
    each complete with its power map. A CRM may also return records the caller
    already holds, unchanged (those stamped just before its last read began,
    which that read may have missed); merging by id makes them harmless.
    ``read_at`` is the CRM's clock when this read began, when the CRM says.
    """

    owners: tuple[Owner, ...] = ()
    accounts: tuple[Account, ...] = ()
    contacts: tuple[Contact, ...] = ()
    activities: tuple[Activity, ...] = ()
    plans: tuple[AccountPlan, ...] = ()
    read_at: datetime | None = None

    @property
    def count(self) -> int:
        """Return how many records were read, of every type."""
        return (
            len(self.owners)
            + len(self.accounts)
            + len(self.contacts)
            + len(self.activities)
            + len(self.plans)
        )


@runtime_checkable
class CRMConnector(Protocol):
    """Read accounts and activity from a CRM; write tasks, plans and compliance back."""

    name: str

    def fetch_changes(self, *, since: Watermarks | None, year: int) -> Changes:
        """Read every type's changes after ``since`` in as few calls as the CRM allows.

        With ``since`` None every live record is read, as the ``fetch_*`` methods
        would with no watermark. Plans are those of plan year ``year``.
        """
        ...

    def fetch_owners(self, *, since: datetime | None = None) -> Iterator[Owner]:
        """Yield users who can own accounts and tasks, changed after ``since``."""
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

    def fetch_plans(
        self, *, year: int, since: datetime | None = None
    ) -> Iterator[AccountPlan]:
        """Yield the account plans of one plan year changed after ``since``."""
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
