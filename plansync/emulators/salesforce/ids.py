"""Mint and normalise Salesforce record ids (15-char case-sensitive, 18-char safe).

The 18-character form appends three characters that encode, per 5-character chunk,
which characters are upper case, so the id survives case-insensitive systems.
Algorithm as used by every client that converts ids, e.g.
https://gist.github.com/hynekcer/0f8416c8bf05316141bed12a749af33a
"""

from __future__ import annotations

import string

_SUFFIX_CHARS = string.ascii_uppercase + "012345"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ALNUM = frozenset(string.ascii_letters + string.digits)
_POD = "8d0"
_COUNTER_WIDTH = 9
_SHORT = 15
_LONG = 18


def checksum(id15: str) -> str:
    """Return the 3-character case-safety suffix of a 15-character id."""
    suffix = []
    for start in range(0, 15, 5):
        bits = 0
        for offset, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        suffix.append(_SUFFIX_CHARS[bits])
    return "".join(suffix)


def mint(prefix: str, counter: int) -> str:
    """Build the 18-character id number ``counter`` of an object with ``prefix``."""
    digits = []
    value = counter
    for _ in range(_COUNTER_WIDTH):
        value, remainder = divmod(value, 62)
        digits.append(_BASE62[remainder])
    id15 = prefix + _POD + "".join(reversed(digits))
    return id15 + checksum(id15)


def normalize(raw: str) -> str | None:
    """Return the canonical 18-character id for ``raw``, or None when malformed.

    Accepts the 15-character form and the 18-character form in any letter case
    (the suffix restores the case of the first 15 characters).
    """
    if len(raw) not in (_SHORT, _LONG) or not set(raw) <= _ALNUM:
        return None
    if len(raw) == _SHORT:
        return raw + checksum(raw)
    suffix = raw[15:].upper()
    restored = []
    for chunk, code in enumerate(suffix):
        position = _SUFFIX_CHARS.find(code)
        if position < 0:
            return None
        for offset, char in enumerate(raw[chunk * 5 : chunk * 5 + 5]):
            is_upper = bool(position & (1 << offset))
            restored.append(char.upper() if is_upper else char.lower())
    id15 = "".join(restored)
    if checksum(id15) != suffix:
        return None
    return id15 + suffix


def looks_like_id(raw: str) -> bool:
    """Tell whether ``raw`` has the shape of a record id (not whether it is valid)."""
    return len(raw) in (_SHORT, _LONG) and set(raw) <= _ALNUM
