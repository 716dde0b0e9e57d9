"""The contract harness for ``SalesforceConnector`` on the local Salesforce emulator.

The connector talks to the emulator over HTTPS like to any org; the harness acts
as the reps and the admin, with simple-salesforce itself: it seeds users,
accounts, contacts and logged activity, completes and edits tasks, and reads the
account's compliance fields back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, cast

import requests
from pydantic import SecretStr
from simple_salesforce.api import Salesforce, SFType
from simple_salesforce.format import format_soql

from plansync.config.settings import SalesforceSettings
from plansync.connectors.salesforce import SalesforceConnector
from plansync.emulators.salesforce import SalesforceEmulator
from plansync.planning.models import Activity, ActivityKind
from plansync.retry import RetryPolicy
from plansync.sample import Sample

API_VERSION = "59.0"
FAST_RETRY = RetryPolicy(attempts=4, initial_wait_s=0.0, max_wait_s=0.0, jitter_s=0.0)
_TYPES = {ActivityKind.CALL: "Call", ActivityKind.EMAIL: "Email"}


def client_session(emu: SalesforceEmulator) -> requests.Session:
    """Return a session that trusts the emulator's CA and ignores the environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(emu.ca_file)
    return session


def token_settings(emu: SalesforceEmulator, **overrides: Any) -> SalesforceSettings:
    """Return settings for the ``token`` flow against the emulator."""
    values: dict[str, Any] = {
        "auth": "token",
        "instance_url": emu.url,
        "ca_file": emu.ca_file,
        "access_token": SecretStr(emu.access_token),
        **overrides,
    }
    return SalesforceSettings(**values)


def connector_for(
    emu: SalesforceEmulator, settings: SalesforceSettings | None = None
) -> SalesforceConnector:
    """Return a connector on the emulator that retries at once (no real sleeping)."""
    return SalesforceConnector(
        settings or token_settings(emu),
        retry=FAST_RETRY,
        sleep=lambda seconds: None,
        bulk_wait_s=0.0,
    )


class SalesforceHarness:
    """Seed and inspect the emulator the way reps and admins would."""

    def __init__(self, emu: SalesforceEmulator) -> None:
        """Empty the org and connect both the connector and the reps' client."""
        emu.reset(data=True)
        self.emu = emu
        self._session = client_session(emu)
        self.sf = Salesforce(
            session_id=emu.access_token,
            instance_url=emu.url,
            session=self._session,
            version=API_VERSION,
        )
        self.connector = connector_for(emu)

    def close(self) -> None:
        """Release both HTTP sessions."""
        self.connector.close()
        self._session.close()

    def seed(self, sample: Sample) -> Mapping[str, str]:
        """Create the sample's users, accounts, contacts and logged activity."""
        users = self._create(
            "User",
            [
                {
                    "Username": f"{o.id.lower()}@plansync.example.com",
                    "FirstName": o.name.split(" ")[0],
                    "LastName": o.name.split(" ", 1)[-1],
                    "Email": o.email,
                    "Alias": o.id[-5:],
                }
                for o in sample.owners
            ],
        )
        owner_ids = dict(zip((o.id for o in sample.owners), users, strict=True))
        account_ids = dict(
            zip(
                (a.id for a in sample.accounts),
                self._create(
                    "Account",
                    [
                        {
                            "Name": a.name,
                            "OwnerId": owner_ids.get(a.owner_id or ""),
                            "AnnualRevenue": a.annual_revenue_eur,
                            "Industry": a.fields.get("industry"),
                            "PlanSync_Segment__c": a.fields.get("segment"),
                            "PlanSync_NPS__c": a.nps,
                            "PlanSync_Wallet__c": a.wallet_eur,
                            "PlanSync_Recurring_Share__c": a.recurring_share_pct,
                        }
                        for a in sample.accounts
                    ],
                ),
                strict=True,
            )
        )
        self._create(
            "Contact",
            [
                {
                    "AccountId": account_ids[c.account_id],
                    "FirstName": c.name.split(" ")[0],
                    "LastName": c.name.split(" ", 1)[-1],
                    "Email": c.email,
                    "PlanSync_Role__c": c.role,
                }
                for c in sample.contacts
            ],
        )
        self._log_history(sample.activities, account_ids, owner_ids)
        return account_ids

    def complete_task(self, key: str, *, on: date) -> None:
        """Complete the task as a rep logging the day it happened."""
        task_id = self._task_id(key)
        self._type("Task").update(
            task_id, {"Status": "Completed", "ActivityDate": on.isoformat()}
        )

    def edit_task_subject(self, key: str, subject: str) -> None:
        """Change the subject by hand."""
        self._type("Task").update(self._task_id(key), {"Subject": subject})

    def edit_plan_strategy(self, key: str, text: str) -> None:
        """Write the strategy by hand."""
        found = self.sf.query(
            format_soql(
                "SELECT Id FROM PlanSync_Account_Plan__c WHERE PlanSync_Key__c = {}",
                key,
            )
        )
        plan_id = found["records"][0]["Id"]
        self._type("PlanSync_Account_Plan__c").update(
            plan_id, {"Customer_Strategy__c": text}
        )

    def compliance_of(self, account_id: str) -> Mapping[str, object]:
        """Read the compliance fields off the account record."""
        raw = self._type("Account").get(account_id)
        next_due = raw.get("PlanSync_Next_Due__c")
        return {
            "percent": raw.get("PlanSync_Compliance_Pct__c"),
            "status": raw.get("PlanSync_Status__c"),
            "planned_to_date": _int(raw.get("PlanSync_Planned_To_Date__c")),
            "done_to_date": _int(raw.get("PlanSync_Done_To_Date__c")),
            "overdue": _int(raw.get("PlanSync_Overdue__c")),
            "next_due": date.fromisoformat(next_due) if next_due else None,
        }

    def touch_account(self, account_id: str, name: str) -> None:
        """Rename the account."""
        self._type("Account").update(account_id, {"Name": name})

    # ---------------------------------------------------------------- internals
    def _type(self, name: str) -> SFType:
        return cast("SFType", getattr(self.sf, name))

    def _task_id(self, key: str) -> str:
        found = self.sf.query(
            format_soql("SELECT Id FROM Task WHERE PlanSync_Key__c = {}", key)
        )
        return str(found["records"][0]["Id"])

    def _log_history(
        self,
        activities: Iterable[Activity],
        account_ids: Mapping[str, str],
        owner_ids: Mapping[str, str],
    ) -> None:
        tasks, events = [], []
        for activity in activities:
            common = {
                "Subject": activity.subject,
                "WhatId": account_ids[activity.account_id],
                "OwnerId": owner_ids.get(activity.owner_id or ""),
            }
            day = activity.completed_on or activity.due
            if day is None:
                continue
            if activity.kind is ActivityKind.MEETING:
                start = datetime.combine(day, time(9, 0), tzinfo=UTC)
                events.append(
                    {
                        **common,
                        "StartDateTime": start.isoformat(),
                        "DurationInMinutes": 60,
                        "Type": "Meeting",
                    }
                )
            else:
                tasks.append(
                    {
                        **common,
                        "Status": "Completed",
                        "ActivityDate": day.isoformat(),
                        "Type": _TYPES.get(activity.kind, "Other"),
                        "TaskSubtype": _TYPES.get(activity.kind, "Task"),
                    }
                )
        self._create("Task", tasks)
        self._create("Event", events)

    def _create(self, object_name: str, rows: list[dict[str, Any]]) -> list[str]:
        ids: list[str] = []
        for start in range(0, len(rows), 200):
            records = [
                {"attributes": {"type": object_name}, **row}
                for row in rows[start : start + 200]
            ]
            results = self.sf.restful(
                "composite/sobjects",
                method="POST",
                json={"allOrNone": True, "records": records},
            )
            assert results is not None
            failed = [r for r in results if not r["success"]]
            assert not failed, failed
            ids += [str(r["id"]) for r in results]
        return ids


def _int(value: object) -> int | None:
    return None if value is None else round(float(str(value)))
