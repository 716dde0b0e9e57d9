"""Serve the OAuth 2.0 endpoints, the SOAP login, and the bearer-token check.

Grants: password, client_credentials (Basic auth or body), JWT bearer (RS256 checked
against the connected app's certificate; ``aud`` is not checked because the login
URL trick of docs/salesforce.md §1.3 changes it), authorization_code and
refresh_token. Errors answer 400 ``{"error", "error_description"}`` with the
descriptions real orgs send, e.g. ``invalid_client_id``/``client identifier invalid``
(https://pastebin.com/y5mKM31g), ``invalid assertion`` and ``expired authorization
code`` for JWTs (https://life-improver.com/salesforce/salesforce-authorization-via-jwt-yields-an-invalid-assertion-error/,
https://salesforce.stackexchange.com/questions/282513/specifying-an-expiration-date-time-when-creating-a-jwt).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography import x509

from plansync.emulators.salesforce.errors import ApiError
from plansync.emulators.salesforce.http import Request, Response, json_response
from plansync.emulators.salesforce.soap import soap_login

if TYPE_CHECKING:
    from plansync.emulators.salesforce.app import App

_JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuthError(Exception):
    """A token request the org refuses."""

    def __init__(self, error: str, description: str) -> None:
        """Carry the OAuth ``error`` code and its description."""
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def token(app: App, req: Request) -> Response:
    """``POST /services/oauth2/token``."""
    form = {key: values[0] for key, values in parse_qs(req.body.decode()).items()}
    grant = form.get("grant_type", "")
    flows = {
        "password": _password,
        "client_credentials": _client_credentials,
        _JWT_GRANT: _jwt_bearer,
        "authorization_code": _authorization_code,
        "refresh_token": _refresh_token,
    }
    flow = flows.get(grant)
    if flow is None:
        unsupported = OAuthError("unsupported_grant_type", "grant type not supported")
        return _refusal(unsupported)
    try:
        extra = flow(app, req, form)
    except OAuthError as refusal:
        return _refusal(refusal)
    return json_response(200, {**_token_body(app), **extra})


def _refusal(refusal: OAuthError) -> Response:
    return json_response(
        400, {"error": refusal.error, "error_description": refusal.description}
    )


def authorize(app: App, req: Request) -> Response:
    """``GET /services/oauth2/authorize``: approve at once, redirect with a ``code``."""
    redirect = req.param("redirect_uri") or app.credentials.redirect_uri
    params: dict[str, str] = {}
    if req.param("client_id") != app.credentials.client_id:
        params = {
            "error": "invalid_client_id",
            "error_description": "client identifier invalid",
        }
    elif req.param("response_type") != "code":
        params = {
            "error": "unsupported_response_type",
            "error_description": "response type not supported",
        }
    else:
        params = {"code": app.sessions.issue_code(redirect)}
    if req.param("state"):
        params["state"] = req.param("state") or ""
    separator = "&" if "?" in redirect else "?"
    return Response(302, b"", {"Location": f"{redirect}{separator}{urlencode(params)}"})


def soap(app: App, req: Request) -> Response:
    """``POST /services/Soap/u/{version}``: the SOAP ``login()`` call."""
    return soap_login(app, req)


def check_bearer(app: App, req: Request) -> None:
    """Accept only live access tokens on data resources.

    Raises:
        ApiError: 401 INVALID_SESSION_ID (or INVALID_AUTH_HEADER without a header).
    """
    header = req.header("Authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("bearer", "oauth") or not value:
        raise ApiError(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE")
    if not app.sessions.is_valid(value.strip()):
        raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def _token_body(app: App) -> dict[str, Any]:
    issued_at = str(int(time.time() * 1000))
    identity = app.identity_url()
    secret = app.credentials.client_secret.encode()
    signature = base64.b64encode(
        hmac.new(secret, (identity + issued_at).encode(), hashlib.sha256).digest()
    ).decode()
    return {
        "access_token": app.sessions.issue(),
        "instance_url": app.base_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": signature,
    }


def _client(app: App, req: Request, form: dict[str, str]) -> None:
    client_id, secret = form.get("client_id"), form.get("client_secret")
    header = req.header("Authorization") or ""
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
        except ValueError:
            raise OAuthError("invalid_client", "invalid client credentials") from None
        client_id, _, secret = decoded.partition(":")
    if client_id != app.credentials.client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if secret != app.credentials.client_secret:
        raise OAuthError("invalid_client", "invalid client credentials")


def _password(app: App, req: Request, form: dict[str, str]) -> dict[str, Any]:
    _client(app, req, form)
    creds = app.credentials
    accepted = {creds.password, creds.password + creds.security_token}
    if form.get("username") != creds.username or form.get("password") not in accepted:
        raise OAuthError("invalid_grant", "authentication failure")
    return {}


def _client_credentials(app: App, req: Request, form: dict[str, str]) -> dict[str, Any]:
    _client(app, req, form)
    return {"scope": "api"}


def _jwt_bearer(app: App, req: Request, form: dict[str, str]) -> dict[str, Any]:
    del req
    creds = app.credentials
    public_key = x509.load_pem_x509_certificate(creds.jwt_certificate_pem).public_key()
    try:
        claims = jwt.decode(
            form.get("assertion", ""),
            public_key,  # type: ignore[arg-type]  # an RSA key from the connected app's cert
            algorithms=["RS256"],
            options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise OAuthError("invalid_grant", "expired authorization code") from None
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if claims.get("iss") != creds.client_id:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if claims.get("sub") != creds.username:
        raise OAuthError("invalid_grant", "authentication failure")
    return {"scope": "web api"}


def _authorization_code(app: App, req: Request, form: dict[str, str]) -> dict[str, Any]:
    _client(app, req, form)
    redirect = app.sessions.redeem_code(form.get("code", ""))
    if redirect is None:
        raise OAuthError("invalid_grant", "invalid authorization code")
    if form.get("redirect_uri") and form["redirect_uri"] != redirect:
        raise OAuthError("invalid_grant", "redirect_uri must match configuration")
    return {"refresh_token": app.sessions.issue_refresh(), "scope": "api refresh_token"}


def _refresh_token(app: App, req: Request, form: dict[str, str]) -> dict[str, Any]:
    _client(app, req, form)
    if not app.sessions.is_refresh(form.get("refresh_token", "")):
        raise OAuthError("invalid_grant", "expired access/refresh token")
    return {"scope": "api refresh_token"}
