"""Configure structlog, with a processor that keeps secrets out of every log line.

Redaction works on key names (``password``, ``token``, ``secret``…), on URL query
parameters that carry credentials (compare dlt's ``sanitize_url``) and on bearer
tokens inside free text, so a secret that slips into an event still never prints.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

REDACTED = "***"
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|private[_-]?key|session[_-]?id|"
    r"assertion|client[_-]?secret|refresh)",
    re.IGNORECASE,
)
_URL_PARAM = re.compile(
    r"(?P<name>(access_token|refresh_token|client_secret|password|code|assertion|hapikey|"
    r"api_key|sessionid|sid)=)[^&\s\"']+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/!=-]+", re.IGNORECASE)


def redact_text(text: str) -> str:
    """Mask credentials inside a string: URL parameters and bearer tokens."""
    return _BEARER.sub(r"\1" + REDACTED, _URL_PARAM.sub(r"\g<name>" + REDACTED, text))


def _redact(value: object) -> object:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            k: REDACTED if _SECRET_KEY.search(str(k)) else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_redact(v) for v in value)
    return value


def redact_secrets(
    _logger: object, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Structlog processor: replace secret values before anything renders them."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(*, level: str = "warning", json: bool = False) -> None:
    """Send structured logs to stderr at ``level``, secrets redacted."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        # Resolve stderr at each log call, not once: the CLI may be driven in-process
        # by tests that swap sys.stderr between runs.
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
