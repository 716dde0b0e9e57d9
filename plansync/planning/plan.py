"""Plan a year: segments, the desired tasks and an account plan record per account.

``plan()`` is the pure heart of plansync: canonical records and playbooks in, a
``Plan`` out. It reads no clock; ``as_of`` says what day it is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from plansync.planning.calendar import PlanYear, WorkCalendar, periods, plan_year_of
from plansync.planning.findings import Finding, FindingKind, capacity_findings
from plansync.planning.keys import KEY_PREFIX, MAX_KEY_LENGTH, bounded_key, plan_key
from plansync.planning.models import (
    Account,
    AccountPlan,
    Activity,
    ActivityKind,
    Contact,
    Period,
    PlannedTask,
    Stakeholder,
)
from plansync.planning.playbooks import ActivityRule, Cadence, PlaybookSet, Segment
from plansync.planning.segments import assign_segments

REVIEW_KINDS = frozenset(
    {ActivityKind.PLAN_REVIEW_CUSTOMER, ActivityKind.PLAN_REVIEW_MANAGER}
)
_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z_.]+)\}|[{}]")


@dataclass(frozen=True, slots=True)
class PlanningInput:
    """Everything planning reads, already pulled from the CRM."""

    accounts: Sequence[Account]
    playbooks: PlaybookSet
    calendar: WorkCalendar
    contacts: Sequence[Contact] = ()
    activities: Sequence[Activity] = ()
    plans: Sequence[AccountPlan] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """What should exist in the CRM for one plan year, plus what looks wrong."""

    year: PlanYear
    as_of: date
    segments: Mapping[str, str | None]
    tasks: tuple[PlannedTask, ...]
    plans: tuple[AccountPlan, ...]
    findings: tuple[Finding, ...] = field(default=())


def plan(inputs: PlanningInput, *, as_of: date) -> Plan:
    """Plan the plan year containing ``as_of`` for every live account."""
    playbooks = inputs.playbooks
    year = plan_year_of(
        as_of, fiscal_start_month=playbooks.plan_year.fiscal_start_month
    )
    accounts = sorted(
        (a for a in inputs.accounts if not a.is_deleted), key=lambda a: a.id
    )
    segments = assign_segments(accounts, playbooks.segments)
    contacts = _by_account(c for c in inputs.contacts if not c.is_deleted)
    reviews = _last_reviews(inputs.activities, as_of)
    existing = {p.account_id: p for p in inputs.plans if p.year == year.year}
    tasks: list[PlannedTask] = []
    records: list[AccountPlan] = []
    findings: list[Finding] = []
    for account in accounts:
        name = segments[account.id]
        segment = playbooks.segment(name) if name else None
        if segment is None:
            continue
        before = existing.get(account.id)
        since = before.segment_since if before and before.segment == name else as_of
        context = _AccountContext(account, contacts.get(account.id, ()), segment, year)
        own = context.tasks(inputs.calendar, since=since, findings=findings)
        tasks.extend(own)
        record = _plan_record(
            context,
            own,
            before,
            since=since,
            as_of=as_of,
            playbooks=playbooks,
            last_review=reviews.get(account.id),
        )
        records.append(record)
        findings.extend(_record_findings(account, record))
    findings.extend(
        capacity_findings(tasks, capacity_hours=playbooks.capacity_hours_per_year)
    )
    return Plan(year, as_of, segments, tuple(tasks), tuple(records), tuple(findings))


@dataclass(frozen=True, slots=True)
class _AccountContext:
    account: Account
    contacts: Sequence[Contact]
    segment: Segment
    year: PlanYear

    def tasks(
        self, calendar: WorkCalendar, *, since: date, findings: list[Finding]
    ) -> list[PlannedTask]:
        account, segment, year = self.account, self.segment, self.year.year
        result: list[PlannedTask] = []
        for rule in segment.activities:
            owner = self._owner(rule, findings)
            contacts = self._stakeholders(rule, findings)
            subject, description = _compiled(rule.subject), _compiled(rule.description)
            stem = f"{KEY_PREFIX}:{year}:{account.id}:{segment.name}:{rule.id}:"
            for n, period, due in _occurrences(rule.cadence, self.year, calendar):
                if period.end < since:
                    continue  # joined the segment after this period ended
                fill = (
                    account.name,
                    account.id,
                    period.label,
                    year,
                    segment.name,
                    rule.id,
                )
                key = stem + str(n)
                result.append(
                    PlannedTask(
                        key=key if len(key) <= MAX_KEY_LENGTH else bounded_key(key),
                        account_id=account.id,
                        segment=segment.name,
                        activity=rule.id,
                        kind=rule.kind,
                        period=period,
                        due=due,
                        owner_id=owner,
                        subject=subject.format(*fill),
                        description=description.format(*fill) if description else "",
                        contact_ids=contacts,
                        effort_hours=rule.effort_hours,
                    )
                )
        return result

    def _owner(self, rule: ActivityRule, findings: list[Finding]) -> str | None:
        if rule.owner_role is None:
            return self.account.owner_id
        member = self.account.team.get(rule.owner_role)
        if member is None:
            findings.append(
                Finding(
                    FindingKind.OWNER_ROLE_MISSING,
                    self.account.id,
                    f"no {rule.owner_role} on the account team for '{rule.id}'; "
                    "the account owner gets the task",
                )
            )
            return self.account.owner_id
        return member

    def _stakeholders(
        self, rule: ActivityRule, findings: list[Finding]
    ) -> tuple[str, ...]:
        if not rule.stakeholder_roles:
            return ()
        wanted = set(rule.stakeholder_roles)
        found = tuple(sorted(c.id for c in self.contacts if c.role in wanted))
        if not found:
            findings.append(
                Finding(
                    FindingKind.NO_STAKEHOLDER,
                    self.account.id,
                    f"'{rule.id}' needs {', '.join(rule.stakeholder_roles)} "
                    "but no contact holds those roles",
                )
            )
        return found


TEMPLATE_FIELDS = (
    "account.name",
    "account.id",
    "period.label",
    "year",
    "segment",
    "activity.id",
)
"""The placeholders a subject or description template may use, in fill order."""


@lru_cache(maxsize=1024)
def _compiled(template: str) -> str:
    """Turn a playbook template into a positional ``str.format`` string, once.

    Known placeholders become ``{0}``…``{5}`` (the order of ``TEMPLATE_FIELDS``); an
    unknown placeholder and any lone brace stay literal text.
    """

    def substitute(match: re.Match[str]) -> str:
        token, name = match.group(0), match.group(1)
        if name in TEMPLATE_FIELDS:
            return "{" + str(TEMPLATE_FIELDS.index(name)) + "}"
        if token in ("{{", "}}"):
            return token
        return token.replace("{", "{{").replace("}", "}}")

    return _TOKEN.sub(substitute, template)


@lru_cache(maxsize=4096)
def _occurrences(
    cadence: Cadence, year: PlanYear, calendar: WorkCalendar
) -> tuple[tuple[int, Period, date], ...]:
    return tuple(
        (n, period, calendar.due_date(period))
        for n, period in enumerate(periods(cadence, year), start=1)
    )


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{account.name}``-style placeholders; ``{{`` and ``}}`` stay braces."""
    return _compiled(template).format(
        *(values.get(f, "{" + f + "}") for f in TEMPLATE_FIELDS)
    )


def _by_account(contacts: Iterable[Contact]) -> dict[str, list[Contact]]:
    grouped: dict[str, list[Contact]] = defaultdict(list)
    for contact in sorted(contacts, key=lambda c: c.id):
        grouped[contact.account_id].append(contact)
    return grouped


def _last_reviews(activities: Sequence[Activity], as_of: date) -> dict[str, date]:
    latest: dict[str, date] = {}
    for activity in activities:
        day = activity.completed_on
        if (
            activity.kind in REVIEW_KINDS
            and activity.is_completed
            and day
            and day <= as_of
            and not activity.is_deleted
        ):
            latest[activity.account_id] = max(day, latest.get(activity.account_id, day))
    return latest


def _plan_record(
    context: _AccountContext,
    tasks: Sequence[PlannedTask],
    before: AccountPlan | None,
    *,
    since: date,
    as_of: date,
    playbooks: PlaybookSet,
    last_review: date | None,
) -> AccountPlan:
    account = context.account
    reviewed = max(
        (d for d in (last_review, before and before.last_reviewed) if d), default=None
    )
    power_map = _power_map(playbooks.key_roles, context.contacts)
    started = before.segment_since if before else since
    stale = (as_of - (reviewed or started)).days > playbooks.stale_after_days
    return AccountPlan(
        key=plan_key(account.id, year=context.year.year),
        account_id=account.id,
        year=context.year.year,
        segment=context.segment.name,
        segment_since=since,
        customer_strategy=before.customer_strategy if before else "",
        short_term_goals=before.short_term_goals if before else "",
        long_term_goals=before.long_term_goals if before else "",
        current_revenue_eur=account.annual_revenue_eur,
        products=account.products,
        recurring_share_pct=account.recurring_share_pct,
        whitespace=before.whitespace if before else "",
        wallet_share_pct=_wallet_share(account),
        red_flags=_red_flags(account, power_map, is_stale=stale),
        power_map=power_map,
        buying_process=before.buying_process if before else "",
        next_actions=before.next_actions if before else "",
        planned_activities=len(tasks),
        planned_hours=round(sum(t.effort_hours for t in tasks), 1),
        last_reviewed=reviewed,
        crm_id=before.crm_id if before else None,
    )


def _power_map(
    key_roles: Sequence[str], contacts: Sequence[Contact]
) -> tuple[Stakeholder, ...]:
    lines = []
    for role in key_roles:
        person = next((c for c in contacts if c.role == role), None)
        if person is None:
            lines.append(Stakeholder(role))
        else:
            lines.append(
                Stakeholder(
                    role, person.id, person.name, person.influence, person.attitude
                )
            )
    return tuple(lines)


def _wallet_share(account: Account) -> float | None:
    if not account.annual_revenue_eur or not account.wallet_eur:
        return None
    return round(min(100.0, 100.0 * account.annual_revenue_eur / account.wallet_eur), 1)


def _red_flags(
    account: Account, power_map: Sequence[Stakeholder], *, is_stale: bool
) -> tuple[str, ...]:
    flags = []
    if account.owner_id is None:
        flags.append("no_owner")
    if is_stale:
        flags.append("stale_plan")
    if account.nps is not None and account.nps < 0:
        flags.append("detractor_nps")
    flags.extend(f"unknown_key_role:{s.role}" for s in power_map if not s.is_known)
    return tuple(flags)


def _record_findings(account: Account, record: AccountPlan) -> list[Finding]:
    found = []
    if account.owner_id is None:
        found.append(
            Finding(FindingKind.NO_OWNER, account.id, f"{account.name} has no owner")
        )
    if "stale_plan" in record.red_flags:
        found.append(
            Finding(
                FindingKind.STALE_PLAN,
                account.id,
                f"the plan of {account.name} has not been reviewed for too long",
            )
        )
    unknown = [s.role for s in record.power_map if not s.is_known]
    if unknown:
        found.append(
            Finding(
                FindingKind.UNKNOWN_KEY_ROLE,
                account.id,
                f"nobody known at {account.name} as {', '.join(unknown)}",
                float(len(unknown)),
            )
        )
    return found
