"""Connect the real simple-salesforce to a running emulator (for tests and demos).

Shipped with the emulator the way structlog ships ``testing.py``: a session that
trusts only the emulator's CA (docs/salesforce.md §1.2) and the ``domain`` values that
route simple-salesforce's login calls to 127.0.0.1 (§1.3).
"""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.api import Salesforce

from plansync.emulators.salesforce.emulator import SalesforceEmulator


def trusted_session(emulator: SalesforceEmulator) -> requests.Session:
    """Build a session that ignores ``*_CA_BUNDLE``/proxies and trusts the emulator."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(emulator.ca_file)
    return session


def login_domain(emulator: SalesforceEmulator, *, soap: bool = False) -> str:
    """Return the ``domain`` that sends simple-salesforce's login to the emulator.

    The client builds ``https://{domain}.salesforce.com/...``; the trailing ``#`` turns
    the rest into a URL fragment, which requests drops.
    """
    path = "services/Soap/u/59.0" if soap else "services/oauth2/token"
    return f"127.0.0.1:{emulator.port}/{path}#"


def direct_client(
    emulator: SalesforceEmulator, session: requests.Session
) -> Salesforce:
    """Return a client in direct mode (access token + instance URL, API 59.0)."""
    return Salesforce(
        session_id=emulator.access_token,
        instance_url=emulator.url,
        session=session,
        version="59.0",
    )


def error_content(error: BaseException) -> list[Any]:
    """Return the parsed JSON error array a simple-salesforce exception carries.

    simple-salesforce stores the parsed body in ``content`` but declares it as bytes,
    so tests read it through this helper.

    Raises:
        TypeError: the exception carries no JSON error array.
    """
    content: object = getattr(error, "content", None)
    if not isinstance(content, list):
        raise TypeError(f"{type(error).__name__} carries no JSON error array")
    return content
