"""Convert field values between the wire (JSON, CSV) and the store's Python values.

Stored values are ``str``, ``bool``, ``int``, ``float``, ``date`` and UTC
``datetime`` (millisecond precision). On the wire, dateTimes look like
``2013-05-20T20:49:32.000+0000`` in JSON and ``...000Z`` in Bulk CSV, dates like
``2013-05-20``, and numbers are JSON numbers (docs/salesforce.md §3.1, §6.2).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from plansync.emulators.salesforce.fields import NUMBER_TYPES, FieldDef

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_TRUE = frozenset({"true", "1", "yes"})
FLOAT_TYPES = frozenset({"double", "currency", "percent"})

FieldValue = str | bool | int | float | date | datetime | None
"""A value as the store keeps it."""

JsonScalar = str | bool | int | float | None
"""A value as JSON responses carry it."""
_FALSE = frozenset({"false", "0", "no", ""})


class ValueTypeError(ValueError):
    """A wire value that does not fit the field's type."""


def format_datetime(value: datetime) -> str:
    """Render a dateTime the way REST JSON does: ``2013-05-20T20:49:32.000+0000``."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def format_datetime_csv(value: datetime) -> str:
    """Render a dateTime the way Bulk CSV does: ``2013-05-20T20:49:32.000Z``."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime | None:
    """Parse an ISO 8601 dateTime (``Z``, ``+hh:mm``, ``+hhmm`` or no offset = UTC)."""
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    day, hour, minute, second, fraction, offset = match.groups()
    try:
        base = datetime.fromisoformat(day).replace(
            hour=int(hour), minute=int(minute), second=int(second or 0)
        )
    except ValueError:
        return None
    millis = int((fraction or "0")[:3].ljust(3, "0"))
    tz = UTC
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return base.replace(microsecond=millis * 1000, tzinfo=tz).astimezone(UTC)


def parse_date(text: str) -> date | None:
    """Parse ``YYYY-MM-DD``."""
    if not _DATE.match(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def from_json(fdef: FieldDef, value: object) -> FieldValue:
    """Convert a JSON request value for ``fdef`` into a stored value.

    Raises:
        ValueTypeError: the value cannot be read as the field's type.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return from_text(fdef, value, strict=True)
    if not isinstance(value, bool | int | float):
        token = "START_OBJECT" if isinstance(value, dict) else "START_ARRAY"
        raise _type_error(fdef, value, token)
    if fdef.type == "boolean":
        if isinstance(value, bool):
            return value
        raise _type_error(fdef, value, "VALUE_NUMBER_INT")
    if fdef.type in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _type_error(fdef, value, "VALUE_TRUE")
        return _number(fdef, value)
    if fdef.type in ("date", "datetime", "id", "reference"):
        raise _type_error(fdef, value, "VALUE_NUMBER_INT")
    return str(value).lower() if isinstance(value, bool) else str(value)


def from_text(fdef: FieldDef, text: str, *, strict: bool = False) -> FieldValue:
    """Convert a string (a JSON string or a CSV cell) into a stored value.

    Raises:
        ValueTypeError: the text cannot be read as the field's type.
    """
    kind = fdef.type
    if kind == "boolean":
        return _boolean(fdef, text, strict=strict)
    if kind in NUMBER_TYPES:
        if not text.strip():
            return None
        try:
            return _number(fdef, float(text))
        except ValueError:
            raise _type_error(fdef, text, "VALUE_STRING") from None
    if kind in ("date", "datetime") and text:
        parsed = parse_datetime(text)
        if kind == "date":
            parsed_date = parse_date(text) or (parsed.date() if parsed else None)
            if parsed_date is None:
                raise _type_error(fdef, text, "VALUE_STRING")
            return parsed_date
        if parsed is None:
            raise _type_error(fdef, text, "VALUE_STRING")
        return parsed
    return text if text or kind not in ("date", "datetime") else None


def to_json(fdef: FieldDef, value: object) -> JsonScalar:
    """Render a stored value for a JSON response."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value) if fdef.type in FLOAT_TYPES else value
    return str(value)


def to_csv(fdef: FieldDef, value: object) -> str | None:
    """Render a stored value for a Bulk CSV cell (None for an empty cell)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime_csv(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and fdef.type in FLOAT_TYPES:
        return repr(float(value))
    return str(value)


def _boolean(fdef: FieldDef, text: str, *, strict: bool) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE and not (strict and lowered == "1"):
        return True
    if lowered in _FALSE and not (strict and lowered in ("", "0")):
        return False
    raise _type_error(fdef, text, "VALUE_STRING")


def _number(fdef: FieldDef, value: float) -> float | int:
    if fdef.type == "int":
        if float(value) != int(value):
            raise _type_error(fdef, value, "VALUE_NUMBER_FLOAT")
        return int(value)
    return float(value)


def _type_error(fdef: FieldDef, value: object, token: str) -> ValueTypeError:
    return ValueTypeError(
        f"Cannot deserialize instance of {fdef.type} from {token} value {value} "
        "or request may be missing a required field"
    )
