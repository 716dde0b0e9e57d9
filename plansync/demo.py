"""Run the whole cycle on an embedded CRM: plan, apply, reps at work, reconcile.

This is what ``plansync demo`` runs. The reps are simulated with a seeded random
generator, so the same arguments print the same figures.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from plansync.bootstrap import build_engine
from plansync.connectors.base import CRMConnector
from plansync.connectors.memory import InMemoryCRM
from plansync.planning.calendar import plan_year_of
from plansync.planning.compliance import Rollup, roll_up
from plansync.planning.models import (
    Account,
    Activity,
    ActivityKind,
    TaskStatus,
)
from plansync.planning.playbooks import PlaybookSet
from plansync.planning.reports import (
    NpsByStatus,
    StrategicShare,
    nps_by_status,
    strategic_share,
)
from plansync.sample import generate_sample
from plansync.sync.engine import RunPlan

SIMULATED_DAYS = 120
HAND_EDIT_SHARE = 0.01  # share of future tasks a rep reschedules by hand


@dataclass(frozen=True, slots=True)
class RepWork:
    """What the simulated reps did between apply and reconcile."""

    completed: int
    logged: int
    edited: int


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Everything the demo measured, ready to print or serialise."""

    crm: str
    accounts: int
    seed: int
    year: int
    start: date
    as_of: date
    first: RunPlan
    applied: dict[str, int]
    second_apply: dict[str, int]
    work: RepWork
    by_segment: tuple[Rollup, ...]
    by_owner: tuple[Rollup, ...]
    drift: int
    nps: tuple[NpsByStatus, ...]
    share: StrategicShare | None

    def as_json(self) -> dict[str, Any]:
        """Return the figures as one JSON-ready object."""
        created = Counter(c.task.account_id for c in self.first.tasks.creates)
        segment_of = self.first.plan.segments
        created_by_segment: Counter[str] = Counter()
        for account_id, count in created.items():
            created_by_segment[segment_of.get(account_id) or "-"] += count
        segments = {}
        for rollup in self.by_segment:
            segments[rollup.group] = {
                "accounts": rollup.accounts,
                "tasks_planned_year": rollup.planned_year,
                "tasks_created": created_by_segment.get(rollup.group, 0),
                "compliance": {
                    "planned_to_date": rollup.planned_to_date,
                    "done_to_date": rollup.done_to_date,
                    "percent": rollup.percent,
                    "overdue": rollup.overdue,
                    "by_status": dict(rollup.by_status),
                },
            }
        findings = Counter(f.kind.value for f in self.first.plan.findings)
        return {
            "crm": self.crm,
            "accounts": self.accounts,
            "seed": self.seed,
            "plan_year": self.year,
            "applied_on": self.start.isoformat(),
            "reconciled_on": self.as_of.isoformat(),
            "segments": segments,
            "first_apply": self.applied,
            "second_apply": self.second_apply,
            "rep_work": {
                "completed": self.work.completed,
                "logged": self.work.logged,
                "edited": self.work.edited,
            },
            "drift_after_edits": self.drift,
            "findings": dict(sorted(findings.items())),
        }


class RepDesk(Protocol):
    """What the simulated reps can do in the CRM, in batches."""

    def account_owners(self) -> dict[str, str | None]:
        """Return every account's id and owner."""
        ...

    def open_tasks(self) -> list[Activity]:
        """Return the open tasks plansync created."""
        ...

    def complete(self, done: Sequence[tuple[Activity, date]]) -> None:
        """Complete tasks on the given days."""
        ...

    def move_due(self, moves: Sequence[tuple[Activity, date]]) -> None:
        """Move tasks to new due dates by hand."""
        ...

    def log(self, activities: Sequence[Activity]) -> None:
        """Log completed activities by hand."""
        ...


class InMemoryDesk:
    """The reps' side of an ``InMemoryCRM``."""

    def __init__(self, crm: InMemoryCRM) -> None:
        """Act on this CRM."""
        self.crm = crm

    def account_owners(self) -> dict[str, str | None]:
        """Return every account's id and owner."""
        return {a.id: a.owner_id for a in sorted(self.crm.accounts.values(), key=_id)}

    def open_tasks(self) -> list[Activity]:
        """Return the open tasks plansync created."""
        return sorted(
            (
                a
                for a in self.crm.activities.values()
                if a.key and not a.is_deleted and a.status is TaskStatus.OPEN
            ),
            key=_id,
        )

    def complete(self, done: Sequence[tuple[Activity, date]]) -> None:
        """Complete tasks on the given days."""
        for task, day in done:
            self.crm.complete_task(task.key or "", on=day)

    def move_due(self, moves: Sequence[tuple[Activity, date]]) -> None:
        """Move tasks to new due dates by hand."""
        for task, day in moves:
            self.crm.edit_task(task.key or "", due=day)

    def log(self, activities: Sequence[Activity]) -> None:
        """Log completed activities by hand."""
        for activity in activities:
            self.crm.log_activity(activity)


@contextmanager
def embedded_crm(
    kind: str, *, accounts: int, seed: int, as_of: date
) -> Iterator[tuple[CRMConnector, RepDesk]]:
    """Start the demo's CRM: the local Salesforce emulator, or the in-memory one.

    The Salesforce path is the real thing end to end: the emulator serves HTTPS on
    127.0.0.1 and plansync talks to it through simple-salesforce.
    """
    if kind == "memory":
        crm = InMemoryCRM.from_sample(
            generate_sample(accounts=accounts, seed=seed, as_of=as_of)
        )
        yield crm, InMemoryDesk(crm)
        return
    # The emulator and the SDK load only when this CRM is chosen.
    from plansync.bootstrap import emulator_connector  # noqa: PLC0415
    from plansync.emulators.salesforce import SalesforceEmulator  # noqa: PLC0415
    from plansync.emulators.salesforce.desk import SalesforceDesk  # noqa: PLC0415

    with SalesforceEmulator(accounts=accounts, seed=seed, as_of=as_of) as emulator:
        connector = emulator_connector(emulator)
        desk = SalesforceDesk(emulator)
        try:
            yield connector, desk
        finally:
            desk.close()
            connector.close()


def run_demo(
    playbooks: PlaybookSet,
    *,
    accounts: int,
    seed: int,
    today: date,
    crm: str = "salesforce",
) -> DemoResult:
    """Plan and apply at the start of the plan year, simulate the reps, reconcile."""
    year = plan_year_of(
        today, fiscal_start_month=playbooks.plan_year.fiscal_start_month
    )
    start = year.start
    as_of = min(start + timedelta(days=SIMULATED_DAYS), year.end)
    with embedded_crm(crm, accounts=accounts, seed=seed, as_of=start) as (
        connector,
        desk,
    ):
        engine = build_engine(connector, playbooks, as_of=start)
        first = engine.plan(as_of=start)
        applied = engine.apply(first).as_dict()
        second_apply = engine.apply(engine.plan(as_of=start)).as_dict()
        work = simulate_reps(desk, start=start, until=as_of, seed=seed)
        rows = engine.reconcile(as_of=as_of)
        after = engine.plan(as_of=as_of)
    live = after.snapshot.accounts  # the replica holds live records only
    top = playbooks.segments[0].name if playbooks.segments else None
    share = (
        strategic_share(
            live,
            after.plan.segments,
            segment=top,
            target_pct=playbooks.strategic_revenue_target_pct,
        )
        if top
        else None
    )
    planned = [r for r in rows if r.segment]
    return DemoResult(
        crm=connector.name,
        accounts=accounts,
        seed=seed,
        year=year.year,
        start=start,
        as_of=as_of,
        first=first,
        applied=applied,
        second_apply=second_apply,
        work=work,
        by_segment=tuple(roll_up(planned, by="segment")),
        by_owner=tuple(roll_up(planned, by="owner")),
        drift=len(after.tasks.drifts),
        nps=tuple(nps_by_status(live, planned)),
        share=share,
    )


def simulate_reps(desk: RepDesk, *, start: date, until: date, seed: int) -> RepWork:
    """Let each rep work through their tasks with their own diligence.

    Reps complete most tasks due by ``until``, log calls and meetings by hand
    (which count through ``done_by``), and move a few future due dates by hand,
    which plansync must then leave alone.
    """
    rng = random.Random(seed * 7919 + 1)
    diligence: dict[str | None, float] = defaultdict(lambda: rng.uniform(0.45, 0.98))
    done: list[tuple[Activity, date]] = []
    moves: list[tuple[Activity, date]] = []
    for task in desk.open_tasks():
        due = task.due or until
        if due <= until and rng.random() < diligence[task.owner_id]:
            done_on = max(start, due - timedelta(days=rng.randint(0, 12)))
            done.append((task, min(done_on, until)))
        elif due > until and rng.random() < HAND_EDIT_SHARE:
            moves.append((task, due + timedelta(days=rng.randint(1, 10))))
    logged = []
    for account_id, owner_id in desk.account_owners().items():
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(
                (ActivityKind.CALL, ActivityKind.CALL, ActivityKind.MEETING)
            )
            day = start + timedelta(days=rng.randint(0, (until - start).days))
            logged.append(
                Activity(
                    id="",
                    account_id=account_id,
                    kind=kind,
                    subject="Customer call"
                    if kind is ActivityKind.CALL
                    else "Steering group meeting",
                    status=TaskStatus.COMPLETED,
                    owner_id=owner_id,
                    due=day,
                    completed_on=day,
                )
            )
    desk.complete(done)
    desk.move_due(moves)
    desk.log(logged)
    return RepWork(len(done), len(logged), len(moves))


def _id(record: Account | Activity) -> str:
    return record.id
