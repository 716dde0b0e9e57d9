"""The SOQL builders: escaped values, checked names, incremental keyset reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plansync.config.settings import SalesforceFields
from plansync.connectors.salesforce import soql
from plansync.errors import ConfigError

WATERMARK = datetime(2026, 3, 2, 6, 0, 30, 250_000, tzinfo=UTC)


class TestValues:
    def test_quotes_and_backslashes_are_escaped(self):
        """A name with a quote and a backslash becomes one escaped literal."""
        where = soql.field_in("Name", ['O\'Brien \\ Sons "Ltd"'])
        assert "Name IN ('O\\'Brien \\\\ Sons \\\"Ltd\\\"')" == where

    def test_keys_with_quotes_stay_one_literal_each(self):
        """Several keys, one with quotes, make a comma-separated IN list."""
        where = soql.field_in(soql.KEY_FIELD, ["ps:2026:x:'quoted'", "ps:k1"])
        assert "PlanSync_Key__c IN ('ps:2026:x:\\'quoted\\'','ps:k1')" == where

    def test_key_prefix_of_a_year_is_a_like_pattern(self):
        """Plansync keys of one plan year are matched by their prefix."""
        assert "PlanSync_Key__c LIKE 'ps:2026:%'" == soql.key_in_year(2026)

    def test_chunks_split_long_lists(self):
        """Lists longer than a chunk are split in order."""
        assert [[1, 2], [3, 4], [5]] == list(soql.chunks([1, 2, 3, 4, 5], 2))


class TestNames:
    def test_configured_fields_are_selected(self):
        """Account reads select the mapped custom fields, once each."""
        mapped = SalesforceFields(segment="Tier__c", nps="PlanSync_NPS__c")
        fields = soql.account_fields(mapped)
        assert "Tier__c" in fields
        assert len(fields) == len(set(fields))

    def test_a_name_that_could_inject_is_refused(self):
        """A configured field name that is not an API name is a config error."""
        with pytest.raises(ConfigError, match="not a Salesforce API name"):
            soql.account_fields(SalesforceFields(segment="Id FROM User --"))

    def test_relationship_paths_are_names(self):
        """A parent field path (``Contact__r.Name``) passes the check."""
        assert ("Contact__r.Name",) == soql.check_names(["Contact__r.Name"])


class TestIncremental:
    def test_reads_all_rows_from_before_the_watermark(self):
        """An incremental read uses queryAll from whole seconds minus the overlap."""
        query = soql.incremental("Account", ("Id", "Name"), WATERMARK)
        assert query.include_deleted
        assert (
            "SELECT Id, Name FROM Account WHERE SystemModstamp >= "
            "2026-03-02T06:00:25+00:00 ORDER BY SystemModstamp, Id"
        ) == query.soql

    def test_extra_condition_is_joined(self):
        """A further condition is added to the keyset condition with AND."""
        query = soql.incremental("Task", ("Id",), WATERMARK, extra="AccountId != null")
        assert query.unordered.endswith(
            "WHERE (SystemModstamp >= 2026-03-02T06:00:25+00:00) AND AccountId != null"
        )

    def test_keyset_resumes_after_an_id(self):
        """With an id the condition continues after that row at the same stamp."""
        assert (
            "(SystemModstamp > 2026-03-02T06:00:30+00:00 OR "
            "(SystemModstamp = 2026-03-02T06:00:30+00:00 AND Id > '001x'))"
        ) == soql.changed_since(WATERMARK, "001x")

    def test_bulk_form_has_no_order_by(self):
        """The statement a Bulk query job gets carries no ORDER BY."""
        query = soql.incremental("Account", ("Id",), WATERMARK)
        assert "ORDER BY" not in query.unordered

    def test_full_read_of_live_rows(self):
        """A full read is a plain query unless deleted rows are asked for."""
        query = soql.full("User", soql.USER_FIELDS)
        assert (
            "SELECT Id, Name, Email, IsActive, SystemModstamp FROM User",
            False,
        ) == (
            query.soql,
            query.include_deleted,
        )

    def test_changes_after_a_watermark_and_the_overlap_before_the_last_read(self):
        """Rows newer than the watermark, and rows stamped just before the last read."""
        read_at = datetime(2026, 3, 2, 6, 10, 0, 900_000, tzinfo=UTC)
        query = soql.changes("Account", ("Id",), WATERMARK, read_at)
        assert (
            "SELECT Id FROM Account WHERE "
            "(SystemModstamp > 2026-03-02T06:00:30.250Z OR "
            "SystemModstamp >= 2026-03-02T06:09:55Z) ORDER BY SystemModstamp, Id"
        ) == query.soql
        assert query.include_deleted

    def test_stamps_keep_the_milliseconds_they_have(self):
        """A stamp with milliseconds is compared with them; a whole second without."""
        with_millis = datetime(2026, 3, 2, 6, 0, 30, 123_456, tzinfo=UTC)
        assert ("2026-03-02T06:00:30.123Z", "2026-03-02T06:00:30Z") == (
            soql.stamp_literal(with_millis),
            soql.stamp_literal(with_millis.replace(microsecond=0)),
        )

    def test_stakeholder_changes_follow_their_plan(self):
        """A changed plan brings all its lines; the year's lines only, deleted too."""
        query = soql.lines_of_year(2026, WATERMARK, None)
        assert query.include_deleted
        assert (
            "(SystemModstamp >= 2026-03-02T06:00:25Z OR "
            "Account_Plan__r.SystemModstamp >= 2026-03-02T06:00:25Z) AND "
            "PlanSync_Key__c LIKE 'ps:2026:%'"
        ) in query.soql

    def test_a_keyset_read_resumes_after_its_last_row(self):
        """A lost cursor is replaced by the same read after the last row seen."""
        query = soql.incremental("Task", ("Id",), WATERMARK, extra="AccountId != null")
        resumed = query.after(WATERMARK, "00Tx")
        assert resumed.is_keyset
        assert (
            "SELECT Id FROM Task WHERE ((SystemModstamp > 2026-03-02T06:00:30+00:00 OR "
            "(SystemModstamp = 2026-03-02T06:00:30+00:00 AND Id > '00Tx'))) "
            "AND AccountId != null ORDER BY SystemModstamp, Id"
        ) == resumed.soql
