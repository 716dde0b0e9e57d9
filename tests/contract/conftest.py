"""Run the contract suite against every CRM: add a harness factory to HARNESSES."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.contract.harness import ContractHarness
from tests.contract.memory_harness import MemoryHarness

HARNESSES: dict[str, Callable[[pytest.FixtureRequest], Iterator[ContractHarness]]] = {}


def _memory(request: pytest.FixtureRequest) -> Iterator[ContractHarness]:
    del request
    yield MemoryHarness()


HARNESSES["memory"] = _memory


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[ContractHarness]:
    """Yield a fresh harness for each CRM in turn."""
    yield from HARNESSES[request.param](request)
