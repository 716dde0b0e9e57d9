"""The contract harness for ``InMemoryCRM``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from plansync.connectors.memory import InMemoryCRM
from plansync.sample import Sample


class MemoryHarness:
    """Seed and inspect an ``InMemoryCRM`` through its own methods."""

    def __init__(self) -> None:
        """Start with an empty CRM."""
        self.crm = InMemoryCRM()
        self.connector = self.crm

    def seed(self, sample: Sample) -> Mapping[str, str]:
        """Load the sample as is; ids are kept."""
        self.crm.load(sample)
        return {a.id: a.id for a in sample.accounts}

    def complete_task(self, key: str, *, on: date) -> None:
        """Complete the task as a rep."""
        self.crm.complete_task(key, on=on)

    def edit_task_subject(self, key: str, subject: str) -> None:
        """Change the subject by hand."""
        self.crm.edit_task(key, subject=subject)

    def edit_plan_strategy(self, key: str, text: str) -> None:
        """Write the strategy by hand."""
        self.crm.edit_plan(key, customer_strategy=text)

    def compliance_of(self, account_id: str) -> Mapping[str, object]:
        """Read what write_compliance stored."""
        row = self.crm.compliance[account_id]
        return {
            "percent": row.percent,
            "status": row.status.value,
            "planned_to_date": row.planned_to_date,
            "done_to_date": row.done_to_date,
            "overdue": row.overdue,
            "next_due": row.next_due,
        }

    def touch_account(self, account_id: str, name: str) -> None:
        """Rename the account."""
        self.crm.update_account(account_id, name=name)
