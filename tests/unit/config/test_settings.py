from __future__ import annotations

from pathlib import Path

import pytest

from plansync.config.settings import load_settings
from plansync.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[3] / "config" / "plansync.toml"


class TestSettings:
    def test_example_file_loads(self):
        """The example settings a user copies are valid."""
        settings = load_settings(EXAMPLE, environ={})
        assert ("memory", 2000, "PlanSync_Segment__c") == (
            settings.crm,
            settings.salesforce.bulk_threshold,
            settings.salesforce.fields.segment,
        )

    def test_environment_overrides_the_file(self):
        """PLANSYNC_* variables win over the file."""
        settings = load_settings(
            EXAMPLE,
            environ={
                "PLANSYNC_CRM": "salesforce",
                "PLANSYNC_SALESFORCE_CLIENT_ID": "ck",
            },
        )
        assert ("salesforce", "ck") == (settings.crm, settings.salesforce.client_id)

    def test_secret_from_file_is_hidden(self, tmp_path):
        """A secret read from a *_FILE variable is usable but never printed."""
        secret = tmp_path / "secret"
        secret.write_text("s3cr3t-value\n")
        settings = load_settings(
            None, environ={"PLANSYNC_SALESFORCE_CLIENT_SECRET_FILE": str(secret)}
        )
        secret_value = settings.salesforce.client_secret
        assert secret_value is not None
        assert "s3cr3t-value" == secret_value.get_secret_value()
        assert "s3cr3t-value" not in repr(settings) + str(settings.model_dump())

    def test_secret_in_the_file_is_refused(self, tmp_path):
        """A secret written into the settings file is an error naming the field."""
        path = tmp_path / "p.toml"
        path.write_text('[salesforce]\nclient_secret = "oops"\n')
        with pytest.raises(
            ConfigError, match=r"field `salesforce.client_secret`"
        ) as caught:
            load_settings(path, environ={})
        assert "oops" not in str(caught.value)

    def test_unknown_key_is_an_error(self, tmp_path):
        """A misspelt key names the file and field."""
        path = tmp_path / "p.toml"
        path.write_text('crm = "memory"\nlog_levle = "info"\n')
        with pytest.raises(ConfigError, match=r"p.toml: field `log_levle`"):
            load_settings(path, environ={})

    def test_unreadable_secret_file(self):
        """A secret file that does not exist is a config error, not a traceback."""
        with pytest.raises(ConfigError, match="cannot read the secret file"):
            load_settings(
                None, environ={"PLANSYNC_SALESFORCE_PASSWORD_FILE": "/nope/x"}
            )
