"""Compare what should exist with what the CRM holds, like ``terraform plan``.

``diff(desired, current)`` returns an immutable ``Diff`` of ``Change`` values; the
sync engine renders it for a dry run and executes the same object on apply.
Completed tasks are never touched, a field a human edited since plansync last
wrote it is reported as drift instead of being overwritten, and every obsolete
open task is withdrawn explicitly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from plansync.planning.keys import (
    KEY_PREFIX,
    TASK_FIELDS,
    field_hash,
    fingerprint_parts,
    join_fingerprint,
    key_year,
    task_fingerprint,
)
from plansync.planning.models import (
    Activity,
    PlannedTask,
    TaskStatus,
    TaskWithdrawal,
    TaskWrite,
)

FieldValue = str | date | tuple[str, ...] | None


class ChangeKind(StrEnum):
    """The verbs a diff can contain."""

    CREATE = "create"
    UPDATE = "update"
    WITHDRAW = "withdraw"
    KEEP = "keep"
    DRIFT = "drift"


@dataclass(frozen=True, slots=True)
class CreateTask:
    """Create a task that does not exist yet.

    It holds the planned task and builds the write on demand: a first run plans
    millions of creates, and a write per create held twice would double memory.
    """

    planned: PlannedTask
    kind: ChangeKind = ChangeKind.CREATE

    @property
    def task(self) -> TaskWrite:
        """Return the record to write."""
        return to_write(self.planned)


@dataclass(frozen=True, slots=True)
class UpdateTask:
    """Rewrite the fields plansync owns and nobody else touched since."""

    task: TaskWrite
    fields: tuple[str, ...]
    kind: ChangeKind = ChangeKind.UPDATE


@dataclass(frozen=True, slots=True)
class WithdrawTask:
    """Remove an open task that is no longer planned (or a duplicate)."""

    withdrawal: TaskWithdrawal
    kind: ChangeKind = ChangeKind.WITHDRAW


@dataclass(frozen=True, slots=True)
class KeepTask:
    """Leave a task as it is: already right, or completed."""

    key: str
    kind: ChangeKind = ChangeKind.KEEP


@dataclass(frozen=True, slots=True)
class Drift:
    """Report fields a human changed in the CRM; plansync leaves them be."""

    key: str
    fields: tuple[str, ...]
    kind: ChangeKind = ChangeKind.DRIFT


Change = CreateTask | UpdateTask | WithdrawTask | KeepTask | Drift
WRITES = frozenset({ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.WITHDRAW})


@dataclass(frozen=True, slots=True)
class Diff:
    """An ordered, immutable set of changes; ``is_empty`` when nothing needs writing."""

    changes: tuple[Change, ...]

    @property
    def creates(self) -> tuple[CreateTask, ...]:
        """Return the tasks to create."""
        return tuple(c for c in self.changes if isinstance(c, CreateTask))

    @property
    def updates(self) -> tuple[UpdateTask, ...]:
        """Return the tasks to update."""
        return tuple(c for c in self.changes if isinstance(c, UpdateTask))

    @property
    def withdrawals(self) -> tuple[WithdrawTask, ...]:
        """Return the tasks to withdraw."""
        return tuple(c for c in self.changes if isinstance(c, WithdrawTask))

    @property
    def drifts(self) -> tuple[Drift, ...]:
        """Return the human edits found."""
        return tuple(c for c in self.changes if isinstance(c, Drift))

    def counts(self) -> dict[str, int]:
        """Count changes by kind, every kind present (zeros included)."""
        found = Counter(c.kind.value for c in self.changes)
        return {kind.value: found.get(kind.value, 0) for kind in ChangeKind}

    @property
    def is_empty(self) -> bool:
        """Tell whether applying the diff would write nothing."""
        return not any(c.kind in WRITES for c in self.changes)


def task_values(item: PlannedTask | Activity | TaskWrite) -> dict[str, FieldValue]:
    """Return the owned fields of a task, whichever side it comes from."""
    return {
        "subject": item.subject,
        "description": item.description,
        "due": item.due,
        "owner_id": item.owner_id,
        "contact_ids": tuple(sorted(item.contact_ids)),
    }


def to_write(task: PlannedTask, *, crm_id: str | None = None) -> TaskWrite:
    """Turn a planned task into the record a connector writes."""
    contacts = tuple(sorted(task.contact_ids)) if task.contact_ids else ()
    return TaskWrite(
        key=task.key,
        account_id=task.account_id,
        kind=task.kind,
        subject=task.subject,
        description=task.description,
        due=task.due,
        owner_id=task.owner_id,
        contact_ids=contacts,
        fingerprint=task_fingerprint(
            task.subject, task.description, task.due, task.owner_id, contacts
        ),
        crm_id=crm_id,
    )


def diff(
    desired: Sequence[PlannedTask],
    current: Iterable[Activity],
    *,
    years: Iterable[int] | None = None,
) -> Diff:
    """Return the changes that turn ``current`` into ``desired``.

    Changes come in the order of ``desired``, then withdrawals by key, so the
    same inputs always give the same diff.

    Args:
        desired: the planned tasks, keys unique.
        current: activities read from the CRM; only those with a plansync key count.
        years: the plan years in scope; keys of other years are left alone.
            Defaults to the years of the desired tasks.
    """
    if years is None:
        years = {y for y in (key_year(t.key) for t in desired) if y is not None}
    prefixes = tuple(f"{KEY_PREFIX}:{year}:" for year in sorted(set(years)))
    owned: dict[str, Activity] = {}
    twins: dict[str, list[Activity]] = {}
    for activity in current:
        key = activity.key
        if not key or activity.is_deleted or not key.startswith(prefixes):
            continue
        if key in owned:
            twins.setdefault(key, [owned[key]]).append(activity)
        else:
            owned[key] = activity
    changes: list[Change] = []
    for task in desired:
        found = owned.pop(task.key, None)
        if found is None:
            changes.append(CreateTask(task))
        elif task.key in twins:
            changes.extend(_changes_for(task, twins[task.key]))
        elif found.status is TaskStatus.COMPLETED or _is_unchanged(task, found):
            changes.append(KeepTask(task.key))
        else:
            changes.extend(_reconcile_open(task, found))
    for key in sorted(owned):
        changes.extend(_changes_for(None, twins.get(key, [owned[key]])))
    return Diff(tuple(changes))


def _changes_for(task: PlannedTask | None, found: list[Activity]) -> list[Change]:
    # Survivor among duplicates: a completed one (it is history), then the oldest id.
    found.sort(
        key=lambda a: (not a.is_completed, a.status is TaskStatus.WITHDRAWN, a.id)
    )
    survivor, extras = (found[0], found[1:]) if found else (None, [])
    changes: list[Change] = [
        WithdrawTask(TaskWithdrawal(a.key or "", a.id, "duplicate"))
        for a in extras
        if a.status is TaskStatus.OPEN
    ]
    if task is None:
        if survivor is not None and survivor.status is TaskStatus.OPEN:
            reason = "no longer planned"
            changes.append(
                WithdrawTask(TaskWithdrawal(survivor.key or "", survivor.id, reason))
            )
        return changes
    if survivor is None:
        return [*changes, CreateTask(task)]
    if survivor.is_completed:
        return [*changes, KeepTask(task.key)]
    changes.extend(_reconcile_open(task, survivor))
    return changes


def _is_unchanged(task: PlannedTask, crm: Activity) -> bool:
    """Tell the steady state apart cheaply: open, fingerprinted, every field equal."""
    return (
        crm.status is TaskStatus.OPEN
        and crm.fingerprint is not None
        and task.subject == crm.subject
        and task.due == crm.due
        and task.owner_id == crm.owner_id
        and task.description == crm.description
        and (
            task.contact_ids == crm.contact_ids
            or sorted(task.contact_ids) == sorted(crm.contact_ids)
        )
    )


def _reconcile_open(task: PlannedTask, crm: Activity) -> list[Change]:
    if _is_unchanged(task, crm):
        return [KeepTask(task.key)]
    wanted, have = task_values(task), task_values(crm)
    stored = fingerprint_parts(crm.fingerprint)
    edited = tuple(
        name
        for name in TASK_FIELDS
        if stored is not None and field_hash(have[name]) != stored[name]
    )
    to_change = tuple(
        name
        for name in TASK_FIELDS
        if name not in edited and field_hash(wanted[name]) != field_hash(have[name])
    )
    reopen = crm.status is TaskStatus.WITHDRAWN
    changes: list[Change] = []
    if edited and any(field_hash(wanted[n]) != field_hash(have[n]) for n in edited):
        changes.append(Drift(task.key, edited))
    if not to_change and not reopen and stored is not None:
        return [*changes, KeepTask(task.key)]
    merged = {**wanted, **{name: have[name] for name in edited}}
    parts = {name: field_hash(merged[name]) for name in TASK_FIELDS}
    for name in edited:
        parts[name] = stored[name] if stored else parts[name]
    write = replace(
        to_write(task, crm_id=crm.id),
        subject=str(merged["subject"] or ""),
        description=str(merged["description"] or ""),
        due=merged["due"] if isinstance(merged["due"], date) else task.due,
        owner_id=merged["owner_id"] if isinstance(merged["owner_id"], str) else None,
        contact_ids=merged["contact_ids"]
        if isinstance(merged["contact_ids"], tuple)
        else (),
        fingerprint=join_fingerprint(parts),
        reopen=reopen,
    )
    fields = (
        to_change
        + (("status",) if reopen else ())
        + (() if stored else ("fingerprint",))
    )
    return [*changes, UpdateTask(write, fields)]


def simulate(changes: Diff, current: Sequence[Activity]) -> list[Activity]:
    """Return what the CRM would hold after applying ``changes`` to ``current``.

    A pure model of a connector's effect, used to state the diff's laws in tests.
    """
    by_id = {a.id: a for a in current}
    for change in changes.changes:
        match change:
            case CreateTask():
                task = change.task
                by_id[f"new:{task.key}"] = written_activity(task, f"new:{task.key}")
            case UpdateTask(task=task):
                old = by_id[task.crm_id or ""]
                by_id[old.id] = replace(
                    written_activity(task, old.id), status=TaskStatus.OPEN
                )
            case WithdrawTask(withdrawal=w):
                by_id.pop(w.crm_id, None)
            case KeepTask() | Drift():
                pass
    return list(by_id.values())


def written_activity(task: TaskWrite, crm_id: str) -> Activity:
    """Return the open task a CRM holds after writing ``task`` under ``crm_id``."""
    return Activity(
        id=crm_id,
        account_id=task.account_id,
        kind=task.kind,
        subject=task.subject,
        status=TaskStatus.OPEN,
        owner_id=task.owner_id,
        due=task.due,
        description=task.description,
        contact_ids=task.contact_ids,
        key=task.key,
        fingerprint=task.fingerprint,
    )
