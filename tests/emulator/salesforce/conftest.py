"""Fixtures: start the Salesforce emulator, connect the real simple-salesforce to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from simple_salesforce.api import Salesforce

from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.testing import direct_client, trusted_session


@pytest.fixture(scope="session")
def emulator() -> Iterator[SalesforceEmulator]:
    """One emulator for the whole session, seeded with 40 sample accounts."""
    with SalesforceEmulator(accounts=40, seed=7) as emu:
        yield emu


@pytest.fixture
def emu(emulator: SalesforceEmulator) -> SalesforceEmulator:
    """The shared emulator with fresh data, stats, API usage and no faults."""
    emulator.reset(data=True)
    return emulator


@pytest.fixture
def http(emu: SalesforceEmulator) -> Iterator[requests.Session]:
    """A requests session that trusts only the emulator's CA."""
    with trusted_session(emu) as session:
        yield session


@pytest.fixture
def sf(emu: SalesforceEmulator, http: requests.Session) -> Salesforce:
    """A direct-mode client (session id + instance URL)."""
    return direct_client(emu, http)
