r"""Split SOQL text into tokens, decoding string literals with SOQL's escape rules.

Escapes allowed inside '...': \n \N \r \R \t \T \b \B \f \F \" \' \\ and \uXXXX,
plus \_ and \% in LIKE patterns; "If you use a backslash character in any other
context, an error occurs."
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
Date and dateTime literals are unquoted (``2026-01-02``, ``2026-01-02T03:04:05Z``,
``+01:00``/``-05:00`` offsets).
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
The docs list no fractional seconds, but orgs run queries with them (e.g.
``2022-12-01T10:47:53.299852-06:00``), so they are accepted:
https://bitbucket.org/RoseSilverSoftware/illuminatedcloud/issues/2283/valid-soql-queries-display-a-warning
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.values import parse_datetime

_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\dT])
  | (?P<number>[+-]?\d+(?:\.\d+)?)(?![\w.])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),:])
  | (?P<quote>')
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, source text, offset and decoded value."""

    kind: str
    text: str
    pos: int
    value: Any = None
    like: str | None = None
    like_only: bool = False

    def is_word(self, *words: str) -> bool:
        """Tell whether this is an identifier equal (any case) to one of ``words``."""
        return self.kind == "ident" and self.text.upper() in words


def error_at(
    soql: str, pos: int, message: str, code: str = "MALFORMED_QUERY"
) -> ApiError:
    r"""Build a 400 error whose message points at ``pos`` like Salesforce's parser does.

    Shape: ``\n<query>\n<spaces>^\nERROR at Row:r:Column:c\n<message>`` (seen in real
    captures, docs/salesforce.md §3.6).
    """
    before = soql[:pos]
    row = before.count("\n") + 1
    column = pos - (before.rfind("\n") + 1) + 1
    return ApiError(
        400,
        code,
        f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n"
        f"{message}",
    )


def tokenize(soql: str) -> list[Token]:
    """Turn ``soql`` into tokens, ending with an ``eof`` token.

    Raises:
        ApiError: MALFORMED_QUERY for an illegal character or string escape.
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(soql):
        match = _TOKEN.match(soql, pos)
        if match is None:
            raise error_at(soql, pos, f"unexpected token: '{soql[pos]}'")
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "quote":
            token, pos = _string(soql, pos)
            tokens.append(token)
            continue
        if kind != "space":
            tokens.append(Token(kind, text, pos, _decode(kind, text, soql, pos)))
        pos = match.end()
    tokens.append(Token("eof", "", len(soql)))
    return tokens


def _decode(kind: str, text: str, soql: str, pos: int) -> object:
    if kind == "number":
        return float(text) if "." in text else int(text)
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise error_at(soql, pos, f"Invalid date: {text}") from None
    if kind == "datetime":
        parsed = parse_datetime(text)
        if parsed is None:
            raise error_at(soql, pos, f"invalid dateTime literal: {text}")
        return parsed
    return None


def _string(soql: str, start: int) -> tuple[Token, int]:
    chars: list[str] = []
    pattern: list[str] = []
    like_only = False
    pos = start + 1
    while pos < len(soql):
        char = soql[pos]
        if char == "'":
            text = soql[start : pos + 1]
            token = Token(
                "string", text, start, "".join(chars), "".join(pattern), like_only
            )
            return token, pos + 1
        if char != "\\":
            chars.append(char)
            pattern.append(
                ".*" if char == "%" else "." if char == "_" else re.escape(char)
            )
            pos += 1
            continue
        escape = soql[pos + 1 : pos + 2]
        if escape and escape.lower() in _SIMPLE_ESCAPES:
            decoded = _SIMPLE_ESCAPES[escape.lower()]
            chars.append(decoded)
            pattern.append(re.escape(decoded))
            pos += 2
        elif escape in ("_", "%"):
            chars.append(escape)
            pattern.append(re.escape(escape))
            like_only = True
            pos += 2
        elif escape == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", soql[pos + 2 : pos + 6]):
            decoded = chr(int(soql[pos + 2 : pos + 6], 16))
            chars.append(decoded)
            pattern.append(re.escape(decoded))
            pos += 6
        else:
            raise error_at(
                soql,
                pos,
                f"Invalid string literal '{soql[start + 1 : pos + 2]}'. "
                "Illegal character "
                f"sequence '\\{escape}' in string literal.",
            )
    raise error_at(soql, start, f"unexpected token: '{soql[start:]}'")
