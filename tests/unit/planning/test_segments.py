from __future__ import annotations

import pytest

from plansync.planning.playbooks import (
    AllOf,
    Always,
    AnyOf,
    FieldRule,
    Not,
    Operator,
    Rank,
    Segment,
)
from plansync.planning.segments import assign_segments
from tests.builders import account


class TestFieldRules:
    @pytest.mark.parametrize(
        ("rule", "expected"),
        [
            (FieldRule("segment", Operator.EQ, "a"), True),
            (FieldRule("segment", Operator.NE, "A"), False),
            (FieldRule("annual_revenue_eur", Operator.GT, 999_999), True),
            (FieldRule("annual_revenue_eur", Operator.GTE, 1_000_000), True),
            (FieldRule("annual_revenue_eur", Operator.LT, 1_000_000), False),
            (FieldRule("annual_revenue_eur", Operator.LTE, 1_000_000), True),
            (FieldRule("industry", Operator.IN, ("Energy", "Retail")), True),
            (FieldRule("industry", Operator.NOT_IN, ("Energy",)), False),
            (FieldRule("industry", Operator.CONTAINS, "erg"), True),
            (FieldRule("industry", Operator.STARTS_WITH, "en"), True),
            (FieldRule("industry", Operator.ENDS_WITH, "gy"), True),
            (FieldRule("country", Operator.IS_EMPTY), True),
            (FieldRule("industry", Operator.IS_SET), True),
            (FieldRule("industry", Operator.GT, 5), False),
        ],
    )
    def test_operator(self, rule, expected):
        """Each operator compares the account field as documented."""
        segments = (Segment("X", rule),)
        assert {"1": "X" if expected else None} == assign_segments(
            [account("1", industry="Energy")], segments
        )


class TestComposition:
    def test_first_match_wins_and_unmatched_get_none(self):
        """Segments are tried in order; an account matching none has no segment."""
        segments = (
            Segment("A", FieldRule("segment", Operator.EQ, "A")),
            Segment("Big", FieldRule("annual_revenue_eur", Operator.GT, 10)),
        )
        accounts = [
            account("1", segment="A"),
            account("2", segment="B"),
            account("3", segment="B", revenue=None),
        ]
        assert {"1": "A", "2": "Big", "3": None} == assign_segments(accounts, segments)

    def test_all_any_not(self):
        """all/any/not nest as boolean logic."""
        cond = AllOf(
            (
                AnyOf(
                    (
                        FieldRule("segment", Operator.EQ, "A"),
                        FieldRule("segment", Operator.EQ, "B"),
                    )
                ),
                Not(FieldRule("industry", Operator.EQ, "Public")),
            )
        )
        accounts = [
            account("1", segment="B", industry="Retail"),
            account("2", segment="A", industry="Public"),
        ]
        assert {"1": "S", "2": None} == assign_segments(accounts, (Segment("S", cond),))

    def test_rank_top_percent(self):
        """Top 20 % by revenue of ten accounts is the two largest, ties by id."""
        accounts = [account(f"{n:02d}", revenue=float(n % 8)) for n in range(10)]
        result = assign_segments(
            accounts,
            (
                Segment("Top", Rank("annual_revenue_eur", top_percent=20)),
                Segment("Rest", Always()),
            ),
        )
        assert ["06", "07"] == sorted(k for k, v in result.items() if v == "Top")

    def test_rank_top_n(self):
        """top_n picks that many accounts regardless of share."""
        accounts = [account(str(n), revenue=float(n)) for n in range(5)]
        result = assign_segments(
            accounts, (Segment("Top", Rank("annual_revenue_eur", top_n=1)),)
        )
        assert {"4"} == {k for k, v in result.items() if v == "Top"}
