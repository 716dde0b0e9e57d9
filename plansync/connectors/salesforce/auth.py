"""Build an authenticated simple-salesforce client for each supported login flow.

Flows (``SalesforceSettings.auth``): ``jwt`` (JWT bearer: connected app key,
username, private key file), ``client_credentials`` (connected app key and
secret, run-as user configured on the app), ``password`` (OAuth username-password
grant; the password setting holds password plus security token), ``refresh_token``
(web-server flow: plansync posts the refresh grant itself, then uses the access
token directly), and ``token`` (an instance URL and an access token handed in).
Only the login flows can mint a new session after one expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from plansync.config.settings import SalesforceSettings
from plansync.errors import ConfigError

T = TypeVar("T")
SANDBOX_LOGIN = "https://test.salesforce.com"
DEFAULT_LOGIN = "https://login.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"  # noqa: S105  # a URL path, not a secret
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0
LOGIN_FLOWS = frozenset({"jwt", "client_credentials", "password", "refresh_token"})


class _TimeoutAdapter(HTTPAdapter):
    """Give every request a timeout; simple-salesforce's Bulk calls set none."""

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401  # same signature as requests' HTTPAdapter.send
        """Send with the default timeout unless the caller set one."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        return super().send(request, *args, **kwargs)


@dataclass(frozen=True, slots=True)
class Login:
    """Where the OAuth token endpoint is, in simple-salesforce's ``domain`` terms."""

    domain: str
    token_url: str


def build_session(settings: SalesforceSettings) -> requests.Session:
    """Return a ``requests`` session with timeouts and, if set, the custom CA.

    With a custom CA the session ignores the environment: ``REQUESTS_CA_BUNDLE``
    would otherwise replace ``verify`` on every request (docs/salesforce.md §1.2,
    https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification).
    """
    session = requests.Session()
    adapter = _TimeoutAdapter()
    session.mount("https://", adapter)
    if settings.ca_file is not None:
        session.trust_env = False
        session.verify = str(settings.ca_file)
    return session


def login_endpoint(settings: SalesforceSettings) -> Login:
    """Return the login domain simple-salesforce should use, and the token URL.

    simple-salesforce builds ``https://{domain}.salesforce.com/services/oauth2/token``.
    A ``login_url`` outside salesforce.com (a proxy, the local emulator) is reached
    by ending ``domain`` with a URL fragment marker: the client's suffix becomes a
    fragment, which is never sent (docs/salesforce.md §1.3).

    Raises:
        ConfigError: the login URL is not an https URL.
    """
    login_url = settings.login_url.rstrip("/")
    if settings.sandbox and login_url == DEFAULT_LOGIN:
        login_url = SANDBOX_LOGIN
    parts = urlsplit(login_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(
            f"salesforce.login_url: expected an https URL, got {settings.login_url!r}"
        )
    token_url = f"https://{parts.netloc}{TOKEN_PATH}"
    suffix = ".salesforce.com"
    if parts.port is None and parts.hostname.endswith(suffix):
        return Login(parts.hostname.removesuffix(suffix), token_url)
    return Login(f"{parts.netloc}{TOKEN_PATH}#", token_url)


def connect(settings: SalesforceSettings, session: requests.Session) -> Salesforce:
    """Log in with the configured flow and return the client.

    Raises:
        ConfigError: a setting the flow needs is missing.
        SalesforceAuthenticationFailed: the org refused the credentials (the
            caller translates it).
        requests.RequestException: the org could not be reached.
    """
    version = settings.api_version
    match settings.auth:
        case "token":
            return Salesforce(
                session_id=_secret(settings, "access_token"),
                instance_url=_required(settings.instance_url, "instance_url"),
                session=session,
                version=version,
            )
        case "refresh_token":
            token, instance_url = refresh_access_token(settings, session)
            return Salesforce(
                session_id=token,
                instance_url=settings.instance_url or instance_url,
                session=session,
                version=version,
            )
        case "jwt":
            key_file = _required(settings.private_key_file, "private_key_file")
            return Salesforce(
                username=_required(settings.username, "username"),
                consumer_key=_required(settings.client_id, "client_id"),
                privatekey_file=str(key_file),
                domain=login_endpoint(settings).domain,
                session=session,
                version=version,
            )
        case "client_credentials":
            domain = login_endpoint(settings).domain
            if domain in {"login", "test"}:
                # The flow runs only against the org's My Domain (§2); the client
                # refuses login/test domains itself, with a less helpful message.
                raise ConfigError(
                    "salesforce.login_url: client credentials need the org's "
                    "My Domain URL (https://<domain>.my.salesforce.com)"
                )
            return Salesforce(
                consumer_key=_required(settings.client_id, "client_id"),
                consumer_secret=_secret(settings, "client_secret"),
                domain=domain,
                session=session,
                version=version,
            )
        case "password":
            return Salesforce(
                username=_required(settings.username, "username"),
                password=_secret(settings, "password"),
                consumer_key=_required(settings.client_id, "client_id"),
                consumer_secret=_secret(settings, "client_secret"),
                domain=login_endpoint(settings).domain,
                session=session,
                version=version,
            )


def refresh_access_token(
    settings: SalesforceSettings, session: requests.Session
) -> tuple[str, str]:
    """Trade the refresh token for an access token; return it and the instance URL.

    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm

    Raises:
        SalesforceAuthenticationFailed: the token endpoint refused the grant.
        requests.RequestException: the endpoint could not be reached.
    """
    form = {
        "grant_type": "refresh_token",
        "client_id": _required(settings.client_id, "client_id"),
        "refresh_token": _secret(settings, "refresh_token"),
    }
    if settings.client_secret is not None:
        form["client_secret"] = settings.client_secret.get_secret_value()
    response = session.post(login_endpoint(settings).token_url, data=form)
    try:
        body = response.json()
    except requests.JSONDecodeError:
        body = {}
    token = body.get("access_token") if isinstance(body, dict) else None
    instance_url = body.get("instance_url") if isinstance(body, dict) else None
    if response.status_code != 200 or not token or not instance_url:  # noqa: PLR2004  # HTTP OK
        code = body.get("error") if isinstance(body, dict) else None
        # Only the OAuth error code is kept: the description may echo the grant.
        raise SalesforceAuthenticationFailed(code or response.status_code, "refused")
    return str(token), str(instance_url)


def _required(value: T | None, name: str) -> T:
    if value is None or value == "":
        raise ConfigError(f"salesforce.{name}: required for this auth flow")
    return value


def _secret(settings: SalesforceSettings, name: str) -> str:
    value = getattr(settings, name)
    if value is None:
        raise ConfigError(
            f"salesforce.{name}: required for this auth flow; "
            f"set PLANSYNC_SALESFORCE_{name.upper()}"
        )
    return str(value.get_secret_value())
