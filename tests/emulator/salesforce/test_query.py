"""query/queryAll paging and the SOQL the emulator parses, feature by feature."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest
from simple_salesforce.format import format_soql

from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.testing import (
    direct_client,
    error_content,
    trusted_session,
)

pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def big():
    """An emulator with enough contacts (2,500+) to need several pages."""
    with SalesforceEmulator(accounts=900, seed=3) as emu, trusted_session(emu) as http:
        yield emu, direct_client(emu, http)


def _names(result: dict[str, Any]) -> list[str]:
    return [record["Name"] for record in result["records"]]


def _error(caught: pytest.ExceptionInfo[SalesforceError]) -> tuple[int, str]:
    return caught.value.status, error_content(caught.value)[0]["errorCode"]


def _accounts(sf, *names: str) -> list[str]:
    return [sf.Account.create({"Name": name})["id"] for name in names]


class TestPaging:
    def test_query_all_follows_next_records_url(self, big):
        """query_all reads every page; the first page holds 2,000 rows."""
        emu, sf = big
        expected = len(emu.records("Contact"))
        first = sf.query("SELECT Id FROM Contact")
        assert expected > 2500
        assert (2000, False, expected) == (
            len(first["records"]),
            first["done"],
            first["totalSize"],
        )
        assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
        assert first["nextRecordsUrl"].endswith("-2000")
        assert expected == len(
            {r["Id"] for r in sf.query_all("SELECT Id FROM Contact")["records"]}
        )

    def test_batch_size_header(self, big):
        """Sforce-Query-Options: batchSize=500 gives 500-row pages."""
        _, sf = big
        page = sf.query(
            "SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=500"}
        )
        assert (500, "-500") == (len(page["records"]), page["nextRecordsUrl"][-4:])

    def test_batch_size_is_clamped_to_200(self, big):
        """A batchSize under 200 is raised to 200."""
        _, sf = big
        page = sf.query(
            "SELECT Id FROM Contact", headers={"Sforce-Query-Options": "batchSize=10"}
        )
        assert 200 == len(page["records"])

    def test_unknown_locator_is_invalid_query_locator(self, sf):
        """A made-up locator answers INVALID_QUERY_LOCATOR."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query_more("01g000000000000AAA-2000")
        assert (400, "INVALID_QUERY_LOCATOR") == _error(caught)


class TestQueryAll:
    def test_deleted_rows_only_in_query_all(self, sf):
        """IsDeleted rows are hidden from query and shown by queryAll."""
        keep, gone = _accounts(sf, "Keep", "Gone")
        sf.Account.delete(gone)
        soql = (
            "SELECT Name, IsDeleted FROM Account WHERE Name IN ('Keep', 'Gone') "
            "ORDER BY Name"
        )
        assert (["Keep"], [("Gone", True), ("Keep", False)]) == (
            _names(sf.query(soql)),
            [
                (r["Name"], r["IsDeleted"])
                for r in sf.query_all(soql, include_deleted=True)["records"]
            ],
        )
        del keep


class TestSelect:
    def test_key_casing_follows_the_api_name(self, sf):
        """Keys use the field's API casing, whatever the query's casing."""
        record = sf.query("select name, id, plansync_segment__c from account limit 1")[
            "records"
        ][0]
        assert ["attributes", "Name", "Id", "PlanSync_Segment__c"] == list(record)

    def test_parent_relationships_nest(self, sf):
        """Owner.Email and Account.Name nest as objects with attributes."""
        record = sf.query("SELECT Id, Owner.Email, Account.Name FROM Contact LIMIT 1")[
            "records"
        ][0]
        assert ("User", "Account") == (
            record["Owner"]["attributes"]["type"],
            record["Account"]["attributes"]["type"],
        )
        assert record["Owner"]["Email"].endswith("@example.com")

    def test_polymorphic_what_is_the_name_object(self, sf):
        """What.Name on a Task nests under attributes type Name with the real URL."""
        account = sf.query("SELECT Id, Name FROM Account LIMIT 1")["records"][0]
        sf.Task.create(
            {"Subject": "x", "WhatId": account["Id"], "PlanSync_Key__c": "poly"}
        )
        record = sf.query(
            "SELECT What.Name, What.Type FROM Task WHERE PlanSync_Key__c = 'poly'"
        )["records"][0]
        assert {
            "attributes": {
                "type": "Name",
                "url": f"/services/data/v59.0/sobjects/Account/{account['Id']}",
            },
            "Name": account["Name"],
            "Type": "Account",
        } == record["What"]

    def test_two_level_parent_path(self, sf):
        """Account.Owner.Email nests two levels deep."""
        record = sf.query("SELECT Account.Owner.Email FROM Contact LIMIT 1")["records"][
            0
        ]
        assert ["attributes", "Owner"] == list(record["Account"])
        assert "User" == record["Account"]["Owner"]["attributes"]["type"]

    def test_task_owner_is_polymorphic(self, sf):
        """Task.Owner.Email reads the owning user through the Name object."""
        sf.Task.create({"Subject": "own", "PlanSync_Key__c": "own"})
        record = sf.query("SELECT Owner.Email FROM Task WHERE PlanSync_Key__c = 'own'")[
            "records"
        ][0]
        assert ("Name", "integration@plansync.example.com") == (
            record["Owner"]["attributes"]["type"],
            record["Owner"]["Email"],
        )

    def test_null_parent_is_null(self, sf):
        """A missing parent renders as null."""
        sf.Task.create({"Subject": "orphan", "PlanSync_Key__c": "orphan"})
        record = sf.query(
            "SELECT What.Name FROM Task WHERE PlanSync_Key__c = 'orphan'"
        )["records"][0]
        assert record["What"] is None

    def test_count(self, sf):
        """COUNT() puts the count in totalSize with no records."""
        result = sf.query(
            "SELECT COUNT() FROM Account WHERE PlanSync_Segment__c != null"
        )
        assert (40, []) == (result["totalSize"], result["records"])

    def test_value_formats(self, sf):
        """DateTimes end in .000+0000, dates are YYYY-MM-DD, numbers are numbers."""
        sf.Task.create(
            {
                "Subject": "x",
                "ActivityDate": "2026-05-20",
                "PlanSync_Key__c": "fmt",
                "CallDurationInSeconds": 30,
            }
        )
        record = sf.query(
            "SELECT CreatedDate, ActivityDate, CallDurationInSeconds FROM Task "
            "WHERE PlanSync_Key__c = 'fmt'"
        )["records"][0]
        created = datetime.strptime(record["CreatedDate"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert ("2026-05-20", 30, "+0000") == (
            record["ActivityDate"],
            record["CallDurationInSeconds"],
            record["CreatedDate"][-5:],
        )
        assert created.tzinfo is not None


class TestWhere:
    def test_and_or_not_with_parentheses(self, sf):
        """AND, OR and NOT combine with parentheses."""
        _accounts(sf, "Alpha", "Beta", "Gamma")
        soql = (
            "SELECT Name FROM Account WHERE (Name = 'Alpha' OR Name = 'Beta') "
            "AND NOT Name = 'Beta' ORDER BY Name"
        )
        assert ["Alpha"] == _names(sf.query(soql))

    def test_mixing_and_or_without_parentheses_is_malformed(self, sf):
        """SOQL needs parentheses when AND and OR meet."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query(
                "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'"
            )
        assert (400, "MALFORMED_QUERY") == _error(caught)

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            ("NumberOfEmployees = 20", ["B"]),
            ("NumberOfEmployees != 20", ["A", "C", "D"]),
            ("NumberOfEmployees <> 20", ["A", "C", "D"]),
            ("NumberOfEmployees < 20", ["A"]),
            ("NumberOfEmployees <= 20", ["A", "B"]),
            ("NumberOfEmployees > 20", ["C"]),
            ("NumberOfEmployees >= 20", ["B", "C"]),
            ("NumberOfEmployees = null", ["D"]),
            ("NumberOfEmployees IN (10, 30)", ["A", "C"]),
            ("NumberOfEmployees NOT IN (10, 30)", ["B", "D"]),
        ],
    )
    def test_comparison_operators(self, sf, condition, expected):
        """=, !=, <>, <, <=, >, >=, null, IN and NOT IN compare numbers."""
        for name, size in (("A", 10), ("B", 20), ("C", 30), ("D", None)):
            sf.Account.create(
                {"Name": name, "NumberOfEmployees": size, "AccountNumber": "cmp"}
            )
        soql = (
            "SELECT Name FROM Account WHERE AccountNumber = 'cmp' AND "
            f"{condition} ORDER BY Name"
        )
        assert expected == _names(sf.query(soql))

    def test_like_is_case_insensitive_with_wildcards_and_escapes(self, sf):
        r"""LIKE matches % and _ case-insensitively; \% and \_ match literally."""
        _accounts(sf, "50% Off", "50 Off", "Acme_1", "AcmeX1", "acme corp")
        assert (
            ["50% Off"],
            ["Acme_1"],
            ["acme corp", "AcmeX1", "Acme_1"],
            ["AcmeX1", "Acme_1"],
        ) == (
            _names(sf.query(r"SELECT Name FROM Account WHERE Name LIKE '50\%%'")),
            _names(sf.query(r"SELECT Name FROM Account WHERE Name LIKE 'acme\_1'")),
            _names(
                sf.query(
                    "SELECT Name FROM Account WHERE Name LIKE 'ACME%' ORDER BY Name"
                )
            ),
            _names(
                sf.query(
                    "SELECT Name FROM Account WHERE Name LIKE 'acme_1' ORDER BY Name"
                )
            ),
        )

    def test_equality_ignores_case(self, sf):
        """String = compares without regard to case."""
        _accounts(sf, "MiXeD")
        assert ["MiXeD"] == _names(
            sf.query("SELECT Name FROM Account WHERE Name = 'mixed'")
        )

    def test_booleans(self, sf):
        """true/false literals compare booleans."""
        sf.Task.create(
            {"Subject": "done", "Status": "Completed", "PlanSync_Key__c": "b1"}
        )
        sf.Task.create({"Subject": "open", "PlanSync_Key__c": "b2"})
        soql = (
            "SELECT Subject FROM Task WHERE PlanSync_Key__c IN ('b1','b2') AND "
            "IsClosed = {}"
        )
        assert (["done"], ["open"]) == (
            [r["Subject"] for r in sf.query(soql.format("true"))["records"]],
            [r["Subject"] for r in sf.query(soql.format("FALSE"))["records"]],
        )

    def test_quoted_string_round_trip_through_format_soql(self, sf):
        """A name with a quote and a backslash round-trips through format_soql."""
        name = "O'Brien \\ Sons"
        _accounts(sf, name)
        assert [name] == _names(
            sf.query(format_soql("SELECT Name FROM Account WHERE Name = {}", name))
        )

    def test_documented_escapes_decode(self, sf):
        r"""\n, \t, \" and \uXXXX decode inside string literals."""
        _accounts(sf, 'a\tb "c" é')
        assert ['a\tb "c" é'] == _names(
            sf.query(r"SELECT Name FROM Account WHERE Name = 'a\tb \"c\" \u00e9'")
        )

    def test_undocumented_escape_is_malformed(self, sf):
        """Any other backslash escape is MALFORMED_QUERY."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query(r"SELECT Id FROM Account WHERE Name = 'a\qb'")
        assert (400, "MALFORMED_QUERY") == _error(caught)

    def test_date_literal_and_dates(self, sf):
        """Unquoted dates compare with date fields."""
        for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
            sf.Task.create(
                {"Subject": day, "ActivityDate": day, "PlanSync_Key__c": "d"}
            )
        soql = (
            "SELECT Subject FROM Task WHERE PlanSync_Key__c = 'd' AND ActivityDate "
            ">= 2026-01-02 "
            "ORDER BY ActivityDate DESC"
        )
        assert ["2026-01-03", "2026-01-02"] == [
            r["Subject"] for r in sf.query(soql)["records"]
        ]

    @pytest.mark.parametrize(
        "literal",
        [
            "2020-01-02T03:04:05Z",
            "2020-01-02T03:04:05+00:00",
            "2020-01-02T05:04:05+02:00",
            "2020-01-01T22:04:05-05:00",
            "2020-01-02T03:04:05.000Z",
        ],
    )
    def test_datetime_literal_forms(self, sf, literal):
        """Z, +hh:mm, -hh:mm offsets and fractional seconds are accepted."""
        sf.Task.create({"Subject": "x", "PlanSync_Key__c": "dt"})
        soql = (
            "SELECT Id FROM Task WHERE PlanSync_Key__c = 'dt' AND CreatedDate > "
            f"{literal}"
        )
        assert 1 == sf.query(soql)["totalSize"]

    def test_date_value_on_datetime_field_is_invalid_field(self, sf):
        """A date literal cannot filter a dateTime field."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Id FROM Account WHERE CreatedDate > 2020-01-01")
        assert (400, "INVALID_FIELD") == _error(caught)

    @pytest.mark.parametrize(
        ("literal", "offset_days", "expected"),
        [
            ("TODAY", 0, True),
            ("TODAY", -1, False),
            ("YESTERDAY", -1, True),
            ("TOMORROW", 1, True),
            ("LAST_N_DAYS:3", -3, True),
            ("LAST_N_DAYS:3", 0, True),
            ("LAST_N_DAYS:3", -4, False),
            ("NEXT_N_DAYS:2", 0, False),
            ("NEXT_N_DAYS:2", 2, True),
            ("LAST_90_DAYS", -90, True),
            ("LAST_90_DAYS", -91, False),
            ("THIS_YEAR", 0, True),
        ],
    )
    def test_date_literals(self, sf, literal, offset_days, expected):
        """Relative date literals cover the documented day ranges."""
        day = (datetime.now(UTC).date() + timedelta(days=offset_days)).isoformat()
        sf.Task.create({"Subject": "x", "ActivityDate": day, "PlanSync_Key__c": "lit"})
        soql = (
            "SELECT Id FROM Task WHERE PlanSync_Key__c = 'lit' AND ActivityDate "
            f"= {literal}"
        )
        assert expected == (1 == sf.query(soql)["totalSize"])

    def test_month_literals(self, sf):
        """THIS_MONTH and LAST_MONTH select calendar months."""
        today = datetime.now(UTC).date()
        last_month = (today.replace(day=1) - timedelta(days=1)).isoformat()
        for subject, day in (("this", today.isoformat()), ("last", last_month)):
            sf.Task.create(
                {"Subject": subject, "ActivityDate": day, "PlanSync_Key__c": "m"}
            )
        soql = (
            "SELECT Subject FROM Task WHERE PlanSync_Key__c = 'm' AND ActivityDate = {}"
        )
        assert (["this"], ["last"]) == (
            [r["Subject"] for r in sf.query(soql.format("THIS_MONTH"))["records"]],
            [r["Subject"] for r in sf.query(soql.format("LAST_MONTH"))["records"]],
        )

    def test_datetime_field_against_today(self, sf):
        """CreatedDate = TODAY matches records created now."""
        _accounts(sf, "Fresh")
        assert ["Fresh"] == _names(
            sf.query(
                "SELECT Name FROM Account WHERE CreatedDate = TODAY AND Name = 'Fresh'"
            )
        )

    def test_id_filters_accept_15_and_18_chars(self, sf):
        """Id filters match both id forms."""
        (record_id,) = _accounts(sf, "Ided")
        soql = "SELECT Name FROM Account WHERE Id IN ('{}', '{}')"
        assert ["Ided"] == _names(
            sf.query(soql.format(record_id[:15], "001000000000000AAA"))
        )

    def test_semi_join(self, sf):
        """Id IN (SELECT WhatId FROM Task ...) filters by a sub-select."""
        first, _ = _accounts(sf, "With task", "Without")
        sf.Task.create({"Subject": "x", "WhatId": first, "PlanSync_Key__c": "semi"})
        soql = (
            "SELECT Name FROM Account WHERE Id IN "
            "(SELECT WhatId FROM Task WHERE PlanSync_Key__c = 'semi')"
        )
        assert ["With task"] == _names(sf.query(soql))


class TestKeysetPaging:
    def test_modstamp_then_id_watermark(self, sf, emu):
        """A SystemModstamp-then-Id watermark resumes after equal stamps."""
        rows = sf.query_all(
            "SELECT Id, SystemModstamp FROM Account ORDER BY SystemModstamp, Id"
        )["records"]
        pivot = rows[9]
        stamp = datetime.strptime(pivot["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z")
        soql = format_soql(
            "SELECT Id FROM Account WHERE SystemModstamp > {stamp} OR "
            "(SystemModstamp = {stamp} AND Id > {id}) ORDER BY SystemModstamp, Id",
            stamp=stamp,
            id=pivot["Id"],
        )
        assert [r["Id"] for r in rows[10:]] == [
            r["Id"] for r in sf.query_all(soql)["records"]
        ]
        assert 40 == len(emu.records("Account"))


class TestOrderLimitOffset:
    def test_text_sorts_by_upper_case_and_picklists_by_definition(self, sf):
        """Text sorts by its upper-case form; a picklist sorts in its defined order."""
        statuses = ["Deferred", "Completed", "Not Started", "In Progress"]
        for status in statuses:
            sf.Task.create(
                {"Subject": status, "Status": status, "PlanSync_Key__c": "pk"}
            )
        soql = "SELECT Subject FROM Task WHERE PlanSync_Key__c = 'pk' ORDER BY {}"
        assert (
            ["Not Started", "In Progress", "Completed", "Deferred"],
            ["Completed", "Deferred", "In Progress", "Not Started"],
        ) == (
            [r["Subject"] for r in sf.query(soql.format("Status"))["records"]],
            [r["Subject"] for r in sf.query(soql.format("Subject"))["records"]],
        )

    def test_several_keys_nulls_first_and_last(self, sf):
        """ORDER BY several keys honours ASC/DESC and NULLS FIRST/LAST."""
        for name, industry in (
            ("b", "Energy"),
            ("a", "Energy"),
            ("c", None),
            ("d", "Retail"),
        ):
            sf.Account.create(
                {"Name": name, "Industry": industry, "AccountNumber": "ord"}
            )
        base = "SELECT Name FROM Account WHERE AccountNumber = 'ord' ORDER BY "
        assert (["c", "a", "b", "d"], ["d", "a", "b", "c"], ["a", "b", "d", "c"]) == (
            _names(sf.query(base + "Industry, Name")),
            _names(sf.query(base + "Industry DESC, Name ASC")),
            _names(sf.query(base + "Industry ASC NULLS LAST, Name")),
        )

    def test_limit_and_offset(self, sf):
        """LIMIT and OFFSET slice the ordered rows."""
        _accounts(sf, "p1", "p2", "p3", "p4")
        soql = (
            "SELECT Name FROM Account WHERE Name LIKE 'p_' ORDER BY Name LIMIT 2 "
            "OFFSET 1"
        )
        assert ["p2", "p3"] == _names(sf.query(soql))

    def test_offset_over_2000(self, sf):
        """OFFSET above 2,000 answers NUMBER_OUTSIDE_VALID_RANGE."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Id FROM Account ORDER BY Id OFFSET 2001")
        assert (400, "NUMBER_OUTSIDE_VALID_RANGE") == _error(caught)


class TestQueryErrors:
    def test_unknown_field_message_shape(self, sf):
        """An unknown column answers INVALID_FIELD with caret and Row/Column."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Foo__c FROM Account")
        assert [
            {
                "message": "\nSELECT Foo__c FROM Account\n       ^\nERROR at "
                "Row:1:Column:8\n"
                "No such column 'Foo__c' on entity 'Account'. If you are attempting "
                "to use a custom "
                "field, be sure to append the '__c' after the custom field name. "
                "Please reference "
                "your WSDL or the describe call for the appropriate names.",
                "errorCode": "INVALID_FIELD",
            }
        ] == error_content(caught.value)

    def test_unknown_object_is_invalid_type(self, sf):
        """An unknown object answers INVALID_TYPE at the object's column."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Id FROM Foo__c")
        assert (400, "INVALID_TYPE") == _error(caught)
        assert "ERROR at Row:1:Column:16" in error_content(caught.value)[0]["message"]

    def test_unknown_relationship_is_invalid_field(self, sf):
        """An unknown relationship in a path answers INVALID_FIELD."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Boss.Name FROM Account")
        assert (400, "INVALID_FIELD") == _error(caught)

    def test_typo_in_keyword_is_malformed(self, sf):
        """A misspelt keyword answers MALFORMED_QUERY naming the token."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Id FRM Account")
        assert error_content(caught.value)[0]["message"].endswith(
            "unexpected token: 'FRM'"
        )

    def test_quoted_number_is_invalid_field(self, sf):
        """A quoted value for a number field answers INVALID_FIELD."""
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.query("SELECT Id FROM Account WHERE AnnualRevenue = '5'")
        assert (400, "INVALID_FIELD") == _error(caught)


class TestAggregates:
    def test_group_by_with_count_and_sum(self, sf):
        """GROUP BY returns AggregateResult rows with exprN names and aliases."""
        for name, revenue in (("g1", 10.0), ("g2", 20.0), ("g3", 5.0)):
            sf.Account.create(
                {
                    "Name": name,
                    "AnnualRevenue": revenue,
                    "AccountNumber": "agg",
                    "PlanSync_Plan_Segment__c": "A" if name != "g3" else "B",
                }
            )
        rows = sf.query(
            "SELECT PlanSync_Plan_Segment__c, COUNT(Id) n, SUM(AnnualRevenue) FROM "
            "Account "
            "WHERE AccountNumber = 'agg' GROUP BY PlanSync_Plan_Segment__c "
            "ORDER BY PlanSync_Plan_Segment__c"
        )["records"]
        assert [
            {
                "attributes": {"type": "AggregateResult"},
                "PlanSync_Plan_Segment__c": "A",
                "n": 2,
                "expr0": 30.0,
            },
            {
                "attributes": {"type": "AggregateResult"},
                "PlanSync_Plan_Segment__c": "B",
                "n": 1,
                "expr0": 5.0,
            },
        ] == rows


class TestSoqlDateHelpers:
    def test_format_soql_dates(self, sf):
        """format_soql renders date values the parser accepts."""
        sf.Task.create(
            {"Subject": "x", "ActivityDate": "2026-03-04", "PlanSync_Key__c": "fd"}
        )
        soql = format_soql(
            "SELECT Id FROM Task WHERE ActivityDate = {} AND PlanSync_Key__c = 'fd'",
            date(2026, 3, 4),
        )
        assert 1 == sf.query(soql)["totalSize"]
