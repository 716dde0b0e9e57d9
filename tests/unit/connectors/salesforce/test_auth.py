"""Choosing the login endpoint and the HTTP session; no network involved."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from pydantic import SecretStr

from plansync.config.settings import SalesforceSettings
from plansync.connectors.salesforce.auth import build_session, connect, login_endpoint
from plansync.errors import ConfigError


class TestLoginEndpoint:
    @pytest.mark.parametrize(
        ("login_url", "sandbox", "domain", "token_url"),
        [
            (
                "https://login.salesforce.com",
                False,
                "login",
                "https://login.salesforce.com/services/oauth2/token",
            ),
            (
                "https://login.salesforce.com",
                True,
                "test",
                "https://test.salesforce.com/services/oauth2/token",
            ),
            (
                "https://acme.my.salesforce.com/",
                False,
                "acme.my",
                "https://acme.my.salesforce.com/services/oauth2/token",
            ),
            (
                "https://127.0.0.1:8443",
                False,
                "127.0.0.1:8443/services/oauth2/token#",
                "https://127.0.0.1:8443/services/oauth2/token",
            ),
        ],
    )
    def test_domain_for_the_client(self, login_url, sandbox, domain, token_url):
        """salesforce.com hosts become a domain; any other host the fragment form."""
        settings = SalesforceSettings(login_url=login_url, sandbox=sandbox)
        login = login_endpoint(settings)
        assert (domain, token_url) == (login.domain, login.token_url)

    def test_plain_http_is_refused(self):
        """A login URL that is not https is a configuration error."""
        with pytest.raises(ConfigError, match="https"):
            login_endpoint(SalesforceSettings(login_url="http://127.0.0.1:80"))

    def test_client_credentials_need_my_domain(self):
        """The client-credentials flow cannot run against login.salesforce.com."""
        settings = SalesforceSettings(
            auth="client_credentials",
            client_id="ck",
            client_secret=SecretStr("cs"),
        )
        with (
            requests.Session() as session,
            pytest.raises(ConfigError, match="My Domain"),
        ):
            connect(settings, session)

    def test_missing_secret_names_the_variable(self):
        """A flow without its secret says which environment variable to set."""
        settings = SalesforceSettings(auth="token", instance_url="https://x.example")
        with (
            requests.Session() as session,
            pytest.raises(ConfigError, match="PLANSYNC_SALESFORCE_ACCESS_TOKEN"),
        ):
            connect(settings, session)


class TestSession:
    def test_custom_ca_ignores_the_environment(self, tmp_path: Path):
        """With a CA file the session verifies with it and ignores *_CA_BUNDLE."""
        ca = tmp_path / "ca.pem"
        with build_session(SalesforceSettings(ca_file=ca)) as session:
            assert (False, str(ca)) == (session.trust_env, session.verify)

    def test_default_session_trusts_the_environment(self):
        """Without a CA file proxies and bundles from the environment still apply."""
        with build_session(SalesforceSettings()) as session:
            assert session.trust_env
