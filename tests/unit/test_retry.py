from __future__ import annotations

import pytest
from structlog.testing import capture_logs

from plansync.errors import CRMFatalError, CRMTransientError
from plansync.retry import RetryPolicy, backoff_s, call_with_retries

POLICY = RetryPolicy(attempts=4, initial_wait_s=0.5, max_wait_s=3.0, jitter_s=0.0)


class _Flaky:
    """A callable that fails with the given errors, then returns 'ok'."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def _busy(retry_after_s: float | None = None) -> CRMTransientError:
    return CRMTransientError(
        "busy", crm="x", operation="op", status=503, retry_after_s=retry_after_s
    )


class TestCallWithRetries:
    def test_transient_errors_are_retried_with_growing_waits(self):
        """Two 503s, then success: waits double from the initial wait."""
        waits: list[float] = []
        flaky = _Flaky(_busy(), _busy())
        with capture_logs() as logs:
            assert "ok" == call_with_retries(
                flaky, operation="op", policy=POLICY, sleep=waits.append
            )
        assert ([0.5, 1.0], 3) == (waits, flaky.calls)
        assert ["crm.retry", "crm.retry"] == [e["event"] for e in logs]

    def test_retry_after_is_honoured_but_capped(self):
        """A longer Retry-After wins over the backoff, never beyond the cap."""
        waits: list[float] = []
        call_with_retries(
            _Flaky(_busy(2.0), _busy(60.0)),
            operation="op",
            policy=POLICY,
            sleep=waits.append,
        )
        assert [2.0, 3.0] == waits

    def test_attempts_are_bounded(self):
        """After the allowed attempts the last error is raised."""
        waits: list[float] = []
        flaky = _Flaky(*[_busy() for _ in range(10)])
        with pytest.raises(CRMTransientError):
            call_with_retries(flaky, operation="op", policy=POLICY, sleep=waits.append)
        assert (4, 3) == (flaky.calls, len(waits))

    def test_other_errors_are_not_retried(self):
        """A fatal error surfaces at once."""
        flaky = _Flaky(CRMFatalError("no", crm="x", operation="op"))
        with pytest.raises(CRMFatalError):
            call_with_retries(
                flaky, operation="op", policy=POLICY, sleep=lambda _: None
            )
        assert 1 == flaky.calls

    def test_jitter_stays_within_its_bound(self):
        """Jitter adds between zero and jitter_s seconds."""
        policy = RetryPolicy(initial_wait_s=1.0, max_wait_s=10.0, jitter_s=0.5)
        assert all(4.0 <= backoff_s(policy, 3) <= 4.5 for _ in range(50))
