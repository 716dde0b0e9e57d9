"""Assign each account its segment: the first matching segment wins."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import assert_never

from plansync.planning.models import Account, FieldValue
from plansync.planning.playbooks import (
    AllOf,
    Always,
    AnyOf,
    Condition,
    FieldRule,
    Not,
    Operator,
    Rank,
    Segment,
)

_TYPED_FIELDS = (
    "name",
    "owner_id",
    "annual_revenue_eur",
    "nps",
    "wallet_eur",
    "recurring_share_pct",
)


def field_value(account: Account, name: str) -> FieldValue:
    """Return an account field by canonical name: typed attributes, then ``fields``."""
    if name in _TYPED_FIELDS:
        value: FieldValue = getattr(account, name)
        return value
    return account.fields.get(name)


def assign_segments(
    accounts: Sequence[Account], segments: Sequence[Segment]
) -> dict[str, str | None]:
    """Map every account id to the name of its first matching segment, or None."""
    ranked = _rank_winners(accounts, _rank_conditions(s.when for s in segments))
    result: dict[str, str | None] = {}
    for account in accounts:
        result[account.id] = next(
            (s.name for s in segments if matches(s.when, account, ranked)), None
        )
    return result


def matches(
    condition: Condition, account: Account, ranked: Mapping[Rank, frozenset[str]]
) -> bool:
    """Tell whether an account meets a condition; ``ranked`` holds rank winners."""
    match condition:
        case Always():
            return True
        case FieldRule():
            return _compare(field_value(account, condition.field), condition)
        case AllOf(conditions=items):
            return all(matches(c, account, ranked) for c in items)
        case AnyOf(conditions=items):
            return any(matches(c, account, ranked) for c in items)
        case Not(condition=inner):
            return not matches(inner, account, ranked)
        case Rank():
            return account.id in ranked.get(condition, frozenset())
        case _:
            assert_never(condition)


def _rank_conditions(conditions: Iterable[Condition]) -> list[Rank]:
    found: list[Rank] = []
    for condition in conditions:
        match condition:
            case Rank():
                found.append(condition)
            case AllOf(conditions=items) | AnyOf(conditions=items):
                found.extend(_rank_conditions(items))
            case Not(condition=inner):
                found.extend(_rank_conditions([inner]))
            case FieldRule() | Always():
                pass
            case _:
                assert_never(condition)
    return found


def _rank_winners(
    accounts: Sequence[Account], ranks: Sequence[Rank]
) -> dict[Rank, frozenset[str]]:
    winners: dict[Rank, frozenset[str]] = {}
    for rank in ranks:
        scored = [
            (float(v), a.id)
            for a in accounts
            if isinstance(v := field_value(a, rank.field), int | float)
            and not isinstance(v, bool)
        ]
        # Highest first; ties by id so arrival order never changes the result.
        scored.sort(key=lambda item: (-item[0], item[1]))
        if rank.top_n is not None:
            keep = rank.top_n
        else:
            keep = math.ceil(len(accounts) * (rank.top_percent or 0.0) / 100.0)
        winners[rank] = frozenset(account_id for _, account_id in scored[:keep])
    return winners


def _compare(actual: FieldValue, rule: FieldRule) -> bool:  # noqa: PLR0911  # one return per operator family
    op, expected = rule.op, rule.value
    if op is Operator.IS_EMPTY:
        return actual is None or actual == ""
    if op is Operator.IS_SET:
        return not (actual is None or actual == "")
    if op in (Operator.IN, Operator.NOT_IN):
        options = expected if isinstance(expected, tuple) else (expected,)
        found = any(_equal(actual, option) for option in options)
        return found if op is Operator.IN else not found
    if isinstance(expected, tuple):
        return False
    if op in (Operator.EQ, Operator.NE):
        return _equal(actual, expected) == (op is Operator.EQ)
    if op in (Operator.CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH):
        return _text_match(actual, expected, op)
    return _order(actual, expected, op)


def _equal(actual: FieldValue, expected: FieldValue) -> bool:
    # Picklist values differ in case between CRMs; compare text caselessly.
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    if _is_number(actual) and _is_number(expected):
        return float(actual) == float(expected)  # type: ignore[arg-type]  # checked by _is_number
    return actual == expected


def _text_match(actual: FieldValue, expected: FieldValue, op: Operator) -> bool:
    if not isinstance(actual, str) or not isinstance(expected, str):
        return False
    text, part = actual.casefold(), expected.casefold()
    if op is Operator.CONTAINS:
        return part in text
    if op is Operator.STARTS_WITH:
        return text.startswith(part)
    return text.endswith(part)


def _order(actual: FieldValue, expected: FieldValue, op: Operator) -> bool:
    if not (_is_number(actual) and _is_number(expected)):
        return False
    left, right = float(actual), float(expected)  # type: ignore[arg-type]  # checked by _is_number
    return {
        Operator.GT: left > right,
        Operator.GTE: left >= right,
        Operator.LT: left < right,
        Operator.LTE: left <= right,
    }.get(op, False)


def _is_number(value: FieldValue) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
