r"""Build the SOQL text the Salesforce connector sends; pure, every value escaped.

Every interpolated value goes through simple-salesforce's ``format_soql``, which
quotes and escapes strings (``'`` and ``\`` are reserved, docs/salesforce.md §3.5;
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm)
and renders datetimes as UTC literals without fractional seconds. Field and object
names cannot be quoted in SOQL, so they are checked against the API-name grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from simple_salesforce.format import format_soql

from plansync.config.settings import SalesforceFields
from plansync.errors import ConfigError

T = TypeVar("T")
KEY_FIELD = "PlanSync_Key__c"
OVERLAP = timedelta(seconds=5)
"""How far back an incremental read looks again for rows stamped before their
transaction committed (see ``read_from`` and ``since_condition``)."""

KEYSET = ("SystemModstamp", "Id")
IN_CHUNK = 200
"""Values per ``IN (…)`` list: 200 quoted 80-character keys stay well under the
16,384-byte URI limit (docs/salesforce.md §3.4)."""

_API_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")

USER_FIELDS = ("Id", "Name", "Email", "IsActive", "SystemModstamp")
ACCOUNT_BASE = (
    "Id",
    "Name",
    "OwnerId",
    "AnnualRevenue",
    "Industry",
    "SystemModstamp",
    "IsDeleted",
    "MasterRecordId",
)
CONTACT_BASE = (
    "Id",
    "AccountId",
    "Name",
    "Email",
    "SystemModstamp",
    "IsDeleted",
    "MasterRecordId",
    "PlanSync_Influence__c",
    "PlanSync_Attitude__c",
)
_ACTIVITY_COMMON = (
    "Id",
    "AccountId",
    "WhatId",
    "WhoId",
    "OwnerId",
    "Subject",
    "Description",
    "ActivityDate",
    "Type",
    "SystemModstamp",
    "IsDeleted",
    KEY_FIELD,
    "PlanSync_Fingerprint__c",
    "PlanSync_Kind__c",
)
TASK_FIELDS = (*_ACTIVITY_COMMON, "Status", "TaskSubtype", "CompletedDateTime")
EVENT_FIELDS = (*_ACTIVITY_COMMON, "EndDateTime")
PLAN_OBJECT = "PlanSync_Account_Plan__c"
STAKEHOLDER_OBJECT = "PlanSync_Stakeholder__c"
PLAN_FIELDS = (
    "Id",
    KEY_FIELD,
    "Account__c",
    "Plan_Year__c",
    "Segment__c",
    "Segment_Since__c",
    "Customer_Strategy__c",
    "Short_Term_Goals__c",
    "Long_Term_Goals__c",
    "Whitespace__c",
    "Red_Flags__c",
    "Buying_Process__c",
    "Next_Actions__c",
    "Current_Revenue__c",
    "Products__c",
    "Recurring_Share__c",
    "Wallet_Share__c",
    "Planned_Activities__c",
    "Planned_Hours__c",
    "Done_Activities__c",
    "Compliance_Pct__c",
    "Status__c",
    "Last_Reviewed__c",
    "SystemModstamp",
    "IsDeleted",
)
STAKEHOLDER_FIELDS = (
    "Id",
    KEY_FIELD,
    "Account_Plan__c",
    "Contact__c",
    "Contact__r.Name",
    "Role__c",
    "Influence__c",
    "Attitude__c",
    "Known__c",
    "SystemModstamp",
    "IsDeleted",
)
COMPLIANCE_FIELDS = (
    "PlanSync_Plan_Segment__c",
    "PlanSync_Compliance_Pct__c",
    "PlanSync_Planned_To_Date__c",
    "PlanSync_Done_To_Date__c",
    "PlanSync_Status__c",
    "PlanSync_Overdue__c",
    "PlanSync_Next_Due__c",
    "PlanSync_Last_Reconciled__c",
)


@dataclass(frozen=True, slots=True)
class Query:
    """One SOQL read: the statement, its ordering, and whether it sees deletions.

    The ORDER BY is kept apart because a Bulk API 2.0 query should not carry one
    (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm).
    """

    object_name: str
    unordered: str
    order_by: tuple[str, ...] = ()
    include_deleted: bool = False
    fields: tuple[str, ...] = ()
    extra: str = ""

    @property
    def soql(self) -> str:
        """Return the statement for the REST query resource, ordered."""
        if not self.order_by:
            return self.unordered
        return f"{self.unordered} ORDER BY {', '.join(self.order_by)}"

    @property
    def is_keyset(self) -> bool:
        """Tell whether the read is ordered by ``SystemModstamp, Id`` (resumable)."""
        return self.order_by == KEYSET

    def after(self, stamp: datetime, record_id: str) -> Query:
        """Return the same keyset read continuing after the row ``(stamp, id)``."""
        return _keyset(
            self.object_name, self.fields, changed_since(stamp, record_id), self.extra
        )


def check_names(names: Sequence[str]) -> tuple[str, ...]:
    """Return the names if each is a valid (optionally dotted) API name.

    Raises:
        ConfigError: a name could smuggle SOQL (field names come from settings).
    """
    for name in names:
        if not _API_NAME.match(name):
            raise ConfigError(f"salesforce: `{name}` is not a Salesforce API name")
    return tuple(names)


def account_fields(mapped: SalesforceFields) -> tuple[str, ...]:
    """Return the Account fields to select, the configured ones included."""
    extra = (mapped.segment, mapped.nps, mapped.wallet, mapped.recurring_share)
    return check_names(_unique((*ACCOUNT_BASE, *extra)))


def contact_fields(mapped: SalesforceFields) -> tuple[str, ...]:
    """Return the Contact fields to select, the configured role field included."""
    return check_names(_unique((*CONTACT_BASE, mapped.contact_role)))


def select(object_name: str, fields: Sequence[str], *, where: str = "") -> str:
    """Return ``SELECT fields FROM object [WHERE …]``.

    ``where`` must already be built with ``format_soql`` (the helpers below do).
    """
    check_names((object_name, *fields))
    # Names are checked API names; values reach SOQL only through format_soql.
    text = f"SELECT {', '.join(fields)} FROM {object_name}"  # noqa: S608
    return f"{text} WHERE {where}" if where else text


def changed_since(watermark: datetime, after_id: str | None = None) -> str:
    """Return the keyset condition for rows after ``(watermark, after_id)``.

    Without ``after_id`` every row stamped at or after the watermark matches; with
    it, rows at exactly the watermark are resumed after that Id, which is how a
    read ordered by ``SystemModstamp, Id`` continues where it stopped.
    """
    if after_id is None:
        return str(format_soql("SystemModstamp >= {}", watermark))
    return str(
        format_soql(
            "(SystemModstamp > {} OR (SystemModstamp = {} AND Id > {}))",
            watermark,
            watermark,
            after_id,
        )
    )


def read_from(since: datetime) -> datetime:
    """Return where an incremental read starts: ``since`` minus the overlap.

    SOQL datetime literals carry whole seconds (format_soql drops the fraction), and
    a record's SystemModstamp is taken before its transaction commits, so the read
    starts a little earlier; the caller drops what it has already seen.
    """
    return since.replace(microsecond=0) - OVERLAP


def incremental(
    object_name: str, fields: Sequence[str], since: datetime, *, extra: str = ""
) -> Query:
    """Return a ``queryAll`` read of rows changed since ``since`` (deletions too)."""
    return _keyset(object_name, tuple(fields), changed_since(read_from(since)), extra)


def stamp_literal(value: datetime) -> str:
    """Render a dateTime literal at the precision the CRM gave it, in UTC.

    Salesforce stamps carry whole seconds (the API renders ``.000``), which the
    documented literal ``YYYY-MM-DDThh:mm:ssZ`` holds exactly; milliseconds are
    written only when a stamp has them. Only digits are rendered, so there is
    nothing to escape (format_soql would drop the fraction).
    """
    utc = value.astimezone(UTC)
    millis = utc.microsecond // 1000
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def since_condition(
    watermark: datetime, read_at: datetime | None, *, field: str = "SystemModstamp"
) -> str:
    """Return the condition on ``field`` for rows a caller has not seen yet.

    With ``read_at`` (the CRM's clock when the caller's last read began) that is
    every row stamped after the watermark, plus every row stamped in the
    ``OVERLAP`` before that read: a row is stamped before its transaction
    commits, so such a row may have been invisible then. The caller drops the
    ones it holds already. Without ``read_at`` the overlap is counted back from
    the watermark instead (``read_from``).
    """
    check_names((field,))
    if read_at is None:
        return f"{field} >= {stamp_literal(read_from(watermark))}"
    window = read_at.astimezone(UTC).replace(microsecond=0) - OVERLAP
    newer = f"{field} > {stamp_literal(watermark)}"
    return f"({newer} OR {field} >= {stamp_literal(window)})"


def changes(
    object_name: str,
    fields: Sequence[str],
    watermark: datetime,
    read_at: datetime | None,
    *,
    extra: str = "",
) -> Query:
    """Return a ``queryAll`` read of the rows ``since_condition`` selects."""
    where = since_condition(watermark, read_at)
    return _keyset(object_name, tuple(fields), where, extra)


def _keyset(object_name: str, fields: tuple[str, ...], where: str, extra: str) -> Query:
    condition = f"({where}) AND {extra}" if extra else where
    return Query(
        object_name,
        select(object_name, fields, where=condition),
        order_by=KEYSET,
        include_deleted=True,
        fields=fields,
        extra=extra,
    )


def full(
    object_name: str,
    fields: Sequence[str],
    *,
    where: str = "",
    include_deleted: bool = False,
) -> Query:
    """Return a read of every row matching ``where`` (live rows unless told)."""
    return Query(
        object_name,
        select(object_name, fields, where=where),
        include_deleted=include_deleted,
    )


def plans_of_year(
    year: int, since: datetime | None, read_at: datetime | None = None
) -> Query:
    """Return the read of one year's plan records: live ones, or changes since."""
    where = str(format_soql("Plan_Year__c = {}", year))
    if since is None:
        return full(PLAN_OBJECT, PLAN_FIELDS, where=where)
    return changes(PLAN_OBJECT, PLAN_FIELDS, since, read_at, extra=where)


def lines_of_year(
    year: int, since: datetime | None, read_at: datetime | None = None
) -> Query:
    """Return the read of one year's stakeholder lines: live ones, or changes since.

    Changed lines come with every line of a changed plan, so each changed plan
    can be rebuilt whole; deleted lines come too (``queryAll``).
    """
    where = key_in_year(year)
    if since is None:
        return full(STAKEHOLDER_OBJECT, STAKEHOLDER_FIELDS, where=where)
    own = since_condition(since, read_at)
    parent = since_condition(since, read_at, field="Account_Plan__r.SystemModstamp")
    condition = f"({own} OR {parent}) AND {where}"
    return Query(
        STAKEHOLDER_OBJECT,
        select(STAKEHOLDER_OBJECT, STAKEHOLDER_FIELDS, where=condition),
        include_deleted=True,
    )


def field_in(field: str, values: Sequence[str]) -> str:
    """Return ``field IN ('a','b')`` with every value escaped."""
    check_names((field,))
    return str(format_soql(f"{field} IN {{}}", list(values)))


def key_in_year(year: int) -> str:
    """Return a condition on plansync keys of one plan year (``ps:<year>:…``)."""
    return str(format_soql(f"{KEY_FIELD} LIKE '{{:like}}%'", f"ps:{year}:"))


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """Yield ``values`` in lists of at most ``size``."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _unique(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))
