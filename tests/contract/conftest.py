"""Run the contract suite against every CRM: add a harness factory to HARNESSES."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from plansync.emulators.salesforce import SalesforceEmulator
from tests.contract.harness import ContractHarness
from tests.contract.memory_harness import MemoryHarness
from tests.contract.salesforce_harness import SalesforceHarness

HARNESSES: dict[str, Callable[[pytest.FixtureRequest], Iterator[ContractHarness]]] = {}


def _memory(request: pytest.FixtureRequest) -> Iterator[ContractHarness]:
    del request
    yield MemoryHarness()


def _salesforce(request: pytest.FixtureRequest) -> Iterator[ContractHarness]:
    emu = request.getfixturevalue("salesforce_emulator")
    harness = SalesforceHarness(emu)
    try:
        yield harness
    finally:
        harness.close()


HARNESSES["memory"] = _memory
HARNESSES["salesforce"] = _salesforce


@pytest.fixture(scope="session")
def salesforce_emulator() -> Iterator[SalesforceEmulator]:
    """Serve one empty emulated org for the session; each harness resets its data."""
    with SalesforceEmulator(accounts=0, seed=1) as emu:
        yield emu


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[ContractHarness]:
    """Yield a fresh harness for each CRM in turn."""
    yield from HARNESSES[request.param](request)
