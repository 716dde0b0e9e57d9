"""SalesforceConnector end to end: real simple-salesforce, real HTTPS, the emulator.

Nothing is patched: faults, expired sessions and spent limits are set up through
the emulator's control API, and every assertion reads the org's end state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pydantic import SecretStr
from structlog.testing import capture_logs

from plansync.bootstrap import work_calendar
from plansync.config.playbooks import load_playbooks
from plansync.config.settings import SalesforceSettings
from plansync.connectors.base import Watermarks
from plansync.connectors.salesforce import SalesforceConnector
from plansync.connectors.salesforce.writes import Write
from plansync.emulators.salesforce import SalesforceEmulator
from plansync.errors import CRMAuthError, CRMFatalError, CRMTransientError
from plansync.planning.keys import fingerprint
from plansync.planning.models import (
    AccountCompliance,
    AccountPlan,
    ActivityKind,
    ComplianceStatus,
    Influence,
    Stakeholder,
    TaskWrite,
)
from plansync.retry import RetryPolicy
from plansync.sync.engine import SyncEngine
from plansync.sync.replica import FLOOR, Replica
from tests.contract.salesforce_harness import (
    FAST_RETRY,
    client_session,
    token_settings,
)

pytestmark = pytest.mark.emulator

AS_OF = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PLAYBOOKS = load_playbooks(
    Path(__file__).resolve().parents[3] / "config/playbooks.yaml"
)
FLOWS = ["token", "client_credentials", "jwt", "refresh_token", "password"]


@pytest.fixture(scope="module")
def seeded() -> Iterator[SalesforceEmulator]:
    """Serve one org of 12 sample accounts for the module."""
    with SalesforceEmulator(accounts=12, seed=3, as_of=AS_OF) as emu:
        yield emu


@pytest.fixture
def emu(seeded: SalesforceEmulator) -> SalesforceEmulator:
    """Hand each test the org as seeded, with no faults and zeroed counters."""
    seeded.reset(data=True)
    return seeded


def _settings(emu: SalesforceEmulator, flow: str, tmp_path: Path, **extra: Any):
    values: dict[str, Any] = {"auth": flow, "ca_file": emu.ca_file, **extra}
    if flow == "token":
        return token_settings(emu, **extra)
    values["login_url"] = emu.url
    values["client_id"] = emu.client_id
    if flow in ("client_credentials", "refresh_token", "password"):
        values["client_secret"] = SecretStr(emu.client_secret)
    if flow in ("jwt", "password"):
        values["username"] = emu.username
    if flow == "jwt":
        key = tmp_path / "connected-app.key"
        key.write_text(emu.private_key_pem, encoding="ascii")
        values["private_key_file"] = key
    if flow == "password":
        values["password"] = SecretStr(emu.password + emu.security_token)
    if flow == "refresh_token":
        values["refresh_token"] = SecretStr(_refresh_token(emu))
    return SalesforceSettings(**values)


def _refresh_token(emu: SalesforceEmulator) -> str:
    """Run the web-server flow once, as the admin who connects plansync would."""
    with client_session(emu) as session:
        approval = session.get(
            f"{emu.url}/services/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": emu.client_id,
                "redirect_uri": emu.redirect_uri,
            },
            allow_redirects=False,
        )
        code = parse_qs(urlsplit(approval.headers["Location"]).query)["code"][0]
        granted = session.post(
            f"{emu.url}/services/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": emu.client_id,
                "client_secret": emu.client_secret,
                "redirect_uri": emu.redirect_uri,
            },
        )
        return str(granted.json()["refresh_token"])


def _connector(emu, settings=None, **kwargs: Any) -> SalesforceConnector:
    options: dict[str, Any] = {
        "retry": FAST_RETRY,
        "sleep": lambda seconds: None,
        "bulk_wait_s": 0.0,
        "clock": lambda: NOW,
        **kwargs,
    }
    return SalesforceConnector(settings or token_settings(emu), **options)


def _task(account_id: str, key: str, owner_id: str | None = None) -> TaskWrite:
    subject, due = f"Call {key}", date(2026, 3, 31)
    values: dict[str, str | date | tuple[str, ...] | None] = {
        "subject": subject,
        "description": "",
        "due": due,
        "owner_id": owner_id,
        "contact_ids": (),
    }
    return TaskWrite(
        key=key,
        account_id=account_id,
        kind=ActivityKind.CALL,
        subject=subject,
        description="",
        due=due,
        owner_id=owner_id,
        contact_ids=(),
        fingerprint=fingerprint(values),
    )


def _calls(emu: SalesforceEmulator, prefix: str) -> int:
    endpoints = emu.stats()["by_endpoint"]
    return sum(n for name, n in endpoints.items() if name.startswith(prefix))


def _live_keys(emu: SalesforceEmulator) -> Counter[str]:
    return Counter(
        r["PlanSync_Key__c"]
        for r in emu.records("Task")
        if r.get("PlanSync_Key__c") and not r.get("IsDeleted")
    )


def _engine(connector: SalesforceConnector) -> SyncEngine:
    calendar = work_calendar(PLAYBOOKS, [AS_OF.year])
    return SyncEngine(
        connector, PLAYBOOKS, calendar, retry=FAST_RETRY, sleep=lambda s: None
    )


class TestAuthentication:
    @pytest.mark.parametrize("flow", FLOWS)
    def test_every_flow_reads_the_org(self, emu, flow, tmp_path):
        """Each login flow authenticates and reads the org's users."""
        settings = _settings(emu, flow, tmp_path)
        emu.reset_stats()
        with _connector(emu, settings) as connector:
            owners = list(connector.fetch_owners())
        assert emu.username in {o.email for o in owners}
        logins = _calls(emu, "POST oauth2/token")
        assert (0 if flow == "token" else 1) == logins

    def test_refused_login_is_an_auth_error_without_the_secret(self, emu, tmp_path):
        """A wrong client secret is a CRMAuthError that names no secret."""
        settings = _settings(emu, "client_credentials", tmp_path).model_copy(
            update={"client_secret": SecretStr("wrong-secret-value")}
        )
        with (
            capture_logs() as logs,
            _connector(emu, settings) as connector,
            pytest.raises(CRMAuthError) as caught,
        ):
            list(connector.fetch_owners())
        assert "wrong-secret-value" not in str(caught.value)
        assert "wrong-secret-value" not in repr(logs)
        assert emu.client_secret not in repr(logs)


class TestSessionExpiry:
    def test_refresh_token_session_is_renewed_once(self, emu, tmp_path):
        """An expired session mid-run logs in again once and the run goes on."""
        settings = _settings(emu, "refresh_token", tmp_path)
        emu.reset_stats()
        with _connector(emu, settings) as connector:
            before = len(list(connector.fetch_accounts()))
            emu.expire_sessions()
            after = len(list(connector.fetch_accounts()))
        assert (12, 12) == (before, after)
        assert 2 == _calls(emu, "POST oauth2/token")

    def test_bulk_call_after_expiry_logs_in_again(self, emu, tmp_path):
        """Bulk API 2.0 gets no refresh from the client; the connector renews it."""
        settings = _settings(emu, "client_credentials", tmp_path, bulk_threshold=5)
        with _connector(emu, settings) as connector:
            account = next(iter(connector.fetch_accounts()))
            emu.expire_sessions()
            results = connector.upsert_tasks(
                [_task(account.id, f"ps:2026:exp:{n}") for n in range(8)]
            )
        assert all(r.ok for r in results)
        assert 2 == _calls(emu, "POST oauth2/token")
        assert 8 == len(_live_keys(emu))

    def test_handed_in_token_cannot_be_renewed(self, emu):
        """With a bare access token an expired session is a CRMAuthError at once."""
        with _connector(emu) as connector:
            emu.expire_sessions()
            with pytest.raises(CRMAuthError):
                list(connector.fetch_owners())

    def test_second_expiry_right_after_login_is_an_auth_error(self, tmp_path):
        """A session that expires again right after the fresh login is not retried."""
        with SalesforceEmulator(session_ttl_s=0.0) as short:
            settings = _settings(short, "refresh_token", tmp_path)
            short.reset_stats()
            with (
                _connector(short, settings) as connector,
                pytest.raises(CRMAuthError, match="again"),
            ):
                list(connector.fetch_owners())
            assert 2 == _calls(short, "POST oauth2/token")


class TestFaults:
    def test_503_burst_is_retried_honouring_retry_after(self, emu):
        """Two 503s on writes are retried (waiting as told) and nothing doubles."""
        waits: list[float] = []
        policy = RetryPolicy(attempts=4, initial_wait_s=0.0, max_wait_s=5.0, jitter_s=0)
        with _connector(emu, retry=policy, sleep=waits.append) as connector:
            account = next(iter(connector.fetch_accounts()))
            emu.inject_fault(
                count=2, status=503, path_contains="composite/sobjects", retry_after_s=2
            )
            results = connector.upsert_tasks(
                [_task(account.id, f"ps:2026:burst:{n}") for n in range(5)]
            )
        assert all(r.ok for r in results)
        assert [2.0, 2.0] == waits
        assert {1} == set(_live_keys(emu).values())
        assert 5 == len(_live_keys(emu))

    def test_row_locks_and_503s_in_a_sync_run_end_written_once(self, emu):
        """Locked records and a 503 burst during apply end written, none twice."""
        with _connector(emu) as connector:
            engine = _engine(connector)
            run = engine.plan(as_of=AS_OF)
            locked = [change.planned.key for change in run.tasks.creates[:3]]
            emu.inject_fault(record_ids=locked, count=2)
            emu.inject_fault(count=2, status=503, path_contains="composite/sobjects")
            report = engine.apply(run)
        keys = _live_keys(emu)
        assert 0 == report.as_dict()["failed"]
        assert {1} == set(keys.values())
        assert {c.planned.key for c in run.tasks.creates} == set(keys)

    def test_spent_daily_allocation_surfaces_as_a_crm_error(self, emu):
        """When the daily API allocation runs out the run stops with a CRMError."""
        emu.set_api_usage(limit=1000, used=998)
        with _connector(emu) as connector:
            engine = _engine(connector)
            with pytest.raises(CRMFatalError) as caught:
                engine.plan(as_of=AS_OF)
        assert "REQUEST_LIMIT_EXCEEDED" == caught.value.code
        assert 3 == emu.stats()["total"]

    def test_per_record_rejection_is_a_result(self, emu):
        """A record Salesforce rejects fails alone, with its error code."""
        with _connector(emu) as connector:
            account = next(iter(connector.fetch_accounts()))
            good = _task(account.id, "ps:2026:ok:1")
            bad = _task(account.id, "ps:2026:ok:2", owner_id="005000000000000AAA")
            results = connector.upsert_tasks([good, bad])
        assert [True, False] == [r.ok for r in results]
        assert results[1].error_code


class TestBatching:
    def test_collections_below_the_threshold(self, emu):
        """Fewer rows than the threshold go by sObject Collections, 200 a call."""
        settings = token_settings(emu, bulk_threshold=500)
        with _connector(emu, settings) as connector:
            account = next(iter(connector.fetch_accounts()))
            emu.reset_stats()
            results = connector.upsert_tasks(
                [_task(account.id, f"ps:2026:c:{n}") for n in range(450)]
            )
        assert all(r.ok and r.created for r in results)
        assert 3 == _calls(emu, "PATCH composite/sobjects")
        assert 0 == _calls(emu, "POST jobs/ingest")

    def test_bulk_above_the_threshold(self, emu):
        """More rows than the threshold go by one ingest job of four calls."""
        settings = token_settings(emu, bulk_threshold=100)
        with _connector(emu, settings) as connector:
            account = next(iter(connector.fetch_accounts()))
            emu.reset_stats()
            paths = _requested_paths(connector)
            results = connector.upsert_tasks(
                [_task(account.id, f"ps:2026:b:{n}") for n in range(450)]
            )
        assert all(r.ok and r.created for r in results)
        assert {
            "POST jobs/ingest": 1,
            "PUT jobs/ingest": 1,
            "PATCH jobs/ingest": 1,
            "GET jobs/ingest": 1,
        } == emu.stats()["by_endpoint"]
        assert not [p for p in paths if "Results" in p or "unprocessed" in p]
        assert 450 == len(_live_keys(emu))

    def test_bulk_failures_are_read_from_the_failure_file_only(self, emu):
        """A job with a rejected row fetches the failed results, not the successes."""
        settings = token_settings(emu, bulk_threshold=100)
        with _connector(emu, settings) as connector:
            account = next(iter(connector.fetch_accounts()))
            writes = [_task(account.id, f"ps:2026:f:{n}") for n in range(150)]
            writes[7] = replace(writes[7], subject="x" * 300)
            paths = _requested_paths(connector)
            results = connector.upsert_tasks(writes)
        failed = [(r.key, r.error_code) for r in results if not r.ok]
        assert [("ps:2026:f:7", "STRING_TOO_LONG")] == failed
        assert ["failedResults"] == [
            p.rstrip("/").rsplit("/", 1)[-1] for p in paths if "Results" in p
        ]
        assert 149 == len(_live_keys(emu))

    def test_bulk_plans_with_power_maps_fetch_the_new_ids(self, emu):
        """New plans written by Bulk get their stakeholder lines (ids from the file)."""
        settings = token_settings(emu, bulk_threshold=5)
        with _connector(emu, settings) as connector:
            plans = [_plan(a.id) for a in connector.fetch_accounts()]
            paths = _requested_paths(connector)
            results = connector.upsert_plans(plans)
        lines = [
            r for r in emu.records("PlanSync_Stakeholder__c") if not r["IsDeleted"]
        ]
        assert all(r.ok and r.created for r in results)
        assert 2 * len(plans) == len(lines)
        assert any(p.rstrip("/").endswith("successfulResults") for p in paths)

    def test_a_failed_job_is_a_fatal_error(self, emu):
        """A job Salesforce fails as a whole (unknown column) raises CRMFatalError."""
        settings = token_settings(emu, bulk_threshold=2)
        with _connector(emu, settings) as connector:
            tasks = [a for a in connector.fetch_activities() if a.id.startswith("00T")]
            writes = [Write(t.id, {"Nope__c": "x"}, record_id=t.id) for t in tasks[:3]]
            with pytest.raises(CRMFatalError) as caught:
                connector.writer.update("Task", writes)
        assert "BULK_JOB_FAILED" == caught.value.code

    def test_large_reads_use_a_bulk_query(self):
        """A read costing more REST pages than a Bulk job goes by Bulk."""
        with SalesforceEmulator(accounts=3500, seed=5, as_of=AS_OF) as big:
            with _connector(big) as connector:
                contacts = list(connector.fetch_contacts())
                accounts = list(connector.fetch_accounts())
            assert len(contacts) > 10_000
            assert 3500 == len(accounts)
            assert 1 == _calls(big, "POST jobs/query")
            assert 1 + 2 == _calls(big, "GET query")

    def test_unchanged_compliance_is_not_written(self, emu):
        """Writing the same compliance twice makes no second write."""
        with _connector(emu) as connector:
            accounts = list(connector.fetch_accounts())[:3]
            rows = [_compliance(a.id) for a in accounts]
            first = connector.write_compliance(rows)
            emu.reset_stats()
            second = connector.write_compliance(rows)
        assert all(r.ok for r in (*first, *second))
        assert 0 == emu.stats()["writes"]
        assert 0 == _calls(emu, "PATCH")


class TestSyncEngine:
    def test_apply_then_nothing_left_to_do(self, emu):
        """After one apply a second plan is empty and a second apply writes nothing."""
        with _connector(emu) as connector:
            engine = _engine(connector)
            first = engine.apply(engine.plan(as_of=AS_OF))
            engine.reconcile(as_of=AS_OF)
            again = engine.plan(as_of=AS_OF)
            emu.reset_stats()
            second = engine.apply(again)
            engine.reconcile(as_of=AS_OF)
        assert first.as_dict()["create"] > 0
        assert 0 == first.as_dict()["failed"]
        assert again.is_empty
        assert 0 == sum(second.as_dict().values())
        assert 0 == emu.stats()["writes"]
        assert 0 == _calls(emu, "PATCH") + _calls(emu, "POST composite/sobjects")

    def test_crash_mid_apply_then_rerun_loses_and_doubles_nothing(self):
        """A fatal fault from the second task batch on, then a rerun: each key once."""
        with (
            SalesforceEmulator(accounts=60, seed=4, as_of=AS_OF) as org,
            _connector(org) as connector,
        ):
            engine = _engine(connector)
            run = engine.plan(as_of=AS_OF)
            wanted = {c.planned.key for c in run.tasks.creates}
            _fail_from_nth_call(connector.api.session, org, nth=2)
            with pytest.raises(CRMTransientError):
                engine.apply(run)
            written = set(_live_keys(org))
            org.clear_faults()
            report = engine.apply(engine.plan(as_of=AS_OF))
            keys = _live_keys(org)
        assert 200 == len(written) < len(wanted)
        assert len(wanted) - 200 == report.as_dict()["create"]
        assert wanted == set(keys)
        assert {1} == set(keys.values())


class TestChanges:
    def test_a_read_of_changes_costs_two_composite_calls(self, emu):
        """With every page small, one read of changes is two /composite calls."""
        with _connector(emu) as connector:
            replica = Replica()
            first = connector.fetch_changes(since=None, year=2026)
            replica.merge(first, since=None, year=2026)
            emu.reset_stats()
            changes = connector.fetch_changes(since=replica.since(year=2026), year=2026)
        assert {"POST composite": 2} == emu.stats()["by_endpoint"]
        assert first.read_at is not None
        assert changes.read_at is not None
        assert first.read_at <= changes.read_at

    def test_a_line_changed_without_its_plan_brings_the_plan_whole(self, emu):
        """A rep's edit of one stakeholder line returns its plan with every line."""
        with _connector(emu) as connector:
            account = next(iter(connector.fetch_accounts()))
            connector.upsert_plans([_plan(account.id)])
            (stored,) = connector.fetch_plans(year=2026)
            line = next(
                r
                for r in emu.records("PlanSync_Stakeholder__c")
                if r["Role__c"] == "procurement"
            )
            assert stored.modified_at is not None
            # As if the last read had begun an hour later: the plan is not re-read
            # for the overlap, only because its line changed.
            marks = Watermarks(
                owners=FLOOR,
                accounts=FLOOR,
                contacts=FLOOR,
                activities=FLOOR,
                plans=stored.modified_at,
                read_at=stored.modified_at + timedelta(hours=1),
            )
            _as_rep(
                emu,
                "PATCH",
                f"PlanSync_Stakeholder__c/{line['Id']}",
                {"Influence__c": "high"},
            )
            emu.reset_stats()
            changes = connector.fetch_changes(since=marks, year=2026)
        (plan,) = changes.plans
        # The plan's row and all its lines are read by id after the composite.
        assert {"POST composite": 2, "GET query": 2} == emu.stats()["by_endpoint"]
        assert (stored.key, 2) == (plan.key, len(plan.power_map))
        assert Influence.HIGH == next(
            s.influence for s in plan.power_map if s.role == "procurement"
        )
        assert stored.modified_at < (plan.modified_at or stored.modified_at)


class TestIncremental:
    def test_deleted_task_comes_back_deleted(self, emu):
        """A task deleted since the watermark is read back flagged deleted."""
        with _connector(emu) as connector:
            account = next(iter(connector.fetch_accounts()))
            (result,) = connector.upsert_tasks([_task(account.id, "ps:2026:del:1")])
            mark = max(
                a.modified_at for a in connector.fetch_activities() if a.modified_at
            )
            with client_session(emu) as session:
                session.delete(
                    f"{emu.url}/services/data/v59.0/sobjects/Task/{result.crm_id}",
                    headers={"Authorization": f"Bearer {emu.access_token}"},
                ).raise_for_status()
            changed = list(connector.fetch_activities(since=mark))
        assert [(result.crm_id, True)] == [(a.id, a.is_deleted) for a in changed]

    def test_lost_cursor_resumes_after_the_last_row(self, emu):
        """An expired query locator mid-read resumes by keyset; no row is lost."""
        with _connector(emu) as connector:
            account = next(iter(connector.fetch_accounts()))
            mark = max(
                a.modified_at for a in connector.fetch_activities() if a.modified_at
            )
            writes = [_task(account.id, f"ps:2026:cur:{n:04d}") for n in range(2100)]
            connector.upsert_tasks(writes)
            emu.inject_fault(
                status=400, error_code="INVALID_QUERY_LOCATOR", path_contains="-2000"
            )
            changed = list(connector.fetch_activities(since=mark))
        assert 1 == emu.stats()["faults_fired"]
        assert {w.key for w in writes} == {a.key for a in changed}
        assert len(changed) == len({a.id for a in changed})


def _plan(account_id: str) -> AccountPlan:
    return AccountPlan(
        key=f"ps:2026:{account_id}:plan",
        account_id=account_id,
        year=2026,
        segment="A",
        segment_since=date(2026, 1, 1),
        power_map=(Stakeholder("decision_maker"), Stakeholder("procurement")),
        planned_activities=16,
    )


def _as_rep(emu: SalesforceEmulator, method: str, path: str, body: object) -> None:
    """Change a record through the REST API, as a rep's browser would."""
    with client_session(emu) as session:
        session.request(
            method,
            f"{emu.url}/services/data/v59.0/sobjects/{path}",
            json=body,
            headers={"Authorization": f"Bearer {emu.access_token}"},
        ).raise_for_status()


def _requested_paths(connector: SalesforceConnector) -> list[str]:
    """Collect the path of every request the connector makes from now on.

    A response hook is requests' public API; nothing is patched.
    """
    paths: list[str] = []

    def seen(response: requests.Response, *args: object, **kwargs: object) -> None:
        del args, kwargs
        paths.append(urlsplit(response.url).path)

    connector.api.session.hooks["response"].append(seen)
    return paths


def _compliance(account_id: str) -> AccountCompliance:
    return AccountCompliance(
        account_id=account_id,
        year=2026,
        as_of=AS_OF,
        segment="B",
        owner_id=None,
        planned_year=9,
        planned_to_date=2,
        done_to_date=1,
        percent=50.0,
        status=ComplianceStatus.OFF_TRACK,
        overdue=1,
        next_due=date(2026, 3, 31),
        last_activity_on=None,
    )


def _fail_from_nth_call(
    session: requests.Session, emu: SalesforceEmulator, *, nth: int
) -> None:
    """Make task collections calls fail from the ``nth`` on (past every retry).

    A response hook (requests' public API) counts the connector's task batches
    and arms the emulator's fault rule after the one before the ``nth``.
    """
    seen = Counter[str]()

    def count(response: requests.Response, *args: object, **kwargs: object) -> None:
        if "/composite/sobjects/Task/" in response.url:
            seen["calls"] += 1
            if seen["calls"] == nth - 1:
                # Enough to outlast the connector's and the engine's retries.
                emu.inject_fault(count=100, status=500, path_contains="composite")

    session.hooks["response"].append(count)
