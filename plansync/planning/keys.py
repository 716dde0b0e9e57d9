"""Derive the stable identities and fingerprints that make every write idempotent.

A key names an object planning wants to exist (account, segment, activity, year,
occurrence); the same inputs give the same key in any process, so an upsert by key
after a crash creates nothing twice. A fingerprint records, field by field, what
plansync last wrote, so a later human edit can be recognised and left alone.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from datetime import date
from functools import lru_cache

KEY_PREFIX = "ps"
MAX_KEY_LENGTH = 80  # Salesforce External ID text field length we declare
FINGERPRINT_VERSION = "v1"
TASK_FIELDS = ("subject", "description", "due", "owner_id", "contact_ids")
"""The task fields plansync owns, in fingerprint order."""

_FIELD_HASH_CHARS = 6


def task_key(
    account_id: str, segment: str, activity: str, *, year: int, occurrence: int
) -> str:
    """Return the key of one occurrence (1-based) of a playbook activity."""
    return bounded_key(
        f"{KEY_PREFIX}:{year}:{account_id}:{segment}:{activity}:{occurrence}"
    )


def plan_key(account_id: str, *, year: int) -> str:
    """Return the key of an account's plan record for a plan year."""
    return bounded_key(f"{KEY_PREFIX}:{year}:{account_id}:plan")


def key_year(key: str) -> int | None:
    """Return the plan year a plansync key belongs to, or None for foreign keys."""
    parts = key.split(":", 2)
    if len(parts) < 3 or parts[0] != KEY_PREFIX or not parts[1].isdigit():  # noqa: PLR2004  # prefix, year, rest
        return None
    return int(parts[1])


def bounded_key(key: str) -> str:
    """Return ``key``, or a hashed form of it when longer than the CRM allows."""
    if len(key) <= MAX_KEY_LENGTH:
        return key
    # Keep the prefix and year readable so key_year still works on long keys.
    head, year, rest = key.split(":", 2)
    digest = hashlib.sha256(rest.encode()).hexdigest()[:32]
    return f"{head}:{year}:h{digest}"


def field_text(value: str | date | tuple[str, ...] | None) -> str:
    """Render a task field the same way on both sides of a comparison."""
    if type(value) is str:  # the common case first: this runs for every field
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ",".join(sorted(value))
    return str(value).strip()


def field_hash(value: str | date | tuple[str, ...] | None) -> str:
    """Return the short hash of one field's value.

    CRC-32 is enough: it tells our own last write from a human edit of one field
    of one record, not an adversary's collision, and it costs a tenth of a
    cryptographic hash on the plan-and-diff hot path.
    """
    return format(zlib.crc32(field_text(value).encode()), "08x")[:_FIELD_HASH_CHARS]


def fingerprint(values: Mapping[str, str | date | tuple[str, ...] | None]) -> str:
    """Return the fingerprint of a task's owned fields, e.g. ``v1.ab12cd.…``."""
    return task_fingerprint(
        str(values.get("subject") or ""),
        str(values.get("description") or ""),
        _as_date(values.get("due")),
        _as_text(values.get("owner_id")),
        _as_ids(values.get("contact_ids")),
    )


def task_fingerprint(
    subject: str,
    description: str,
    due: date | None,
    owner_id: str | None,
    contact_ids: tuple[str, ...],
) -> str:
    """Return the fingerprint of the owned fields given one by one (the hot path)."""
    return ".".join(
        (
            FINGERPRINT_VERSION,
            field_hash(subject),
            _repeated_hash(description),
            _repeated_hash(due),
            _repeated_hash(owner_id),
            _repeated_hash(contact_ids),
        )
    )


@lru_cache(maxsize=65536)
def _repeated_hash(value: str | date | tuple[str, ...] | None) -> str:
    # Descriptions, due dates, owners and stakeholder lists repeat across thousands
    # of tasks; subjects mostly do not, so they skip the cache.
    return field_hash(value)


def _as_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _as_ids(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, tuple) else ()


def fingerprint_parts(value: str | None) -> dict[str, str] | None:
    """Split a stored fingerprint into per-field hashes; None when absent or foreign."""
    if not value:
        return None
    parts = value.split(".")
    if parts[0] != FINGERPRINT_VERSION or len(parts) != len(TASK_FIELDS) + 1:
        return None
    return dict(zip(TASK_FIELDS, parts[1:], strict=True))


def join_fingerprint(parts: Mapping[str, str]) -> str:
    """Rebuild a fingerprint from per-field hashes."""
    return ".".join((FINGERPRINT_VERSION, *(parts[name] for name in TASK_FIELDS)))
