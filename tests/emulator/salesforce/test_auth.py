"""OAuth grants, SOAP login and session expiry as simple-salesforce experiences them."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
)

from plansync.emulators import tls
from plansync.emulators.salesforce import SalesforceEmulator
from plansync.emulators.salesforce.testing import (
    direct_client,
    error_content,
    login_domain,
    trusted_session,
)

pytestmark = pytest.mark.emulator


def _other_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return tls.private_key_pem(key).decode()


class TestPasswordGrant:
    def test_login_returns_a_working_session(self, emu, http):
        """The OAuth username-password flow yields a token the data API accepts."""
        sf: Any = Salesforce(
            username=emu.username,
            password=emu.password,
            consumer_key=emu.client_id,
            consumer_secret=emu.client_secret,
            domain=login_domain(emu),
            session=http,
        )
        assert 1 <= sf.query("SELECT COUNT() FROM Account")["totalSize"]
        assert f"127.0.0.1:{emu.port}" == sf.sf_instance

    def test_password_plus_security_token_is_accepted(self, emu, http):
        """The password may carry the security token appended, as orgs expect."""
        sf: Any = Salesforce(
            username=emu.username,
            password=emu.password + emu.security_token,
            consumer_key=emu.client_id,
            consumer_secret=emu.client_secret,
            domain=login_domain(emu),
            session=http,
        )
        assert "Account" == sf.Account.describe()["name"]

    def test_bad_secret_is_invalid_client(self, emu, http):
        """A wrong consumer secret answers 400 invalid_client."""
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(
                username=emu.username,
                password=emu.password,
                consumer_key=emu.client_id,
                consumer_secret="wrong",
                domain=login_domain(emu),
                session=http,
            )
        assert ("invalid_client", "invalid client credentials") == (
            caught.value.code,
            caught.value.auth_message,
        )

    def test_bad_password_is_invalid_grant(self, emu, http):
        """A wrong password answers invalid_grant/authentication failure."""
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(
                username=emu.username,
                password="nope",
                consumer_key=emu.client_id,
                consumer_secret=emu.client_secret,
                domain=login_domain(emu),
                session=http,
            )
        assert ("invalid_grant", "authentication failure") == (
            caught.value.code,
            caught.value.auth_message,
        )

    def test_error_body_is_oauth_shaped(self, emu, http):
        """Token errors are HTTP 400 with error and error_description."""
        response = http.post(
            f"{emu.url}/services/oauth2/token",
            data={"grant_type": "password", "client_id": "unknown"},
        )
        assert (
            400,
            {
                "error": "invalid_client_id",
                "error_description": "client identifier invalid",
            },
        ) == (
            response.status_code,
            response.json(),
        )


class TestClientCredentials:
    def test_basic_auth_login_works(self, emu, http):
        """The client-credentials flow (Basic auth header) yields a working session."""
        sf: Any = Salesforce(
            consumer_key=emu.client_id,
            consumer_secret=emu.client_secret,
            domain=login_domain(emu),
            session=http,
        )
        assert "Account" == sf.Account.describe()["name"]

    def test_credentials_in_body_work(self, emu, http):
        """client_id and client_secret may also come in the form body."""
        response = http.post(
            f"{emu.url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": emu.client_id,
                "client_secret": emu.client_secret,
            },
        )
        body = response.json()
        assert (200, emu.url, "Bearer") == (
            response.status_code,
            body["instance_url"],
            body["token_type"],
        )

    def test_bad_secret_fails(self, emu, http):
        """A wrong secret is refused with invalid_client."""
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(
                consumer_key=emu.client_id,
                consumer_secret="bad",
                domain=login_domain(emu),
                session=http,
            )
        assert "invalid_client" == caught.value.code


class TestJwtBearer:
    def test_signed_assertion_logs_in(self, emu, http):
        """An RS256 assertion signed with the app's key is accepted (aud unchecked)."""
        sf: Any = Salesforce(
            username=emu.username,
            consumer_key=emu.client_id,
            privatekey=emu.private_key_pem,
            domain=login_domain(emu),
            session=http,
        )
        assert "Task" == sf.Task.describe()["name"]

    def test_bad_signature_is_invalid_assertion(self, emu, http):
        """An assertion signed with another key is invalid_grant/invalid assertion."""
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(
                username=emu.username,
                consumer_key=emu.client_id,
                privatekey=_other_key_pem(),
                domain=login_domain(emu),
                session=http,
            )
        assert ("invalid_grant", "invalid assertion") == (
            caught.value.code,
            caught.value.auth_message,
        )

    def test_expired_assertion_is_refused(self, emu, http):
        """An assertion whose exp has passed is refused."""
        claims = {
            "iss": emu.client_id,
            "sub": emu.username,
            "aud": "x",
            "exp": int(time.time()) - 60,
        }
        assertion = jwt.encode(claims, emu.private_key_pem, algorithm="RS256")
        response = http.post(
            f"{emu.url}/services/oauth2/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
        )
        assert (400, "invalid_grant") == (
            response.status_code,
            response.json()["error"],
        )

    def test_wrong_issuer_is_invalid_client_id(self, emu, http):
        """An assertion issued for another consumer key is refused."""
        claims = {
            "iss": "someone-else",
            "sub": emu.username,
            "exp": int(time.time()) + 60,
        }
        assertion = jwt.encode(claims, emu.private_key_pem, algorithm="RS256")
        response = http.post(
            f"{emu.url}/services/oauth2/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": assertion,
            },
        )
        assert "invalid_client_id" == response.json()["error"]


class TestWebServerFlow:
    def test_code_then_refresh_token(self, emu, http):
        """Authorize → code → refresh_token → a new access token that works."""
        redirect = http.get(
            f"{emu.url}/services/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": emu.client_id,
                "redirect_uri": emu.redirect_uri,
                "state": "s1",
            },
            allow_redirects=False,
        )
        query = parse_qs(urlsplit(redirect.headers["Location"]).query)
        assert (302, ["s1"]) == (redirect.status_code, query["state"])
        base = {"client_id": emu.client_id, "client_secret": emu.client_secret}
        granted = http.post(
            f"{emu.url}/services/oauth2/token",
            data={
                **base,
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": emu.redirect_uri,
            },
        ).json()
        refreshed = http.post(
            f"{emu.url}/services/oauth2/token",
            data={
                **base,
                "grant_type": "refresh_token",
                "refresh_token": granted["refresh_token"],
            },
        ).json()
        sf: Any = Salesforce(
            session_id=refreshed["access_token"],
            instance_url=refreshed["instance_url"],
            session=http,
            version="59.0",
        )
        assert "refresh_token" not in refreshed
        assert "User" == sf.User.describe()["name"]

    def test_code_is_single_use(self, emu, http):
        """A redeemed authorization code cannot be redeemed again."""
        location = http.get(
            f"{emu.url}/services/oauth2/authorize",
            params={"response_type": "code", "client_id": emu.client_id},
            allow_redirects=False,
        ).headers["Location"]
        code = parse_qs(urlsplit(location).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": emu.client_id,
            "client_secret": emu.client_secret,
        }
        first = http.post(f"{emu.url}/services/oauth2/token", data=form)
        second = http.post(f"{emu.url}/services/oauth2/token", data=form)
        assert (200, 400) == (first.status_code, second.status_code)


class TestSoapLogin:
    def test_security_token_login_works(self, emu, http):
        """The SOAP login (username, password, token) yields a working session."""
        sf: Any = Salesforce(
            username=emu.username,
            password=emu.password,
            security_token=emu.security_token,
            domain=login_domain(emu, soap=True),
            session=http,
        )
        assert "Account" == sf.Account.describe()["name"]

    def test_bad_password_is_invalid_login(self, emu, http):
        """A wrong password answers a SOAP fault with INVALID_LOGIN."""
        with pytest.raises(SalesforceAuthenticationFailed) as caught:
            Salesforce(
                username=emu.username,
                password="bad",
                security_token="x",
                domain=login_domain(emu, soap=True),
                session=http,
            )
        assert "INVALID_LOGIN" == caught.value.code


class TestSessionExpiry:
    def test_login_capable_client_logs_in_again(self, emu, http):
        """After expiry a login-capable client logs in again and retries."""
        sf: Any = Salesforce(
            consumer_key=emu.client_id,
            consumer_secret=emu.client_secret,
            domain=login_domain(emu),
            session=http,
        )
        emu.reset_stats()
        emu.expire_sessions()
        assert 40 == sf.query("SELECT COUNT() FROM Account")["totalSize"]
        assert {"GET query": 2, "POST oauth2/token": 1} == emu.stats()["by_endpoint"]

    def test_direct_mode_raises_expired_session(self, emu, http):
        """Direct mode cannot refresh: the 401 surfaces as SalesforceExpiredSession."""
        sf = direct_client(emu, http)
        emu.expire_sessions()
        with pytest.raises(SalesforceExpiredSession) as caught:
            sf.query("SELECT Id FROM Account")
        assert (
            401,
            [
                {
                    "message": "Session expired or invalid",
                    "errorCode": "INVALID_SESSION_ID",
                }
            ],
        ) == (
            caught.value.status,
            error_content(caught.value),
        )

    def test_idle_token_expires_after_ttl(self):
        """A token unused for longer than session_ttl_s is rejected."""
        with SalesforceEmulator(session_ttl_s=0.3) as emu, trusted_session(emu) as http:
            sf = direct_client(emu, http)
            sf.query("SELECT Id FROM User")
            time.sleep(0.4)
            with pytest.raises(SalesforceExpiredSession):
                sf.query("SELECT Id FROM User")

    def test_missing_header_is_rejected(self, emu, http):
        """A data call without Authorization answers 401."""
        response = http.get(f"{emu.url}/services/data/v59.0/sobjects")
        assert 401 == response.status_code
