"""Inject faults (failed calls, per-record lock errors, latency) and count traffic.

Rules come from ``POST /__emulator/faults`` or ``SalesforceEmulator.inject_fault``.
A rule fires ``count`` times, or with probability ``rate`` from a seeded generator;
``record_ids`` rules fail only the named records inside collections and Bulk results
with UNABLE_TO_LOCK_ROW; ``latency_ms`` delays a response; ``retry_after_s`` adds a
``Retry-After`` header. Bodies use the documented ``[{message, errorCode}]`` array.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from plansync.emulators.salesforce import ids

DEFAULT_CODES = {
    400: "UNABLE_TO_LOCK_ROW",
    401: "INVALID_SESSION_ID",
    403: "REQUEST_LIMIT_EXCEEDED",
    404: "NOT_FOUND",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "UNKNOWN_EXCEPTION",
    503: "SERVER_UNAVAILABLE",
}
DEFAULT_MESSAGES = {
    "UNABLE_TO_LOCK_ROW": "unable to obtain exclusive access to this record",
    "INVALID_SESSION_ID": "Session expired or invalid",
    "REQUEST_LIMIT_EXCEEDED": "ConcurrentPerOrgLongTxn Limit exceeded.",
    "NOT_FOUND": "The requested resource does not exist",
    "UNKNOWN_EXCEPTION": "An unexpected error occurred. Please include this ErrorId "
    "if you "
    "contact support: 1712345678-98765 (-1234567890)",
    "SERVER_UNAVAILABLE": "Server temporarily unavailable. Please try again later.",
}


@dataclass(slots=True)
class FaultRule:
    """One injected fault."""

    status: int | None
    error_code: str
    message: str
    path_contains: str | None = None
    remaining: int | None = 1
    rate: float | None = None
    rng: random.Random | None = None
    record_ids: frozenset[str] = frozenset()
    record_remaining: dict[str, int] = field(default_factory=dict)
    latency_ms: int = 0
    retry_after_s: int | None = None

    def fires(self) -> bool:
        """Decide (and account) whether this rule fires now."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        if (
            self.rate is not None
            and (self.rng or random.Random()).random() >= self.rate
        ):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def body(self) -> list[dict[str, str]]:
        """Return the JSON error array this fault answers with."""
        return [{"message": self.message, "errorCode": self.error_code}]


def build_rule(spec: Mapping[str, Any]) -> FaultRule:
    """Build a rule from the control API's JSON fields (or the Python keywords)."""
    record_ids = frozenset(_key(str(v)) for v in spec.get("record_ids") or ())
    latency = int(spec.get("latency_ms") or 0)
    status = spec.get("status")
    if status is None and not record_ids and latency:
        status_value: int | None = None
    else:
        status_value = (
            int(status) if status is not None else (400 if record_ids else 503)
        )
    code = spec.get("errorCode") or spec.get("error_code")
    if not code:
        code = (
            "UNABLE_TO_LOCK_ROW"
            if record_ids
            else DEFAULT_CODES.get(status_value or 503, "UNKNOWN_EXCEPTION")
        )
    rate = spec.get("rate")
    count = spec.get("count")
    seed = spec.get("seed")
    return FaultRule(
        status=status_value,
        error_code=str(code),
        message=str(spec.get("message") or DEFAULT_MESSAGES.get(str(code), str(code))),
        path_contains=spec.get("path_contains"),
        remaining=None if count is None and rate is not None else int(count or 1),
        rate=None if rate is None else float(rate),
        rng=random.Random(seed) if rate is not None else None,
        record_ids=record_ids,
        latency_ms=latency,
        retry_after_s=spec.get("retry_after_s"),
    )


class Faults:
    """The active fault rules."""

    def __init__(self) -> None:
        """Start without faults."""
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self.fired = 0

    def add(self, rule: FaultRule) -> None:
        """Activate ``rule``."""
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules.clear()
            self.fired = 0

    def match(self, target: str) -> FaultRule | None:
        """Return the request-level rule firing for ``target`` (path+query), if any."""
        with self._lock:
            for rule in self._rules:
                if rule.record_ids:
                    continue
                if rule.path_contains and rule.path_contains not in target:
                    continue
                if rule.fires():
                    self.fired += 1
                    return rule
            return None

    def record_fails(self, keys: Iterable[str]) -> bool:
        """Tell whether a record known by ``keys`` (id, external id) fails to lock."""
        wanted = [_key(key) for key in keys]
        with self._lock:
            for rule in self._rules:
                hit = next((key for key in wanted if key in rule.record_ids), None)
                if hit is None:
                    continue
                left = rule.record_remaining.setdefault(hit, rule.remaining or 1)
                if (
                    rule.rate is not None
                    and (rule.rng or random.Random()).random() >= rule.rate
                ):
                    continue
                if rule.remaining is not None and left <= 0:
                    continue
                rule.record_remaining[hit] = left - 1
                self.fired += 1
                return True
            return False


class Stats:
    """Count requests per endpoint and records written."""

    def __init__(self) -> None:
        """Start at zero."""
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.total = 0
            self.by_endpoint: Counter[str] = Counter()
            self.writes = 0

    def request(self, key: str) -> None:
        """Count one request to ``key`` (``"GET query"``)."""
        with self._lock:
            self.total += 1
            self.by_endpoint[key] += 1

    def add_writes(self, count: int) -> None:
        """Count records created, updated or deleted."""
        with self._lock:
            self.writes += count

    def snapshot(self, faults_fired: int) -> dict[str, Any]:
        """Return the stats document of ``GET /__emulator/stats``."""
        with self._lock:
            return {
                "total": self.total,
                "by_endpoint": dict(sorted(self.by_endpoint.items())),
                "writes": self.writes,
                "faults_fired": faults_fired,
            }


def _key(value: str) -> str:
    normalized = ids.normalize(value) if ids.looks_like_id(value) else None
    return normalized or value
