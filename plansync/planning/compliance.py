"""Reconcile planned occurrences with completed activity: compliance per account (R9).

An occurrence is done when its own task is completed or, as its activity's
``done_by`` allows, a matching completed activity falls inside its period. One
activity satisfies at most one occurrence. Rolled up per owner and per segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from plansync.planning.models import (
    Account,
    AccountCompliance,
    AccountPlan,
    Activity,
    ComplianceStatus,
    PlannedTask,
)
from plansync.planning.playbooks import DoneBy, PlaybookSet, Thresholds


def with_compliance(
    plans: Sequence[AccountPlan], rows: Sequence[AccountCompliance]
) -> tuple[AccountPlan, ...]:
    """Copy each account's done count, percent and status onto its plan record."""
    by_account = {row.account_id: row for row in rows}
    result = []
    for plan in plans:
        row = by_account.get(plan.account_id)
        if row is not None:
            plan = replace(  # noqa: PLW2901  # the record with its compliance
                plan,
                done_activities=row.done_to_date,
                compliance_pct=row.percent,
                status=row.status,
            )
        result.append(plan)
    return tuple(result)


def status_for(percent: float, thresholds: Thresholds) -> ComplianceStatus:
    """Map a compliance percentage to a status by the playbook's thresholds."""
    if percent >= thresholds.on_track_pct:
        return ComplianceStatus.ON_TRACK
    if percent >= thresholds.at_risk_pct:
        return ComplianceStatus.AT_RISK
    return ComplianceStatus.OFF_TRACK


def done_keys(
    tasks: Sequence[PlannedTask],
    activities: Iterable[Activity],
    rules: Mapping[tuple[str, str], DoneBy],
) -> dict[str, date | None]:
    """Return, for each done occurrence key, the day it was done (None if unknown).

    ``rules`` maps ``(segment, activity id)`` to that activity's ``done_by``.
    """
    planned = {t.key for t in tasks}
    own: dict[str, Activity] = {}
    pool: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        if activity.is_deleted or not activity.is_completed:
            continue
        if activity.key in planned:
            own[activity.key] = activity
        else:
            pool[activity.account_id].append(activity)
    for items in pool.values():
        items.sort(key=lambda a: (a.completed_on or date.min, a.id))
    used: set[str] = set()
    done: dict[str, date | None] = {}
    for task in sorted(tasks, key=lambda t: (t.period.end, t.key)):
        rule = rules.get((task.segment, task.activity), DoneBy())
        mine = own.get(task.key)
        if rule.task and mine is not None:
            done[task.key] = mine.completed_on
            continue
        match = _first_match(task, rule, pool.get(task.account_id, ()), used)
        if match is not None:
            used.add(match.id)
            done[task.key] = match.completed_on
    return done


def _first_match(
    task: PlannedTask, rule: DoneBy, candidates: Iterable[Activity], used: set[str]
) -> Activity | None:
    if not rule.kinds:
        return None
    keyword = rule.subject_contains.casefold() if rule.subject_contains else None
    for activity in candidates:
        day = activity.completed_on
        if (
            activity.id not in used
            and activity.kind in rule.kinds
            and day is not None
            and task.period.contains(day)
            and (keyword is None or keyword in activity.subject.casefold())
        ):
            return activity
    return None


def done_by_rules(playbooks: PlaybookSet) -> dict[tuple[str, str], DoneBy]:
    """Index every activity's ``done_by`` by ``(segment, activity id)``."""
    return {
        (segment.name, rule.id): rule.done_by
        for segment in playbooks.segments
        for rule in segment.activities
    }


def account_compliance(
    accounts: Sequence[Account],
    tasks: Sequence[PlannedTask],
    activities: Sequence[Activity],
    *,
    playbooks: PlaybookSet,
    segments: Mapping[str, str | None],
    year: int,
    as_of: date,
) -> list[AccountCompliance]:
    """Compute the compliance fields of every live account as of a day."""
    done = done_keys(tasks, activities, done_by_rules(playbooks))
    by_account: dict[str, list[PlannedTask]] = defaultdict(list)
    for task in tasks:
        by_account[task.account_id].append(task)
    last_done: dict[str, date] = {}
    for activity in activities:
        day = activity.completed_on
        if activity.is_completed and day and day <= as_of and not activity.is_deleted:
            last_done[activity.account_id] = max(
                day, last_done.get(activity.account_id, day)
            )
    rows = []
    for account in sorted(accounts, key=lambda a: a.id):
        if account.is_deleted:
            continue
        rows.append(
            _row(
                account,
                by_account.get(account.id, []),
                done,
                segment=segments.get(account.id),
                year=year,
                as_of=as_of,
                thresholds=playbooks.thresholds,
                last=last_done.get(account.id),
            )
        )
    return rows


def _row(
    account: Account,
    tasks: Sequence[PlannedTask],
    done: Mapping[str, date | None],
    *,
    segment: str | None,
    year: int,
    as_of: date,
    thresholds: Thresholds,
    last: date | None,
) -> AccountCompliance:
    due = [t for t in tasks if t.due <= as_of]
    done_due = sum(1 for t in due if t.key in done)
    overdue = sum(1 for t in due if t.due < as_of and t.key not in done)
    upcoming = [t.due for t in tasks if t.due >= as_of and t.key not in done]
    percent = 100.0 if not due else round(100.0 * done_due / len(due), 1)
    if segment is None or not tasks:
        status = ComplianceStatus.NO_PLAN
    else:
        status = status_for(percent, thresholds)
    return AccountCompliance(
        account_id=account.id,
        year=year,
        as_of=as_of,
        segment=segment,
        owner_id=account.owner_id,
        planned_year=len(tasks),
        planned_to_date=len(due),
        done_to_date=done_due,
        percent=percent,
        status=status,
        overdue=overdue,
        next_due=min(upcoming, default=None),
        last_activity_on=last,
    )


@dataclass(frozen=True, slots=True)
class Rollup:
    """Compliance summed over a group of accounts (an owner or a segment)."""

    group: str
    accounts: int
    planned_year: int
    planned_to_date: int
    done_to_date: int
    overdue: int
    percent: float
    by_status: Mapping[str, int]


def roll_up(rows: Iterable[AccountCompliance], *, by: str) -> list[Rollup]:
    """Sum compliance rows per ``by`` (``"owner"`` or ``"segment"``), by group."""
    groups: dict[str, list[AccountCompliance]] = defaultdict(list)
    for row in rows:
        key = row.owner_id if by == "owner" else row.segment
        groups[key or "-"].append(row)
    result = []
    for group, items in sorted(groups.items()):
        planned = sum(r.planned_to_date for r in items)
        done = sum(r.done_to_date for r in items)
        statuses: dict[str, int] = defaultdict(int)
        for r in items:
            statuses[r.status.value] += 1
        result.append(
            Rollup(
                group=group,
                accounts=len(items),
                planned_year=sum(r.planned_year for r in items),
                planned_to_date=planned,
                done_to_date=done,
                overdue=sum(r.overdue for r in items),
                percent=100.0 if not planned else round(100.0 * done / planned, 1),
                by_status=dict(sorted(statuses.items())),
            )
        )
    return result
