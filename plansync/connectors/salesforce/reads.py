"""Read an org's records for plansync: queries, and rows mapped to canonical models.

One object at a time (the connector's ``fetch_*`` methods), or every object's
changes at once (``changes``): the seven reads go as ``/composite`` query
subrequests, and each goes on by ``nextRecordsUrl`` or a Bulk query only when
it has more rows than one page. Reading also keeps what later writes need: the
contacts' names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from plansync.config.settings import SalesforceSettings
from plansync.connectors.base import Changes, Watermarks
from plansync.connectors.salesforce import soql
from plansync.connectors.salesforce.api import Record, SalesforceApi
from plansync.connectors.salesforce.mapping import (
    account_from_sf,
    contact_from_sf,
    event_from_sf,
    owner_from_sf,
    task_from_sf,
)
from plansync.connectors.salesforce.plans import PlanRecords
from plansync.planning.models import Account, Activity, Contact, Owner

_Stamped = TypeVar("_Stamped", Owner, Account, Contact, Activity)


class RecordReader:
    """Build the reads of one org and map their rows."""

    def __init__(
        self,
        api: SalesforceApi,
        settings: SalesforceSettings,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        """Read through ``api`` the fields ``settings`` map."""
        self.api = api
        self.settings = settings
        self.fields = settings.fields
        self.account_fields = soql.account_fields(settings.fields)
        self.contact_fields = soql.contact_fields(settings.fields)
        self._clock = clock
        self.contact_names: dict[str, str] = {}

    def read(self, query: soql.Query) -> Iterator[Record]:
        """Yield the rows of one query (REST pages, or Bulk when large)."""
        return self.api.read(query, bulk_threshold=self.settings.bulk_threshold)

    def changes(self, since: Watermarks, year: int, *, plans: PlanRecords) -> Changes:
        """Read every object's changes after ``since`` in one batch of reads.

        Each read also returns the rows stamped in the overlap before the
        previous read began (``soql.since_condition``); the caller holds those
        already unless they committed late, and de-duplicates them.

        Raises:
            CRMError: the changes cannot be read.
        """
        at = since.read_at
        tasks, events = self.activity_queries(since.activities, at)
        users, accounts, contacts, task_rows, event_rows, plan_rows, lines = (
            self.api.read_many(
                [
                    query("User", soql.USER_FIELDS, since.owners, at),
                    query("Account", self.account_fields, since.accounts, at),
                    query("Contact", self.contact_fields, since.contacts, at),
                    tasks,
                    events,
                    soql.plans_of_year(year, since.plans, at),
                    soql.lines_of_year(year, since.plans, at),
                ],
                bulk_threshold=self.settings.bulk_threshold,
            )
        )
        return Changes(
            owners=tuple(self.owners(users, None)),
            accounts=tuple(self.accounts(accounts, None)),
            contacts=tuple(self.contacts(contacts, None)),
            activities=tuple(self.activities(task_rows, event_rows, None)),
            plans=tuple(plans.assemble(plan_rows, lines, after=None)),
        )

    def activity_queries(
        self, since: datetime | None, read_at: datetime | None = None
    ) -> tuple[soql.Query, soql.Query]:
        """Return the Task and Event reads (``queryAll``: archived ones count)."""
        live = "" if since else "IsDeleted = false AND "
        where = f"{live}AccountId != null"
        return (
            query("Task", soql.TASK_FIELDS, since, read_at, where=where, every=True),
            query("Event", soql.EVENT_FIELDS, since, read_at, where=where, every=True),
        )

    @staticmethod
    def owners(rows: Iterable[Record], since: datetime | None) -> Iterator[Owner]:
        """Map User rows (those after ``since`` only, when given)."""
        yield from after((owner_from_sf(raw) for raw in rows), since)

    def accounts(
        self, rows: Iterable[Record], since: datetime | None
    ) -> Iterator[Account]:
        """Map Account rows (those after ``since`` only, when given)."""
        yield from after((account_from_sf(raw, self.fields) for raw in rows), since)

    def contacts(
        self, rows: Iterable[Record], since: datetime | None
    ) -> Iterator[Contact]:
        """Map Contact rows, remembering each contact's name for task descriptions."""
        mapped = (contact_from_sf(raw, self.fields) for raw in rows)
        for contact in after((c for c in mapped if c is not None), since):
            self.contact_names[contact.id] = contact.name
            yield contact

    def activities(
        self,
        tasks: Iterable[Record],
        events: Iterable[Record],
        since: datetime | None,
    ) -> Iterator[Activity]:
        """Map Task and Event rows."""
        now = self._clock()
        mapped = [
            *(task_from_sf(raw) for raw in tasks),
            *(event_from_sf(raw, now=now) for raw in events),
        ]
        yield from after((a for a in mapped if a is not None), since)


def query(
    object_name: str,
    fields: Sequence[str],
    since: datetime | None,
    read_at: datetime | None = None,
    *,
    where: str = "",
    every: bool = False,
) -> soql.Query:
    """Return a full read, or a read of changes (with ``read_at``, the batch's).

    ``every`` makes a full read include deleted and archived rows.
    """
    if since is None:
        return soql.full(object_name, fields, where=where, include_deleted=every)
    if read_at is None:
        return soql.incremental(object_name, fields, since, extra=where)
    return soql.changes(object_name, fields, since, read_at, extra=where)


def after(records: Iterable[_Stamped], since: datetime | None) -> Iterator[_Stamped]:
    """Yield records stamped after ``since``, each id once (the latest wins).

    An incremental read starts before ``since`` (``soql.read_from``);
    what the caller has already seen is dropped here. With ``since`` None every
    record passes.
    """
    if since is None:
        yield from records
        return
    latest: dict[str, _Stamped] = {}
    for record in records:
        if record.modified_at is not None and record.modified_at > since:
            latest[record.id] = record
    yield from sorted(latest.values(), key=lambda r: (r.modified_at or since, r.id))
