"""Keep account plan records and their stakeholder lines in step with planning.

A plan (``PlanSync_Account_Plan__c``, master-detail of Account) and its power map
(``PlanSync_Stakeholder__c`` lines, master-detail of the plan) are found by their
unique ``PlanSync_Key__c``. A new plan is created with every computed field and an
empty narrative; an existing one gets only the computed fields whose stored value
differs, so the rep's strategy, goals and notes are never written over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from plansync.connectors.salesforce import soql
from plansync.connectors.salesforce.api import Record
from plansync.connectors.salesforce.mapping import parse_datetime, plan_from_sf
from plansync.connectors.salesforce.payloads import (
    changed,
    plan_computed,
    plan_created,
    stakeholder_lines,
)
from plansync.connectors.salesforce.writes import RecordWriter, Write, unchanged
from plansync.planning.models import AccountPlan, WriteResult

KEY = soql.KEY_FIELD
LOOKUP_CHUNKS = 3
"""Look records up by ``IN`` lists up to this many calls; beyond, read them all."""

Reader = Callable[[soql.Query], Iterable[Record]]


def stored_records(
    read: Reader,
    object_name: str,
    fields: Sequence[str],
    keys: Sequence[str],
    *,
    key: str = KEY,
    broad: Sequence[soql.Query],
) -> dict[str, Record]:
    """Return the stored records whose ``key`` is in ``keys``, by that value.

    A few hundred keys are looked up by ``IN`` lists; more are found by the
    ``broad`` reads (all of a year's records, say), which cost fewer calls.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    queries = list(broad)
    if len(wanted) <= soql.IN_CHUNK * LOOKUP_CHUNKS:
        queries = [
            soql.full(object_name, fields, where=soql.field_in(key, chunk))
            for chunk in soql.chunks(sorted(wanted))
        ]
    found: dict[str, Record] = {}
    for query in queries:
        for raw in read(query):
            value = str(raw.get(key) or "")
            if value in wanted:
                found[value] = raw
    return found


class PlanRecords:
    """Read and write plan records and their stakeholder lines."""

    def __init__(self, read: Reader, writer: RecordWriter) -> None:
        """Read with ``read`` (REST or Bulk as it decides), write with ``writer``."""
        self._read = read
        self.writer = writer

    def fetch(self, year: int, since: datetime | None = None) -> Iterator[AccountPlan]:
        """Yield the plans of one year changed after ``since`` with their power maps.

        Raises:
            CRMError: the records cannot be read.
        """
        plans = list(self._read(soql.plans_of_year(year, since)))
        if not plans and since is None:
            return
        lines = self._read(soql.lines_of_year(year, since))
        yield from self.assemble(plans, lines, after=since)

    def assemble(
        self,
        plan_rows: Iterable[Record],
        line_rows: Iterable[Record],
        *,
        after: datetime | None,
    ) -> list[AccountPlan]:
        """Build whole plans from a read of plan rows and stakeholder rows.

        A line that changed while its plan did not brings the plan along: its
        row and all its lines are read by id (two more reads, rarely). With
        ``after``, plans not changed after it (the read's overlap) are dropped.
        Plans come by key, deleted ones flagged.

        Raises:
            CRMError: the plans of changed lines cannot be read.
        """
        plans = {str(raw["Id"]): raw for raw in plan_rows}
        lines: dict[str, list[Record]] = {}
        gone: dict[str, list[Record]] = {}
        for raw in line_rows:
            parent = str(raw.get("Account_Plan__c"))
            (gone if raw.get("IsDeleted") else lines).setdefault(parent, []).append(raw)
        orphans = sorted((set(lines) | set(gone)) - set(plans))
        if orphans:
            for raw in self._read_by("Id", soql.PLAN_OBJECT, soql.PLAN_FIELDS, orphans):
                plans[str(raw["Id"])] = raw
            for plan_id in orphans:
                lines.pop(plan_id, None)
            for raw in self._read_by(
                "Account_Plan__c",
                soql.STAKEHOLDER_OBJECT,
                soql.STAKEHOLDER_FIELDS,
                orphans,
            ):
                lines.setdefault(str(raw.get("Account_Plan__c")), []).append(raw)
        out = []
        for plan_id, raw in plans.items():
            plan = plan_from_sf(raw, lines.get(plan_id, []))
            stamps = [
                parse_datetime(r.get("SystemModstamp")) for r in gone.get(plan_id, [])
            ]
            # A line deleted since counts as a change of its plan.
            newest = max(
                (s for s in (plan.modified_at, *stamps) if s is not None), default=None
            )
            if after is None or (newest is not None and newest > after):
                out.append(replace(plan, modified_at=newest))
        return sorted(out, key=lambda p: p.key)

    def upsert(self, plans: Sequence[AccountPlan]) -> list[WriteResult]:
        """Create plans, or update the computed fields that changed, by key.

        Stakeholder lines follow their plan; a failed line fails its plan.

        Raises:
            CRMError: the records could not be read or a batch not sent.
        """
        years = sorted({p.year for p in plans})
        broad = [
            soql.full(soql.PLAN_OBJECT, soql.PLAN_FIELDS, where=soql.key_in_year(y))
            for y in years
        ]
        current = stored_records(
            self._read,
            soql.PLAN_OBJECT,
            soql.PLAN_FIELDS,
            [p.key for p in plans],
            broad=broad,
        )
        created = [p for p in plans if p.key not in current]
        new = [Write(p.key, plan_created(p)) for p in created]
        # Lines of a new plan need its id; Bulk returns ids only when asked.
        needs_ids = any(stakeholder_lines(p) for p in created)
        results = {
            r.key: r
            for r in self.writer.upsert(
                soql.PLAN_OBJECT, new, external_id=KEY, needs_ids=needs_ids
            )
        }
        updates = []
        for plan in plans:
            raw = current.get(plan.key)
            if raw is None:
                continue
            if delta := changed(raw, plan_computed(plan)):
                updates.append(Write(plan.key, delta, record_id=str(raw["Id"])))
            else:
                results[plan.key] = unchanged(plan.key, str(raw["Id"]))
        results.update(
            (r.key, r) for r in self.writer.update(soql.PLAN_OBJECT, updates)
        )
        failures = self._write_lines(plans, results, set(current))
        return [failures.get(p.key, results[p.key]) for p in plans]

    def _read_by(
        self, field: str, object_name: str, fields: Sequence[str], values: Sequence[str]
    ) -> Iterator[Record]:
        """Yield the live rows whose ``field`` is one of ``values``."""
        for chunk in soql.chunks(values):
            where = soql.field_in(field, chunk)
            yield from self._read(soql.full(object_name, fields, where=where))

    def _lines_of_years(self, years: Iterable[int]) -> dict[str, list[Record]]:
        """Return the stakeholder rows of the plans of ``years``, by plan id."""
        by_plan: dict[str, list[Record]] = {}
        for year in sorted(years):
            where = soql.key_in_year(year)
            query = soql.full(
                soql.STAKEHOLDER_OBJECT, soql.STAKEHOLDER_FIELDS, where=where
            )
            for raw in self._read(query):
                by_plan.setdefault(str(raw.get("Account_Plan__c")), []).append(raw)
        return by_plan

    def _write_lines(
        self,
        plans: Sequence[AccountPlan],
        results: Mapping[str, WriteResult],
        existing: set[str],
    ) -> dict[str, WriteResult]:
        """Bring each written plan's stakeholder lines in line with its power map.

        Returns a failed result for each plan one of whose lines failed.
        """
        plan_ids = {
            p.key: r.crm_id
            for p in plans
            if (r := results.get(p.key)) is not None and r.ok and r.crm_id
        }
        stored = self._stored_lines(plans, plan_ids, existing)
        owner: dict[str, str] = {}
        new, updates, gone = [], [], []
        for plan in plans:
            plan_id = plan_ids.get(plan.key)
            if plan_id is None:
                continue
            wanted = stakeholder_lines(plan)
            for line_key, fields in wanted.items():
                owner[line_key] = plan.key
                raw = stored.get(line_key)
                if raw is None:
                    parent = {KEY: line_key, "Account_Plan__c": plan_id}
                    new.append(Write(line_key, {**parent, **fields}))
                elif delta := changed(raw, fields):
                    updates.append(Write(line_key, delta, record_id=str(raw["Id"])))
            for line_key, raw in stored.items():
                if raw.get("Account_Plan__c") == plan_id and line_key not in wanted:
                    owner[line_key] = plan.key
                    gone.append(Write(line_key, {}, record_id=str(raw["Id"])))
        obj = soql.STAKEHOLDER_OBJECT
        outcome = [
            *self.writer.upsert(obj, new, external_id=KEY),
            *self.writer.update(obj, updates),
            *self.writer.delete(obj, gone),
        ]
        failures: dict[str, WriteResult] = {}
        for result in outcome:
            plan_key = owner[result.key]
            if not result.ok and plan_key not in failures:
                plan_result = results[plan_key]
                failures[plan_key] = WriteResult(
                    plan_result.key,
                    ok=False,
                    crm_id=plan_result.crm_id,
                    created=plan_result.created,
                    error=f"stakeholder {result.key}: {result.error}",
                    error_code=result.error_code,
                    is_retriable=result.is_retriable,
                )
        return failures

    def _stored_lines(
        self,
        plans: Sequence[AccountPlan],
        plan_ids: Mapping[str, str | None],
        existing: set[str],
    ) -> dict[str, Record]:
        """Return the stored stakeholder rows of the plans that existed, by key."""
        ids = [
            str(plan_ids[p.key])
            for p in plans
            if p.key in existing and p.key in plan_ids
        ]
        if not ids:
            return {}
        if len(ids) <= soql.IN_CHUNK * LOOKUP_CHUNKS:
            rows: list[Record] = []
            for chunk in soql.chunks(ids):
                where = soql.field_in("Account_Plan__c", chunk)
                query = soql.full(
                    soql.STAKEHOLDER_OBJECT, soql.STAKEHOLDER_FIELDS, where=where
                )
                rows += self._read(query)
        else:
            by_plan = self._lines_of_years({p.year for p in plans})
            rows = [raw for plan_id in ids for raw in by_plan.get(plan_id, [])]
        return {str(raw.get(KEY)): raw for raw in rows}
