"""Render results for people: the demo summary, diffs and compliance tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from plansync.demo import DemoResult
from plansync.planning.compliance import Rollup
from plansync.sync.engine import RunPlan

_CRM_NAMES = {
    "salesforce": "local Salesforce emulator (HTTPS, simple-salesforce)",
    "memory": "in-memory CRM",
}


def table(title: str, columns: Sequence[str]) -> Table:
    """Return a table whose first column is text and the rest are figures."""
    result = Table(title=title, title_justify="left")
    for n, column in enumerate(columns):
        result.add_column(column, justify="left" if n == 0 else "right", no_wrap=n == 0)
    return result


def render_run_plan(run: RunPlan, console: Console) -> None:
    """Print a dry run: changes by kind, plan records and findings."""
    counts = run.tasks.counts()
    console.print(
        f"Tasks: [bold]{counts['create']}[/] to create, {counts['update']} to update, "
        f"{counts['withdraw']} to withdraw, {counts['keep']} unchanged, "
        f"{counts['drift']} edited by hand (left alone)"
    )
    console.print(
        f"Plan records: {len(run.plans.creates)} to create, "
        f"{len(run.plans.updates)} to update, {run.plans.unchanged} unchanged"
    )
    findings = Counter(f.kind.value for f in run.plan.findings)
    if findings:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(findings.items()))
        console.print(f"Findings: {listed}")


def _rollup_table(title: str, rows: Sequence[Rollup], names: dict[str, str]) -> Table:
    result = table(
        title, ["", "accts", "year", "due", "done", "%", "late", "on/at/off"]
    )
    for row in rows:
        statuses = "/".join(
            str(row.by_status.get(s, 0)) for s in ("on_track", "at_risk", "off_track")
        )
        result.add_row(
            names.get(row.group, row.group),
            str(row.accounts),
            str(row.planned_year),
            str(row.planned_to_date),
            str(row.done_to_date),
            f"{row.percent:.1f}",
            str(row.overdue),
            statuses,
        )
    return result


def render_demo(result: DemoResult, console: Console) -> None:
    """Print the demo's story: what was planned, written, done and how compliant."""
    console.print(
        f"[bold]plansync demo[/]: {_CRM_NAMES.get(result.crm, result.crm)}, "
        f"{result.accounts} accounts, "
        f"seed {result.seed}, plan year {result.year}"
    )
    console.print(f"\n[bold]1. plan[/] (dry run on {result.start})")
    render_run_plan(result.first, console)
    applied = result.applied
    console.print(
        f"\n[bold]2. apply[/]: {applied['create']} tasks created, "
        f"{applied['update']} updated, {applied['withdraw']} withdrawn, "
        f"{applied['plan_create']} plan records created, {applied['failed']} failed"
    )
    again = result.second_apply
    writes = sum(again.values())
    console.print(
        f"   apply again: {writes} writes ({'idempotent' if not writes else again})"
    )
    work = result.work
    console.print(
        f"\n[bold]3. reps at work[/] until {result.as_of}: "
        f"{work.completed} tasks completed, {work.logged} activities logged by hand, "
        f"{work.edited} due dates moved by hand"
    )
    console.print(f"\n[bold]4. reconcile[/] as of {result.as_of}")
    console.print(_rollup_table("Compliance by segment", result.by_segment, {}))
    owners = {o.id: o.name for o in result.first.snapshot.owners} | {"-": "(no owner)"}
    console.print(_rollup_table("Compliance by owner", result.by_owner, owners))
    console.print(
        f"Hand edits since plansync wrote: {result.drift} tasks reported as drift, "
        "not overwritten"
    )
    if result.share is not None:
        share = result.share
        verdict = "met" if share.is_met else "not met"
        console.print(
            f"Strategic share: segment {share.segment} brings "
            f"{share.share_pct:.1f} % of revenue "
            f"(target {share.target_pct:.0f} %, {verdict})"
        )
    nps = ", ".join(
        f"{n.status} {n.average_nps:+.0f}"
        for n in result.nps
        if n.average_nps is not None
    )
    console.print(f"Average NPS by compliance status: {nps}")
