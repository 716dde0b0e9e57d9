"""Tests for the playbook language: the example, every form, and every mistake."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest

from plansync.config.calendar import holiday_dates
from plansync.config.playbooks import load_playbooks, parse_playbooks
from plansync.config.yaml_source import parse_yaml
from plansync.errors import ConfigError, PlaybookError
from plansync.planning.models import ActivityKind
from plansync.planning.playbooks import (
    ActivityRule,
    AllOf,
    Always,
    AnyOf,
    Condition,
    DoneBy,
    Every,
    EveryDays,
    FieldRule,
    Interval,
    Not,
    Operator,
    PerYear,
    PlanYearRules,
    PlaybookSet,
    Rank,
    Thresholds,
    WithdrawMode,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "config" / "playbooks.yaml"
INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (\d+):(\d+) (\S+)")

ACTIVITY = """\
      - id: call
        kind: call
        every: month
        subject: "Monthly call: {account.name}"
"""


def playbook(
    *, when: str = "{field: segment, op: eq, value: A}", activity: str = ACTIVITY
) -> str:
    """Return a one-segment playbook with the given condition and activity."""
    return (
        "version: 1\n"
        "segments:\n"
        "  - name: A\n"
        f"    when: {when}\n"
        "    activities:\n"
        f"{activity}"
    )


def activity(**lines: str) -> str:
    """Return an activity entry made of ``key: value`` lines."""
    body = "".join(f"        {key}: {value}\n" for key, value in lines.items())
    return "      - " + body.lstrip()


def parse(text: str) -> PlaybookSet:
    """Parse playbook text under a fixed source name."""
    return parse_playbooks(text, source="test.yaml")


def issues(text: str) -> list[tuple[int, int, str, str]]:
    """Return (line, column, field, message) of every issue the text raises."""
    with pytest.raises(PlaybookError) as caught:
        parse(text)
    return [(i.line, i.column, i.field, i.message) for i in caught.value.issues]


def condition(when: str) -> Condition:
    """Parse a playbook with this condition and return the condition read."""
    return parse(playbook(when=when)).segments[0].when


def only_rule(**lines: str) -> ActivityRule:
    """Parse a playbook with this one activity and return the rule read."""
    return parse(playbook(activity=activity(**lines))).segments[0].activities[0]


class TestExample:
    """The example playbook file users copy."""

    def test_loads_settings(self) -> None:
        """The example sets the Finnish calendar, thresholds, capacity and plan."""
        playbooks = load_playbooks(EXAMPLE)
        expected = PlanYearRules(
            fiscal_start_month=1,
            timezone="Europe/Helsinki",
            working_days=frozenset({0, 1, 2, 3, 4}),
            holiday_country="FI",
        )
        assert expected == playbooks.plan_year
        assert Thresholds(90.0, 70.0) == playbooks.thresholds
        assert 600.0 == playbooks.capacity_hours_per_year
        assert 180 == playbooks.stale_after_days
        roles = ("decision_maker", "economic_buyer", "procurement", "champion")
        assert roles == playbooks.key_roles
        assert 25.0 == playbooks.strategic_revenue_target_pct
        assert WithdrawMode.DELETE == playbooks.withdraw
        assert str(EXAMPLE) == playbooks.source

    def test_segments_in_order(self) -> None:
        """The example declares segments A, B and C, picked by the segment field."""
        playbooks = load_playbooks(EXAMPLE)
        assert ["A", "B", "C"] == [s.name for s in playbooks.segments]
        whens = [s.when for s in playbooks.segments]
        assert [FieldRule("segment", Operator.EQ, n) for n in "ABC"] == whens

    def test_segment_a_steering(self) -> None:
        """Segment A's steering meeting is read with its stakeholders and done_by."""
        steering = load_playbooks(EXAMPLE).segments[0].activities[0]
        expected = ActivityRule(
            id="steering",
            kind=ActivityKind.MEETING,
            cadence=PerYear(4),
            subject="Steering group {period.label}: {account.name}",
            description="Quarterly steering group with the customer's decision makers.",
            stakeholder_roles=("decision_maker", "economic_buyer"),
            effort_hours=3.0,
            done_by=DoneBy(True, (ActivityKind.MEETING,), "steering"),
        )
        assert expected == steering

    def test_segment_cadences(self) -> None:
        """Each segment asks for the kinds and cadences the example promises."""
        playbooks = load_playbooks(EXAMPLE)
        found = {
            s.name: [(a.kind, a.cadence) for a in s.activities]
            for s in playbooks.segments
        }
        expected = {
            "A": [
                (ActivityKind.MEETING, PerYear(4)),
                (ActivityKind.CALL, Every(Interval.MONTH)),
                (ActivityKind.PLAN_REVIEW_CUSTOMER, PerYear(1)),
                (ActivityKind.PLAN_REVIEW_MANAGER, PerYear(2)),
            ],
            "B": [
                (ActivityKind.CALL, Every(Interval.QUARTER)),
                (ActivityKind.MEETING, PerYear(2)),
                (ActivityKind.PLAN_REVIEW_MANAGER, PerYear(1)),
            ],
            "C": [(ActivityKind.EMAIL, Every(Interval.QUARTER))],
        }
        assert expected == found

    def test_call_done_by_any_call(self) -> None:
        """A's monthly call is done by its task or by any logged call."""
        call = load_playbooks(EXAMPLE).segments[0].activities[1]
        assert DoneBy(task=True, kinds=(ActivityKind.CALL,)) == call.done_by

    def test_segment_a_effort(self) -> None:
        """An A account plans about 30 hours of work a year."""
        occurrences = {PerYear(4): 4, Every(Interval.MONTH): 12, PerYear(1): 1}
        occurrences[PerYear(2)] = 2
        segment_a = load_playbooks(EXAMPLE).segments[0]
        hours = sum(
            occurrences[a.cadence] * a.effort_hours for a in segment_a.activities
        )
        assert 30.0 == hours


class TestDefaults:
    """What a minimal file leaves to the defaults."""

    def test_minimal_file(self) -> None:
        """Only version and segments are needed; every block takes its defaults."""
        playbooks = parse(playbook())
        expected = PlaybookSet(
            segments=playbooks.segments,
            source="test.yaml",
        )
        assert expected == playbooks

    def test_empty_blocks_mean_defaults(self) -> None:
        """A block written with nothing under it keeps its defaults."""
        text = "plan_year:\ncompliance:\ncapacity:\nplan:\nsync:\n" + playbook()
        assert PlaybookSet(parse(text).segments, source="test.yaml") == parse(text)

    def test_activity_defaults(self) -> None:
        """An activity without optional keys gets the owner, 1 h and its task."""
        rule = only_rule(id="call", kind="call", every="month", subject="Call")
        expected = ActivityRule(
            id="call",
            kind=ActivityKind.CALL,
            cadence=Every(Interval.MONTH),
            subject="Call",
        )
        assert expected == rule

    def test_segment_without_activities(self) -> None:
        """A segment may list no activities at all."""
        text = "version: 1\nsegments:\n  - name: Idle\n    when: {always: true}\n"
        assert () == parse(text).segments[0].activities


class TestSettings:
    """Reading the settings blocks."""

    def test_every_setting(self) -> None:
        """Every settings key lands on its PlaybookSet field."""
        text = textwrap.dedent("""\
            plan_year:
              fiscal_start_month: 7
              timezone: America/New_York
              working_days: [sun, mon, tue, wed, thu]
              holidays: US
            compliance: {on_track: 95.5, at_risk: 60}
            capacity: {hours_per_rep_per_year: 350.5}
            plan:
              stale_after_days: 90
              key_roles: [decision_maker]
              strategic_revenue_target_pct: 0
            sync: {withdraw: status}
            """)
        playbooks = parse(text + playbook())
        expected_year = PlanYearRules(
            7, "America/New_York", frozenset({6, 0, 1, 2, 3}), "US"
        )
        assert expected_year == playbooks.plan_year
        assert Thresholds(95.5, 60.0) == playbooks.thresholds
        assert 350.5 == playbooks.capacity_hours_per_year
        assert 90 == playbooks.stale_after_days
        assert ("decision_maker",) == playbooks.key_roles
        assert 0.0 == playbooks.strategic_revenue_target_pct
        assert WithdrawMode.STATUS == playbooks.withdraw

    def test_no_holidays(self) -> None:
        """A null holiday country means no public holidays."""
        text = "plan_year: {holidays: null}\n" + playbook()
        assert parse(text).plan_year.holiday_country is None

    def test_bare_no_is_norway(self) -> None:
        """A bare NO is Norway's code, not YAML 1.1's false."""
        text = "plan_year: {holidays: NO}\n" + playbook()
        assert "NO" == parse(text).plan_year.holiday_country


class TestConditions:
    """Every form a ``when:`` condition can take."""

    @pytest.mark.parametrize(
        ("when", "expected"),
        [
            (
                "{field: segment, op: eq, value: A}",
                FieldRule("segment", Operator.EQ, "A"),
            ),
            ("{field: nps, op: ne, value: 0}", FieldRule("nps", Operator.NE, 0)),
            ("{field: nps, op: gt, value: 8}", FieldRule("nps", Operator.GT, 8)),
            ("{field: nps, op: gte, value: 8.5}", FieldRule("nps", Operator.GTE, 8.5)),
            ("{field: nps, op: lt, value: -1}", FieldRule("nps", Operator.LT, -1)),
            ("{field: nps, op: lte, value: 0}", FieldRule("nps", Operator.LTE, 0)),
            (
                "{field: country, op: in, value: [FI, SE]}",
                FieldRule("country", Operator.IN, ("FI", "SE")),
            ),
            (
                "{field: tier, op: not_in, value: [1, 2]}",
                FieldRule("tier", Operator.NOT_IN, (1, 2)),
            ),
            (
                "{field: name, op: contains, value: Oy}",
                FieldRule("name", Operator.CONTAINS, "Oy"),
            ),
            (
                "{field: name, op: starts_with, value: Nord}",
                FieldRule("name", Operator.STARTS_WITH, "Nord"),
            ),
            (
                "{field: name, op: ends_with, value: Oyj}",
                FieldRule("name", Operator.ENDS_WITH, "Oyj"),
            ),
            ("{field: partner, op: is_set}", FieldRule("partner", Operator.IS_SET)),
            ("{field: partner, op: is_empty}", FieldRule("partner", Operator.IS_EMPTY)),
            (
                "{field: renewal, op: eq, value: 2026-06-30}",
                FieldRule("renewal", Operator.EQ, date(2026, 6, 30)),
            ),
            ("{always: true}", Always()),
            (
                "{rank: {field: annual_revenue_eur, top_percent: 20}}",
                Rank("annual_revenue_eur", top_percent=20.0),
            ),
            ("{rank: {field: wallet_eur, top_n: 50}}", Rank("wallet_eur", top_n=50)),
            (
                "{not: {field: segment, op: eq, value: C}}",
                Not(FieldRule("segment", Operator.EQ, "C")),
            ),
        ],
    )
    def test_single_form(self, when: str, expected: Condition) -> None:
        """Each form is read into its planning condition."""
        assert expected == condition(when)

    def test_nested(self) -> None:
        """all, any and not nest to any depth."""
        when = textwrap.indent(
            textwrap.dedent("""
                all:
                  - {field: segment, op: in, value: [A, B]}
                  - any:
                      - {rank: {field: annual_revenue_eur, top_n: 10}}
                      - not: {field: nps, op: lt, value: 0}
                """),
            "      ",
        )
        expected = AllOf(
            (
                FieldRule("segment", Operator.IN, ("A", "B")),
                AnyOf(
                    (
                        Rank("annual_revenue_eur", top_n=10),
                        Not(FieldRule("nps", Operator.LT, 0)),
                    )
                ),
            )
        )
        assert expected == condition(when)

    def test_bool_is_not_a_number(self) -> None:
        """A comparison with true is refused: gt needs a number."""
        found = issues(playbook(when="{field: nps, op: gt, value: true}"))
        message = "op 'gt' needs a number, got true"
        assert [(4, 39, "segments[0].when.value", message)] == found

    def test_two_forms(self) -> None:
        """A mapping with two forms is an error at the later one."""
        found = issues(playbook(when="{always: true, not: {always: true}}"))
        message = "a condition has exactly one form, got always and not"
        assert [(4, 26, "segments[0].when.not", message)] == found

    def test_always_false(self) -> None:
        """A condition `always` only takes true."""
        found = issues(playbook(when="{always: false}"))
        assert [(4, 20, "segments[0].when.always", "expected true, got false")] == found

    def test_empty_any(self) -> None:
        """A condition `any` needs at least one condition."""
        found = issues(playbook(when="{any: []}"))
        message = "expected a non-empty list, got an empty list"
        assert [(4, 17, "segments[0].when.any", message)] == found

    def test_rank_needs_a_limit(self) -> None:
        """A rank without top_percent or top_n is an error on the rank mapping."""
        found = issues(playbook(when="{rank: {field: wallet_eur}}"))
        message = "expected one of top_percent or top_n, got neither"
        assert [(4, 18, "segments[0].when.rank", message)] == found


class TestCadences:
    """Every cadence an activity can have."""

    @pytest.mark.parametrize(
        ("key", "value", "expected"),
        [
            ("per_year", "1", PerYear(1)),
            ("per_year", "366", PerYear(366)),
            ("every", "week", Every(Interval.WEEK)),
            ("every", "month", Every(Interval.MONTH)),
            ("every", "quarter", Every(Interval.QUARTER)),
            ("every_days", "45", EveryDays(45)),
        ],
    )
    def test_cadence(self, key: str, value: str, expected: object) -> None:
        """Each cadence key is read into its cadence value."""
        rule = only_rule(id="touch", kind="todo", subject="Touch base", **{key: value})
        assert expected == rule.cadence

    def test_per_year_above_366(self) -> None:
        """A per_year count stops at 366."""
        rule = activity(id="a", kind="call", per_year="367", subject="A")
        message = "expected a whole number from 1 to 366, got 367"
        found = issues(playbook(activity=rule))
        assert [(8, 19, "segments[0].activities[0].per_year", message)] == found


class TestActivities:
    """Reading an activity's optional keys."""

    def test_every_key(self) -> None:
        """Owner role, stakeholders, effort, description and done_by are all read."""
        rule = only_rule(
            id="qbr",
            kind="meeting",
            per_year="4",
            subject='"QBR {year} {{internal}}: {account.name} ({account.id})"',
            description='"{segment}/{activity.id} in {period.label}"',
            owner="{role: key_account_manager}",
            stakeholders="[decision_maker, procurement]",
            effort_hours="2.5",
            done_by="{task: false, activities: {kinds: [meeting, call]}}",
        )
        expected = ActivityRule(
            id="qbr",
            kind=ActivityKind.MEETING,
            cadence=PerYear(4),
            subject="QBR {year} {{internal}}: {account.name} ({account.id})",
            description="{segment}/{activity.id} in {period.label}",
            owner_role="key_account_manager",
            stakeholder_roles=("decision_maker", "procurement"),
            effort_hours=2.5,
            done_by=DoneBy(False, (ActivityKind.MEETING, ActivityKind.CALL)),
        )
        assert expected == rule

    def test_account_owner(self) -> None:
        """owner: account_owner is the default owner."""
        rule = only_rule(
            id="call", kind="call", every="month", subject="Call", owner="account_owner"
        )
        assert rule.owner_role is None

    def test_any_stakeholder_role_without_key_roles(self) -> None:
        """Without plan.key_roles any well-formed role is accepted."""
        rule = only_rule(
            id="call", kind="call", every="month", subject="Call", stakeholders="[cfo]"
        )
        assert ("cfo",) == rule.stakeholder_roles

    def test_stray_brace(self) -> None:
        """A single brace in a template must be doubled."""
        rule = activity(id="call", kind="call", every="month", subject='"Call {x"')
        message = "unmatched '{'; write '{{' for a literal brace"
        found = issues(playbook(activity=rule))
        assert [(9, 18, "segments[0].activities[0].subject", message)] == found

    def test_subject_length(self) -> None:
        """A subject may not be longer than 255 characters."""
        rule = activity(id="call", kind="call", every="month", subject="x" * 256)
        message = "expected at most 255 characters, got 256"
        found = issues(playbook(activity=rule))
        assert [(9, 18, "segments[0].activities[0].subject", message)] == found


class TestSuggestions:
    """Near misses come with a suggestion."""

    def test_unknown_key(self) -> None:
        """A misspelt key suggests the key it resembles."""
        rule = activity(id="steering", kind="meeting", per_yer="4", subject="Steering")
        found = issues(playbook(activity=rule))
        message = "unknown key 'per_yer'; did you mean 'per_year'?"
        assert (8, 9, "segments[0].activities[0].per_yer", message) in found

    def test_enum_value(self) -> None:
        """A misspelt enum value lists the choices and suggests the nearest."""
        rule = activity(id="call", kind="call", every="monthy", subject="Call")
        found = issues(playbook(activity=rule))
        message = "expected one of week, month, quarter; did you mean 'month'?"
        assert [(8, 16, "segments[0].activities[0].every", message)] == found

    def test_placeholder(self) -> None:
        """A misspelt placeholder suggests the placeholder it resembles."""
        rule = activity(
            id="call", kind="call", every="month", subject='"{period.lable}"'
        )
        found = issues(playbook(activity=rule))
        message = "unknown placeholder '{period.lable}'; did you mean '{period.label}'?"
        assert [(9, 18, "segments[0].activities[0].subject", message)] == found

    def test_case_only(self) -> None:
        """A value that differs only in case suggests the right case."""
        found = issues("plan_year: {holidays: fi, working_days: [Mon]}\n" + playbook())
        day = "expected one of mon, tue, wed, thu, fri, sat, sun; did you mean 'mon'?"
        country = "unknown holiday country 'fi'; did you mean 'FI'?"
        expected = [
            (1, 23, "plan_year.holidays", country),
            (1, 42, "plan_year.working_days[0]", day),
        ]
        assert expected == found

    def test_stakeholder_role(self) -> None:
        """A stakeholder role close to a key role suggests it."""
        text = "plan: {key_roles: [decision_maker]}\n" + playbook(
            activity=activity(
                id="call",
                kind="call",
                every="month",
                subject="Call",
                stakeholders="[decision_makers]",
            )
        )
        message = (
            "role 'decision_makers' is not in plan.key_roles; "
            "did you mean 'decision_maker'?"
        )
        field = "segments[0].activities[0].stakeholders[0]"
        assert [(11, 24, field, message)] == issues(text)


class TestAllIssues:
    """Every issue is collected and reported together."""

    TEXT = textwrap.dedent("""\
        version: 2
        plan_year: {timezone: Mars/Olympus, fiscal_start_month: 0}
        compliance: {on_track: 50}
        segments:
          - name: A
            when: {field: segment, op: eq}
            activities:
              - id: call
                kind: call
                every_days: 0
                subject: "{acount.name}"
              - id: call
                kind: phone
                every: month
                subject: Call
          - name: A
            when: {always: true}
          - name: B
            when: {field: segment, op: eq, value: B}
        """)

    def test_every_issue_in_order(self) -> None:
        """All mistakes are reported, sorted by line and column."""
        expected = [
            (1, 10, "version"),
            (2, 23, "plan_year.timezone"),
            (2, 57, "plan_year.fiscal_start_month"),
            (3, 24, "compliance.on_track"),
            (6, 11, "segments[0].when.value"),
            (10, 21, "segments[0].activities[0].every_days"),
            (11, 18, "segments[0].activities[0].subject"),
            (12, 13, "segments[0].activities[1].id"),
            (13, 15, "segments[0].activities[1].kind"),
            (16, 11, "segments[1].name"),
            (18, 11, "segments[2].name"),
        ]
        assert expected == [issue[:3] for issue in issues(self.TEXT)]

    def test_message_counts_the_rest(self) -> None:
        """The error's message is the first issue plus how many more there are."""
        with pytest.raises(PlaybookError) as caught:
            parse(self.TEXT)
        expected = "test.yaml:1:10: version: expected version 1, got 2 (and 10 more)"
        assert expected == str(caught.value)


class TestYamlSource:
    """Reading YAML while keeping positions."""

    def test_positions(self) -> None:
        """Values and keys are located 1-based, by path."""
        document = parse_yaml("a:\n  - x\n  - {b: 2}\n", source="s.yaml")
        assert {"a": ["x", {"b": 2}]} == document.value
        assert (2, 5) == document.values[("a", 0)]
        assert (3, 9) == document.values[("a", 1, "b")]
        assert (3, 6) == document.keys[("a", 1, "b")]

    def test_only_true_and_false_are_booleans(self) -> None:
        """Bare yes/no/on/off stay text, as in YAML 1.2; true and false are booleans."""
        document = parse_yaml("[NO, on, Yes, off, true, False]\n", source="s.yaml")
        assert ["NO", "on", "Yes", "off", True, False] == document.value

    def test_keys_keep_their_text(self) -> None:
        """A key such as ``on`` stays text instead of YAML 1.1's true."""
        assert {"on": 1} == parse_yaml("on: 1\n", source="s.yaml").value

    def test_syntax_error(self) -> None:
        """Malformed YAML is one issue at the parser's mark."""
        with pytest.raises(PlaybookError) as caught:
            parse("version: 1\nsegments: [\n")
        (issue,) = caught.value.issues
        assert (3, 1, "<yaml>") == (issue.line, issue.column, issue.field)
        assert issue.message.startswith("invalid YAML: ")

    def test_empty_file(self) -> None:
        """An empty file is an error, not an empty playbook."""
        message = "the file is empty; expected a mapping with version and segments"
        assert [(1, 1, "<root>", message)] == issues("# nothing here\n")

    def test_not_a_mapping(self) -> None:
        """A file that is a list is an error at its start."""
        assert [(1, 1, "<root>", "expected a mapping, got a list")] == issues("- a\n")

    def test_bad_scalar_reported_once(self) -> None:
        """A scalar YAML cannot read is reported once, not again for its type."""
        found = issues(
            playbook(
                activity=activity(id="a", kind="call", per_year="!!int x", subject="A")
            )
        )
        assert ["segments[0].activities[0].per_year"] == [i[2] for i in found]

    def test_alias_loop(self) -> None:
        """An alias inside its own anchor is one issue, not endless recursion."""
        text = "version: 1\nsegments: &s\n  - name: A\n    when: {always: true}\n"
        message = "a YAML alias may not refer to itself"
        found = issues(text + "    activities: *s\n")
        assert [(2, 11, "segments[0].activities", message)] == found

    def test_alias_expansion_is_bounded(self) -> None:
        """Aliases that multiply into too many values are refused."""
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [
            f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 6)
        ]
        found = issues("\n".join(lines) + "\n")
        assert ["<yaml>"] == [issue[2] for issue in found]

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is an issue at line 0 naming the path."""
        path = tmp_path / "missing.yaml"
        with pytest.raises(PlaybookError) as caught:
            load_playbooks(path)
        (issue,) = caught.value.issues
        assert (str(path), 0, "<file>") == (issue.path, issue.line, issue.field)
        assert f"cannot read {path}: No such file or directory" == issue.message

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 text is reported, not raised as a decode error."""
        path = tmp_path / "latin1.yaml"
        path.write_bytes("name: Mäki\n".encode("latin-1"))
        with pytest.raises(PlaybookError) as caught:
            load_playbooks(path)
        assert 0 == caught.value.line


class TestHolidayDates:
    """Public holidays from the ``holidays`` package."""

    def test_finland_2026(self) -> None:
        """Finnish 2026 holidays include Independence Day and Christmas Eve."""
        days = holiday_dates("FI", [2026])
        assert {date(2026, 12, 6), date(2026, 12, 24)} <= days
        assert {d.year for d in days} == {2026}

    def test_several_years(self) -> None:
        """Holidays of every requested year are included."""
        days = holiday_dates("FI", [2026, 2027])
        assert {date(2026, 12, 24), date(2027, 12, 24)} <= days

    def test_no_country(self) -> None:
        """No country means no holidays."""
        assert frozenset() == holiday_dates(None, [2026])

    def test_unknown_country(self) -> None:
        """An unknown country code is a configuration error."""
        with pytest.raises(ConfigError, match="unknown holiday country 'XX'"):
            holiday_dates("XX", [2026])

    def test_unknown_country_at_load_time(self) -> None:
        """An unknown country code is caught when the playbook is loaded."""
        found = issues("plan_year: {holidays: XX}\n" + playbook())
        assert [(1, 23, "plan_year.holidays")] == [i[:3] for i in found]


class TestInvalidCorpus:
    """Each file under ``invalid/`` holds one mistake, located on its first line."""

    def test_corpus_is_large_enough(self) -> None:
        """The corpus covers at least 32 distinct mistakes."""
        assert len(INVALID) >= 32

    @pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
    def test_reports_expected_issue(self, path: Path) -> None:
        """Loading the file raises exactly the issue its first line announces."""
        header = EXPECT.fullmatch(path.read_text().splitlines()[0])
        assert header is not None
        line, column, field = int(header[1]), int(header[2]), header[3]
        with pytest.raises(PlaybookError) as caught:
            load_playbooks(path)
        found = [(i.line, i.column, i.field) for i in caught.value.issues]
        assert [(line, column, field)] == found
        prefix = f"{path}:{line}:{column}: {field}: "
        assert str(caught.value.issues[0]).startswith(prefix)


class TestNotYaml:
    def test_a_file_that_is_not_a_playbook_gets_a_short_message(self, tmp_path):
        """A text file read as one long string is named briefly, not dumped."""
        path = tmp_path / "notes.txt"
        path.write_text("word " * 500)
        with pytest.raises(PlaybookError) as caught:
            load_playbooks(path)
        message = str(caught.value.issues[0])
        assert message.startswith(f"{path}:1:1: <root>: expected a mapping, got '")
        assert len(message) < 200 + len(str(path))
