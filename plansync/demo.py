"""Run the whole cycle on an embedded CRM: plan, apply, reps at work, reconcile.

This is what ``plansync demo`` runs. The reps are simulated with a seeded random
generator, so the same arguments print the same figures.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from plansync.bootstrap import build_engine
from plansync.connectors.memory import InMemoryCRM
from plansync.planning.calendar import plan_year_of
from plansync.planning.compliance import Rollup, roll_up
from plansync.planning.models import (
    AccountCompliance,
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


@dataclass(frozen=True, slots=True)
class RepWork:
    """What the simulated reps did between apply and reconcile."""

    completed: int
    logged: int
    edited: int


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Everything the demo measured, ready to print or serialise."""

    accounts: int
    seed: int
    year: int
    start: date
    as_of: date
    first: RunPlan
    applied: dict[str, int]
    second_apply: dict[str, int]
    work: RepWork
    compliance: tuple[AccountCompliance, ...]
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
            "crm": "memory",
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


def run_demo(
    playbooks: PlaybookSet, *, accounts: int, seed: int, today: date
) -> DemoResult:
    """Plan and apply at the start of the plan year, simulate the reps, reconcile."""
    year = plan_year_of(
        today, fiscal_start_month=playbooks.plan_year.fiscal_start_month
    )
    start = year.start
    as_of = min(start + timedelta(days=SIMULATED_DAYS), year.end)
    crm = InMemoryCRM.from_sample(
        generate_sample(accounts=accounts, seed=seed, as_of=start)
    )
    engine = build_engine(crm, playbooks, as_of=start)
    first = engine.plan(as_of=start)
    applied = engine.apply(first).as_dict()
    second_apply = engine.apply(engine.plan(as_of=start)).as_dict()
    work = simulate_reps(crm, start=start, until=as_of, seed=seed)
    rows = engine.reconcile(as_of=as_of)
    drift = len(engine.plan(as_of=as_of).tasks.drifts)
    live = [a for a in crm.accounts.values() if not a.is_deleted]
    top = playbooks.segments[0].name if playbooks.segments else None
    share = (
        strategic_share(
            live,
            first.plan.segments,
            segment=top,
            target_pct=playbooks.strategic_revenue_target_pct,
        )
        if top
        else None
    )
    return DemoResult(
        accounts=accounts,
        seed=seed,
        year=year.year,
        start=start,
        as_of=as_of,
        first=first,
        applied=applied,
        second_apply=second_apply,
        work=work,
        compliance=tuple(rows),
        by_segment=tuple(roll_up((r for r in rows if r.segment), by="segment")),
        by_owner=tuple(roll_up((r for r in rows if r.segment), by="owner")),
        drift=drift,
        nps=tuple(nps_by_status(live, [r for r in rows if r.segment])),
        share=share,
    )


def simulate_reps(crm: InMemoryCRM, *, start: date, until: date, seed: int) -> RepWork:
    """Let each rep work through their tasks with their own diligence.

    Reps complete most tasks due by ``until``, log calls and meetings by hand
    (which count through ``done_by``), and move a few future due dates by hand,
    which plansync must then leave alone.
    """
    rng = random.Random(seed * 7919 + 1)
    diligence: dict[str | None, float] = defaultdict(lambda: rng.uniform(0.45, 0.98))
    completed = logged = edited = 0
    tasks = sorted(
        (a for a in crm.activities.values() if a.key and not a.is_deleted),
        key=lambda a: a.id,
    )
    for task in tasks:
        due = task.due or until
        if task.status is not TaskStatus.OPEN:
            continue
        if due <= until and rng.random() < diligence[task.owner_id]:
            done_on = max(start, due - timedelta(days=rng.randint(0, 12)))
            crm.complete_task(task.key or "", on=min(done_on, until))
            completed += 1
        elif due > until and rng.random() < 0.01:  # noqa: PLR2004  # a rare hand edit
            crm.edit_task(task.key or "", due=due + timedelta(days=rng.randint(1, 10)))
            edited += 1
    for account in sorted(crm.accounts.values(), key=lambda a: a.id):
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice(
                (ActivityKind.CALL, ActivityKind.CALL, ActivityKind.MEETING)
            )
            day = start + timedelta(days=rng.randint(0, (until - start).days))
            crm.log_activity(
                Activity(
                    id="",
                    account_id=account.id,
                    kind=kind,
                    subject="Customer call"
                    if kind is ActivityKind.CALL
                    else "Steering group meeting",
                    status=TaskStatus.COMPLETED,
                    owner_id=account.owner_id,
                    due=day,
                    completed_on=day,
                )
            )
            logged += 1
    return RepWork(completed, logged, edited)
