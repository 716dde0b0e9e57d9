"""What reps do in a Salesforce org, for the demo: complete, reschedule and log work.

Reps use the Salesforce UI; here the same record changes go through the REST API
with the real simple-salesforce, 200 records a call (sObject Collections).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import requests

from plansync.emulators.salesforce.emulator import SalesforceEmulator
from plansync.emulators.salesforce.testing import direct_client, trusted_session
from plansync.planning.models import Activity, ActivityKind, TaskStatus

_BATCH = 200  # sObject Collections accept at most 200 records a call
_TYPES = {ActivityKind.CALL: "Call", ActivityKind.EMAIL: "Email"}


class SalesforceDesk:
    """Act as the org's reps through the REST API."""

    def __init__(self, emulator: SalesforceEmulator) -> None:
        """Connect to a running emulator as a user of the org."""
        self._session: requests.Session = trusted_session(emulator)
        self._sf = direct_client(emulator, self._session)

    def close(self) -> None:
        """Release the HTTP session."""
        self._session.close()

    def account_owners(self) -> dict[str, str | None]:
        """Return every account's id and owner."""
        rows = self._sf.query_all_iter("SELECT Id, OwnerId FROM Account ORDER BY Id")
        return {row["Id"]: row["OwnerId"] for row in rows}

    def open_tasks(self) -> list[Activity]:
        """Return the open tasks plansync created, oldest id first."""
        rows = self._sf.query_all_iter(
            "SELECT Id, WhatId, OwnerId, Subject, ActivityDate, PlanSync_Key__c "
            "FROM Task WHERE PlanSync_Key__c != null AND IsClosed = false ORDER BY Id"
        )
        return [
            Activity(
                id=row["Id"],
                account_id=row["WhatId"],
                kind=ActivityKind.TODO,
                subject=row["Subject"],
                status=TaskStatus.OPEN,
                owner_id=row["OwnerId"],
                due=date.fromisoformat(row["ActivityDate"])
                if row["ActivityDate"]
                else None,
                key=row["PlanSync_Key__c"],
            )
            for row in rows
        ]

    def complete(self, done: Sequence[tuple[Activity, date]]) -> None:
        """Mark tasks completed on the day the rep did the work."""
        self._patch(
            {"id": task.id, "Status": "Completed", "ActivityDate": day.isoformat()}
            for task, day in done
        )

    def move_due(self, moves: Sequence[tuple[Activity, date]]) -> None:
        """Move tasks' due dates by hand."""
        self._patch(
            {"id": task.id, "ActivityDate": day.isoformat()} for task, day in moves
        )

    def log(self, activities: Sequence[Activity]) -> None:
        """Log completed calls and meetings by hand, as Tasks."""
        records = [
            {
                "attributes": {"type": "Task"},
                "WhatId": a.account_id,
                "OwnerId": a.owner_id,
                "Subject": a.subject,
                "Status": "Completed",
                "ActivityDate": _day(a).isoformat(),
                "Type": _TYPES.get(a.kind, "Meeting"),
                **({"TaskSubtype": _TYPES[a.kind]} if a.kind in _TYPES else {}),
            }
            for a in activities
        ]
        for batch in _batches(records):
            self._sf.restful(
                "composite/sobjects",
                method="POST",
                json={"allOrNone": False, "records": batch},
            )

    def _patch(self, changes: Iterable[dict[str, Any]]) -> None:
        records = [{"attributes": {"type": "Task"}, **change} for change in changes]
        for batch in _batches(records):
            self._sf.restful(
                "composite/sobjects",
                method="PATCH",
                json={"allOrNone": False, "records": batch},
            )


def _batches(records: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(records), _BATCH):
        yield records[start : start + _BATCH]


def _day(activity: Activity) -> date:
    day = activity.completed_on or activity.due
    if day is None:
        raise ValueError(f"logged activity {activity.subject!r} needs a day")
    return day
