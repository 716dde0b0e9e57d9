"""Benchmark the pure core: plan and diff N accounts with 16 occurrences each.

Two scenarios, each in its own forked process so each reports its own peak RSS:
the first run (plan, then diff against an empty CRM: every task a create) and
the steady state (plan, then diff against a CRM that already holds every task).
Target (issue #2): 100,000 accounts in at most 10 s and 1 GB on one core.

    .venv/bin/python bench/planning.py [--accounts N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from datetime import date
from multiprocessing.connection import Connection

from plansync.planning.calendar import WorkCalendar
from plansync.planning.diff import diff, to_write, written_activity
from plansync.planning.models import (
    Account,
    Activity,
    ActivityKind,
    PlannedTask,
)
from plansync.planning.plan import PlanningInput, plan
from plansync.planning.playbooks import (
    ActivityRule,
    DoneBy,
    Every,
    FieldRule,
    Interval,
    Operator,
    PerYear,
    PlaybookSet,
    Segment,
)
from plansync.sync.engine import bulk_allocation

AS_OF = date(2026, 1, 1)
PLAYBOOKS = PlaybookSet(
    segments=(
        Segment(
            "A",
            FieldRule("segment", Operator.EQ, "A"),
            (
                ActivityRule(
                    "steering",
                    ActivityKind.MEETING,
                    PerYear(4),
                    "Steering group {period.label}: {account.name}",
                    effort_hours=2,
                ),
                ActivityRule(
                    "call",
                    ActivityKind.CALL,
                    Every(Interval.MONTH),
                    "Monthly call {period.label}: {account.name}",
                    done_by=DoneBy(kinds=(ActivityKind.CALL,)),
                ),
            ),
        ),
    ),
)


def _inputs(count: int) -> PlanningInput:
    accounts = [
        Account(
            id=f"001{n:015d}",
            name=f"Account {n}",
            owner_id=f"005{n % 250:015d}",
            annual_revenue_eur=float(n),
            fields={"segment": "A"},
        )
        for n in range(count)
    ]
    return PlanningInput(
        accounts=accounts, playbooks=PLAYBOOKS, calendar=WorkCalendar()
    )


def _as_read_back(task: PlannedTask) -> Activity:
    """Return the task as a connector would read it back after an apply."""
    return written_activity(to_write(task), f"00T{task.key[-15:]}")


def _scenario(name: str, count: int, out: Connection) -> None:
    inputs = _inputs(count)
    current: list[Activity] = []
    if name == "steady state":
        with bulk_allocation():
            current = [_as_read_back(t) for t in plan(inputs, as_of=AS_OF).tasks]
    start = time.process_time()
    with bulk_allocation():
        result = plan(inputs, as_of=AS_OF)
        planned = time.process_time()
        changes = diff(result.tasks, current)
    done = time.process_time()
    out.send(
        {
            "scenario": name,
            "tasks": len(result.tasks),
            "plan_s": planned - start,
            "diff_s": done - planned,
            "total_s": done - start,
            "counts": {k: v for k, v in changes.counts().items() if v},
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    print(f"{args.accounts:,} accounts, 16 occurrences each (CPU seconds, one core)")
    for name in ("first run", "steady state"):
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_scenario, args=(name, args.accounts, send))
        child.start()
        figures = receive.recv()
        child.join()
        print(
            f"{name:<13} plan {figures['plan_s']:6.2f}s  "
            f"diff {figures['diff_s']:6.2f}s  "
            f"total {figures['total_s']:6.2f}s  "
            f"{args.accounts / figures['total_s']:>9,.0f} accounts/s  "
            f"peak RSS {figures['rss_mb']:6.0f} MB  {figures['counts']}"
        )


if __name__ == "__main__":
    main()
