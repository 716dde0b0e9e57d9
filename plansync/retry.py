"""Retry transient CRM faults with bounded exponential backoff and jitter.

Only ``CRMTransientError`` is retried: 429s, 5xx, timeouts and row locks. A wait
the CRM asked for (``Retry-After``) is honoured when it is longer than ours.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from plansync.errors import CRMTransientError

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry; ``attempts`` counts the first try."""

    attempts: int = 5
    initial_wait_s: float = 0.5
    max_wait_s: float = 30.0
    jitter_s: float = 0.5


def backoff_s(policy: RetryPolicy, attempt: int) -> float:
    """Return the wait after failed attempt ``attempt``: doubling, capped, jittered."""
    base: float = min(policy.max_wait_s, policy.initial_wait_s * 2.0 ** (attempt - 1))
    # Jitter spreads retries of many workers hitting one CRM; not security-relevant.
    return base + random.uniform(0.0, policy.jitter_s)


def call_with_retries(
    call: Callable[[], T],
    *,
    operation: str,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``call``, retrying ``CRMTransientError`` per ``policy``."""

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after_s", None) or 0.0
        return min(
            policy.max_wait_s,
            max(float(asked), backoff_s(policy, state.attempt_number)),
        )

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "crm.retry",
            operation=operation,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 2),
            error=type(error).__name__,
            status=getattr(error, "status", None),
            code=getattr(error, "code", None),
        )

    retrying = Retrying(
        retry=retry_if_exception_type(CRMTransientError),
        stop=stop_after_attempt(policy.attempts),
        wait=wait,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)
