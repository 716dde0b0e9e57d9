from __future__ import annotations

import structlog
from structlog.testing import capture_logs

from plansync.log import configure_logging, redact_secrets, redact_text


class TestRedaction:
    def test_secret_keys_are_masked(self):
        """Values under secret-looking keys never reach the log."""
        event = redact_secrets(
            None,
            "info",
            {
                "event": "auth",
                "client_secret": "s3cr3t",
                "headers": {"Authorization": "Bearer abc"},
            },
        )
        assert {
            "event": "auth",
            "client_secret": "***",
            "headers": {"Authorization": "***"},
        } == event

    def test_secrets_inside_text_are_masked(self):
        """Tokens in URLs and bearer headers inside messages are masked."""
        text = (
            "POST https://x/services/oauth2/token?client_secret=abc&code=xyz "
            "Authorization: Bearer 00Dx!AR8.tok"
        )
        assert (
            "POST https://x/services/oauth2/token?client_secret=***&code=*** "
            "Authorization: Bearer ***"
        ) == redact_text(text)

    def test_processor_runs_in_the_configured_pipeline(self, capsys):
        """A configured logger prints the event with the secret masked."""
        configure_logging(level="info", json=True)
        structlog.get_logger("t").info("crm.login", password="hunter2", user="u@x")
        err = capsys.readouterr().err
        assert "hunter2" not in err
        assert '"password": "***"' in err

    def test_capture_logs_sees_events(self):
        """Tests read events through structlog's capture_logs."""
        with capture_logs() as logs:
            structlog.get_logger("t").warning("push.record_failed", key="k")
        assert [
            {"event": "push.record_failed", "key": "k", "log_level": "warning"}
        ] == logs
