from __future__ import annotations

from dataclasses import replace
from datetime import date

from plansync.planning.findings import FindingKind
from plansync.planning.models import ActivityKind
from plansync.planning.plan import PlanningInput, plan, render
from tests.builders import CALENDAR, account, completed, contact, playbooks

START = date(2026, 1, 1)


def _plan(accounts, *, as_of=START, contacts=(), activities=(), plans=(), **overrides):
    return plan(
        PlanningInput(
            accounts=accounts,
            playbooks=playbooks(**overrides),
            calendar=CALENDAR,
            contacts=contacts,
            activities=activities,
            plans=plans,
        ),
        as_of=as_of,
    )


class TestTasks:
    def test_segment_a_gets_steering_and_monthly_calls(self):
        """An A account gets 4 steering meetings and 12 calls for the year."""
        result = _plan([account("1")])
        kinds = [t.kind for t in result.tasks]
        assert 4 == kinds.count(ActivityKind.MEETING)
        assert 12 == kinds.count(ActivityKind.CALL)

    def test_keys_are_stable_and_readable(self):
        """Keys name year, account, segment, activity and occurrence."""
        keys = [t.key for t in _plan([account("1")]).tasks]
        assert "ps:2026:1:A:steering:1" in keys
        assert keys == [t.key for t in _plan([account("1")]).tasks]

    def test_subject_template_is_filled(self):
        """Placeholders in subjects are replaced with account and period values."""
        task = _plan([account("1", name="O'Brien & Sons")]).tasks[0]
        assert "Steering group 1/4: O'Brien & Sons" == task.subject

    def test_stakeholders_are_the_key_contacts(self):
        """A meeting with key stakeholders names the contacts holding those roles."""
        contacts = [contact("c1", "1", "decision_maker"), contact("c2", "1", "user")]
        task = _plan([account("1")], contacts=contacts).tasks[0]
        assert ("c1",) == task.contact_ids

    def test_account_without_segment_gets_nothing(self):
        """An account matching no segment has no tasks and no plan record."""
        result = _plan([account("1", segment="Z")])
        assert ((), (), None) == (result.tasks, result.plans, result.segments["1"])

    def test_mid_year_entry_gets_only_unfinished_periods(self):
        """An account entering a segment on 15 May gets May's call onwards only."""
        result = _plan([account("1")], as_of=date(2026, 5, 15))
        calls = [t for t in result.tasks if t.kind is ActivityKind.CALL]
        assert 8 == len(calls)
        assert "May 2026" == calls[0].period.label
        assert date(2026, 5, 15) == result.plans[0].segment_since

    def test_existing_plan_keeps_segment_since(self):
        """A plan record already in the CRM keeps the account's whole year planned."""
        first = _plan([account("1")])
        later = _plan([account("1")], as_of=date(2026, 6, 1), plans=first.plans)
        assert len(first.tasks) == len(later.tasks)

    def test_segment_change_restarts_from_today(self):
        """Moving from A to B mid-year plans B only from the day of the move."""
        first = _plan([account("1")])
        moved = _plan(
            [account("1", segment="B")], as_of=date(2026, 7, 10), plans=first.plans
        )
        assert ["Q3", "Q4"] == [t.period.label for t in moved.tasks]
        assert all(":B:" in t.key for t in moved.tasks)


class TestPlanRecord:
    def test_computed_fields(self):
        """The plan record carries segment, revenue, counts, wallet share, power map."""
        acct = replace(account("1", revenue=500_000.0), wallet_eur=2_000_000.0, nps=-10)
        record = _plan([acct], contacts=[contact("c1", "1", "decision_maker")]).plans[0]
        assert ("A", 500_000.0, 16, 25.0) == (
            record.segment,
            record.current_revenue_eur,
            record.planned_activities,
            record.wallet_share_pct,
        )
        assert ["decision_maker", "procurement"] == [s.role for s in record.power_map]
        assert ("detractor_nps", "unknown_key_role:procurement") == record.red_flags

    def test_stale_plan_is_a_red_flag(self):
        """A plan not reviewed for longer than the limit is flagged stale (R6)."""
        first = _plan([account("1")])
        later = _plan([account("1")], as_of=date(2026, 8, 1), plans=first.plans)
        assert "stale_plan" in later.plans[0].red_flags
        assert FindingKind.STALE_PLAN in {f.kind for f in later.findings}

    def test_review_resets_staleness(self):
        """A completed manager plan review counts as the plan's last review."""
        first = _plan([account("1")])
        review = completed(
            "r1", "1", ActivityKind.PLAN_REVIEW_MANAGER, date(2026, 7, 1)
        )
        later = _plan(
            [account("1")],
            as_of=date(2026, 8, 1),
            plans=first.plans,
            activities=[review],
        )
        assert date(2026, 7, 1) == later.plans[0].last_reviewed
        assert "stale_plan" not in later.plans[0].red_flags


class TestFindings:
    def test_over_capacity_is_flagged(self):
        """Thirty A accounts on one rep exceed a 100 h capacity (R2)."""
        accounts = [account(str(n)) for n in range(30)]
        result = _plan(accounts, capacity_hours_per_year=100.0)
        over = [f for f in result.findings if f.kind is FindingKind.OVER_CAPACITY]
        assert [("U1", 30 * (4 * 2.0 + 12 * 0.5))] == [
            (f.subject_id, f.value) for f in over
        ]

    def test_no_owner_and_unknown_roles(self):
        """Accounts with no owner and unknown key roles are reported."""
        kinds = {f.kind for f in _plan([account("1", owner=None)]).findings}
        assert {
            FindingKind.NO_OWNER,
            FindingKind.UNKNOWN_KEY_ROLE,
            FindingKind.NO_STAKEHOLDER,
        } <= kinds


class TestRender:
    def test_literal_braces_and_unknown_placeholders(self):
        """Doubled braces are literal; unknown placeholders are left as written."""
        assert "{x} A {nope}" == render("{{x}} {segment} {nope}", {"segment": "A"})
