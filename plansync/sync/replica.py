"""Keep what plansync last read of a CRM, so the next pull asks only for changes.

A ``Replica`` holds the live records of every type by id (plans by key, their
stable identity) and a watermark per type: the newest modification stamp seen.
``since()`` says what to ask the connector; ``merge()`` folds the answer in,
replacing records by id and dropping those flagged deleted; ``snapshot()`` is
what planning reads. Merging is idempotent, so a record a connector returns
twice (its overlap window re-reads the last seconds) changes nothing.

It is plain data with no I/O: a state store can persist it as rows (one table
per type plus one of watermarks) and load it back through ``Replica.restore``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from plansync.connectors.base import Changes, Watermarks
from plansync.planning.models import Account, AccountPlan, Activity, Contact, Owner

FLOOR = datetime(1970, 1, 1, tzinfo=UTC)
"""The watermark of a type read when none of its records carried a stamp."""


class _Stamped(Protocol):
    @property
    def modified_at(self) -> datetime | None: ...


_R = TypeVar("_R", Owner, Account, Contact, Activity)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the CRM held when we looked: live records, in a stable order."""

    owners: tuple[Owner, ...]
    accounts: tuple[Account, ...]
    contacts: tuple[Contact, ...]
    activities: tuple[Activity, ...]
    plans: tuple[AccountPlan, ...]


@dataclass
class Replica:
    """The live records last read of one CRM, with a watermark per type.

    ``year`` is the plan year whose plans are held; ``watermarks`` is None until
    the first merge, which is what makes the first pull a full read.
    """

    owners: dict[str, Owner] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    plans: dict[str, AccountPlan] = field(default_factory=dict)
    watermarks: Watermarks | None = None
    year: int | None = None

    @classmethod
    def restore(
        cls, snapshot: Snapshot, *, watermarks: Watermarks, year: int
    ) -> Replica:
        """Rebuild a replica from stored records and watermarks (a store's load)."""
        replica = cls(watermarks=watermarks, year=year)
        replica.owners = _by_id(snapshot.owners)
        replica.accounts = _by_id(snapshot.accounts)
        replica.contacts = _by_id(snapshot.contacts)
        replica.activities = _by_id(snapshot.activities)
        replica.plans = {p.key: p for p in snapshot.plans}
        return replica

    def since(self, *, year: int) -> Watermarks | None:
        """Return what to ask for: None (everything) on the first pull.

        Plans of another year than those held are read in full.
        """
        if self.watermarks is None:
            return None
        if self.year != year:
            return replace(self.watermarks, plans=None)
        return self.watermarks

    def merge(self, changes: Changes, *, since: Watermarks | None, year: int) -> None:
        """Fold in what a read asked with ``since`` returned.

        A type read in full (its watermark None) replaces what was held of it;
        otherwise records replace theirs by id and deleted ones leave. Each
        watermark moves to the newest stamp seen, never back.
        """
        asked = since or Watermarks()
        types = ("owners", "accounts", "contacts", "activities", "plans")
        full = {name for name in types if getattr(asked, name) is None}
        _fold(self.owners, changes.owners, is_full="owners" in full)
        _fold(self.accounts, changes.accounts, is_full="accounts" in full)
        _fold(self.contacts, changes.contacts, is_full="contacts" in full)
        _fold(self.activities, changes.activities, is_full="activities" in full)
        if "plans" in full:
            self.plans.clear()
        for plan in changes.plans:
            if plan.is_deleted:
                self.plans.pop(plan.key, None)
            else:
                self.plans[plan.key] = plan
        self.watermarks = Watermarks(
            owners=_newest(asked.owners, changes.owners),
            accounts=_newest(asked.accounts, changes.accounts),
            contacts=_newest(asked.contacts, changes.contacts),
            activities=_newest(asked.activities, changes.activities),
            plans=_newest(asked.plans, changes.plans),
            read_at=changes.read_at,
        )
        self.year = year

    def snapshot(self) -> Snapshot:
        """Return the held records, each type in (stamp, id) order, plans by key."""
        return Snapshot(
            owners=tuple(sorted(self.owners.values(), key=lambda o: o.id)),
            accounts=_ordered(self.accounts),
            contacts=_ordered(self.contacts),
            activities=_ordered(self.activities),
            plans=tuple(sorted(self.plans.values(), key=lambda p: p.key)),
        )


def _fold(held: dict[str, _R], records: Iterable[_R], *, is_full: bool) -> None:
    if is_full:
        held.clear()
    for record in records:
        if getattr(record, "is_deleted", False):
            held.pop(record.id, None)
        else:
            held[record.id] = record


def _newest(previous: datetime | None, records: Iterable[_Stamped]) -> datetime:
    stamps = [r.modified_at for r in records if r.modified_at is not None]
    return max([previous or FLOOR, *stamps])


def _ordered(held: Mapping[str, _R]) -> tuple[_R, ...]:
    # The order an in-memory full read gives, so a replica and a fresh read agree.
    return tuple(sorted(held.values(), key=lambda r: (r.modified_at or FLOOR, r.id)))


def _by_id(records: Iterable[_R]) -> dict[str, _R]:
    return {r.id: r for r in records}
