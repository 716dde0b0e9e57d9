"""What the contract suite needs from each CRM besides the connector itself.

The connector is only what plansync uses. To set a scene and check an end state
the suite also needs to act as a rep or an admin would, directly in the CRM: seed
records, complete a task, edit a field by hand. Each CRM provides that through
this Protocol, using its own native means (the fake's methods, or the real SDK
talking to the emulator).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from plansync.connectors.base import CRMConnector
from plansync.sample import Sample


class ContractHarness(Protocol):
    """A connector plus the native handles to seed and inspect its CRM."""

    @property
    def connector(self) -> CRMConnector:
        """Return the connector under test."""
        ...

    def seed(self, sample: Sample) -> Mapping[str, str]:
        """Load a sample; return sample account id → CRM account id."""
        ...

    def complete_task(self, key: str, *, on: date) -> None:
        """Complete the task with this plansync key, as a rep would."""
        ...

    def edit_task_subject(self, key: str, subject: str) -> None:
        """Change a task's subject by hand, as a rep would."""
        ...

    def edit_plan_strategy(self, key: str, text: str) -> None:
        """Write the customer strategy of a plan record by hand."""
        ...

    def compliance_of(self, account_id: str) -> Mapping[str, object]:
        """Read the compliance fields on an account: percent, status, planned, done."""
        ...

    def touch_account(self, account_id: str, name: str) -> None:
        """Rename an account, as a rep would, bumping its modification stamp."""
        ...
