"""The sync engine: pull → plan → diff → apply → reconcile → write compliance.

It is the imperative shell around ``plansync.planning`` (cosmicpython's chapter 3):
gather inputs through a ``CRMConnector``, let the pure core decide, carry out the
decision. ``plan()`` is the dry run; ``apply()`` executes that same object.
Pulls are incremental: the engine keeps a ``Replica`` of what it last read and
asks the connector, in one batched read, only for what changed since.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import structlog

from plansync.connectors.base import CRMConnector
from plansync.planning.calendar import WorkCalendar, plan_year_of
from plansync.planning.compliance import account_compliance, with_compliance
from plansync.planning.diff import Diff, diff
from plansync.planning.models import AccountCompliance, WriteResult
from plansync.planning.plan import Plan, PlanningInput, plan
from plansync.planning.plan_changes import PlanChanges, diff_plans
from plansync.planning.playbooks import PlaybookSet
from plansync.retry import RetryPolicy, backoff_s
from plansync.sync.replica import Replica, Snapshot

log = structlog.get_logger(__name__)
Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class RunPlan:
    """A dry run: the plan, the task diff, plan-record changes and compliance."""

    snapshot: Snapshot
    plan: Plan
    tasks: Diff
    plans: PlanChanges
    compliance: tuple[AccountCompliance, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Tell whether applying would write nothing."""
        return self.tasks.is_empty and self.plans.is_empty


@dataclass
class ApplyReport:
    """What an apply wrote, and every record that failed with its reason."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[WriteResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """Return the counts of every kind of write, zeros included."""
        kinds = ("create", "update", "withdraw", "plan_create", "plan_update", "failed")
        return {kind: self.counts.get(kind, 0) for kind in kinds}


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while planning allocates in bulk.

    Planning 100,000 accounts makes millions of small acyclic objects; the
    generational collector rescans them again and again, which made planning
    grow faster than linearly. Nothing in there forms cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SyncEngine:
    """Keep one CRM in line with a playbook set."""

    def __init__(
        self,
        connector: CRMConnector,
        playbooks: PlaybookSet,
        calendar: WorkCalendar,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        replica: Replica | None = None,
    ) -> None:
        """Bind the engine to a connector, the playbooks and the working calendar.

        ``replica`` is what an earlier run read of this CRM (a fresh, empty one
        when None, which makes the first pull read everything).
        """
        self.connector = connector
        self.playbooks = playbooks
        self.calendar = calendar
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.replica = replica if replica is not None else Replica()

    def pull(self, *, year: int) -> Snapshot:
        """Read what changed since the last pull and return the whole picture.

        The first pull reads everything; later ones only the changes after the
        replica's watermarks. The replica changes only once the read succeeded.
        """
        since = self.replica.since(year=year)
        # The connector retries transport faults itself (it knows Retry-After and
        # sessions); retrying here too would multiply the attempts.
        changes = self.connector.fetch_changes(since=since, year=year)
        self.replica.merge(changes, since=since, year=year)
        snapshot = self.replica.snapshot()
        log.info(
            "pull.done",
            crm=self.connector.name,
            mode="full" if since is None else "incremental",
            read=changes.count,
            accounts=len(snapshot.accounts),
            contacts=len(snapshot.contacts),
            activities=len(snapshot.activities),
            plans=len(snapshot.plans),
        )
        return snapshot

    def plan(self, *, as_of: date, snapshot: Snapshot | None = None) -> RunPlan:
        """Work out what to write, without writing (the dry run)."""
        year = plan_year_of(
            as_of, fiscal_start_month=self.playbooks.plan_year.fiscal_start_month
        )
        snap = snapshot or self.pull(year=year.year)
        with bulk_allocation():
            result = plan(self._inputs(snap), as_of=as_of)
            tasks = diff(result.tasks, snap.activities, years=[year.year])
            rows = account_compliance(
                snap.accounts,
                result.tasks,
                snap.activities,
                playbooks=self.playbooks,
                segments=result.segments,
                year=year.year,
                as_of=as_of,
            )
            # The plan record carries its account's done count, % and status too.
            plans = diff_plans(with_compliance(result.plans, rows), snap.plans)
        log.info(
            "plan.done",
            year=year.year,
            **tasks.counts(),
            plan_creates=len(plans.creates),
            plan_updates=len(plans.updates),
            findings=len(result.findings),
        )
        return RunPlan(snap, result, tasks, plans, tuple(rows))

    def apply(self, run: RunPlan) -> ApplyReport:
        """Carry out a dry run: plan records first, then tasks, then withdrawals.

        Plan records go first because they hold when each account joined its
        segment; a crash after them and before the tasks loses nothing on rerun.
        """
        report = ApplyReport()
        c = self.connector
        plan_results = self._write(
            "upsert_plans", run.plans.writes(), c.upsert_plans, key=lambda p: p.key
        )
        self._tally(report, plan_results, created="plan_create", updated="plan_update")
        writes = [ch.task for ch in run.tasks.creates] + [
            ch.task for ch in run.tasks.updates
        ]
        task_results = self._write(
            "upsert_tasks", writes, c.upsert_tasks, key=lambda t: t.key
        )
        self._tally(report, task_results, created="create", updated="update")
        withdrawals = [ch.withdrawal for ch in run.tasks.withdrawals]
        mode = self.playbooks.withdraw
        gone = self._write(
            "withdraw_tasks",
            withdrawals,
            lambda items: c.withdraw_tasks(items, mode=mode),
            key=lambda w: w.key,
        )
        self._tally(report, gone, created="withdraw", updated="withdraw")
        log.info("apply.done", **report.as_dict())
        return report

    def reconcile(
        self, *, as_of: date, snapshot: Snapshot | None = None
    ) -> list[AccountCompliance]:
        """Compute compliance as of a day; write it onto accounts and plan records.

        Only existing plan records are updated here; creating them is apply's job.
        """
        run = self.plan(as_of=as_of, snapshot=snapshot)
        rows = list(run.compliance)
        updates = [plan for plan, _ in run.plans.updates]
        self._write(
            "upsert_plans", updates, self.connector.upsert_plans, key=lambda p: p.key
        )
        results = self._write(
            "write_compliance",
            rows,
            self.connector.write_compliance,
            key=lambda r: r.account_id,
        )
        failed = [r for r in results if not r.ok]
        log.info("reconcile.done", accounts=len(rows), failed=len(failed))
        return rows

    # ---------------------------------------------------------------- internals
    def _inputs(self, snap: Snapshot) -> PlanningInput:
        return PlanningInput(
            accounts=snap.accounts,
            playbooks=self.playbooks,
            calendar=self.calendar,
            contacts=snap.contacts,
            activities=snap.activities,
            plans=snap.plans,
        )

    def _write(
        self,
        operation: str,
        items: Sequence[Item],
        send: Callable[[Sequence[Item]], list[WriteResult]],
        *,
        key: Callable[[Item], str],
    ) -> list[WriteResult]:
        """Send items; resend those that failed retriably, a bounded number of times.

        A whole call that fails raises (the connector already retried it); a row
        lock on a few records comes back as retriable results and is resent here.
        """
        if not items:
            return []
        final: dict[str, WriteResult] = {}
        pending = list(items)
        for attempt in range(1, self.retry.attempts + 1):
            results = send(pending)
            retry_next = []
            for item, result in zip(pending, results, strict=True):
                final[key(item)] = result
                if not result.ok and result.is_retriable:
                    retry_next.append(item)
            if not retry_next or attempt == self.retry.attempts:
                break
            log.warning(
                "push.records_retried", operation=operation, records=len(retry_next)
            )
            self._sleep(backoff_s(self.retry, attempt))
            pending = retry_next
        return [final[key(item)] for item in items]

    @staticmethod
    def _tally(
        report: ApplyReport,
        results: Sequence[WriteResult],
        *,
        created: str,
        updated: str,
    ) -> None:
        for result in results:
            if not result.ok:
                report.counts["failed"] += 1
                report.failures.append(result)
                log.warning(
                    "push.record_failed",
                    key=result.key,
                    code=result.error_code,
                    error=result.error,
                )
            else:
                report.counts[created if result.created else updated] += 1
