"""Shared test setup: markers by folder, the Hypothesis profiles, PostgreSQL gating."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

_MARK_BY_FOLDER = {
    "emulator": "emulator",
    "contract": "emulator",
    "integration": "emulator",
}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark tests by folder, and skip PostgreSQL tests when no server is configured."""
    del config
    has_pg = bool(os.environ.get("PLANSYNC_TEST_PG_URL"))
    for item in items:
        parts = Path(str(item.fspath)).parts
        for folder, marker in _MARK_BY_FOLDER.items():
            if folder in parts and "memory" not in item.nodeid:
                item.add_marker(getattr(pytest.mark, marker))
        if "e2e" in parts or "bench" in parts:
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("postgres") and not has_pg:
            if os.environ.get("CI"):
                raise pytest.UsageError(
                    "CI must set PLANSYNC_TEST_PG_URL for postgres tests"
                )
            item.add_marker(pytest.mark.skip(reason="PLANSYNC_TEST_PG_URL is not set"))
