"""Run a local Salesforce org that unmodified simple-salesforce cannot tell apart.

Typical use in a test::

    with SalesforceEmulator(accounts=50, seed=1) as emu:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(emu.ca_file)
        sf = Salesforce(session_id=emu.access_token, instance_url=emu.url,
                        session=session, version="59.0")
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from plansync.emulators import tls
from plansync.emulators.salesforce import control, ids
from plansync.emulators.salesforce.app import App
from plansync.emulators.salesforce.faults import build_rule
from plansync.emulators.salesforce.schema import build_schema
from plansync.emulators.salesforce.seed import seed_org
from plansync.emulators.salesforce.server import EmulatorServer
from plansync.emulators.salesforce.sessions import Credentials

CLIENT_ID = "3MVG9PlanSyncEmulatorConsumerKey0000000000000000000000000000000000000"
CLIENT_SECRET = "PLANSYNCEMULATORSECRET0000000000000000000000000000000000000000000"  # noqa: S105 -- published credential of a local emulator
USERNAME = "integration@plansync.example.com"
PASSWORD = "plansync-emulator-password"  # noqa: S105 -- published credential of a local emulator
SECURITY_TOKEN = "EMULATORTOKEN"  # noqa: S105 -- published credential of a local emulator
REDIRECT_URI = "http://localhost:1717/OauthRedirect"


class SalesforceEmulator:
    """A Salesforce org on 127.0.0.1: REST, SOQL, Collections, Bulk 2.0, OAuth."""

    def __init__(
        self,
        accounts: int = 0,
        seed: int = 1,
        *,
        data: Path | None = None,
        session_ttl_s: float = 7200.0,
        daily_api_limit: int = 1_000_000,
        state_dir: Path | None = None,
        port: int = 0,
        as_of: date | None = None,
        package_root: Path | None = None,
        bulk_job_polls: int = 1,
    ) -> None:
        """Describe the org; nothing runs until ``start()``.

        Args:
            accounts: How many sample accounts (``plansync.sample``) to load.
            seed: Seed of the sample generator.
            data: JSON file of extra records to load (see ``seed.load_file``).
            session_ttl_s: Idle seconds after which an access token expires.
            daily_api_limit: The org's daily API request allocation.
            state_dir: Where TLS material and the JWT key live (reused when present);
                a temporary directory when None.
            port: Port to bind (0 picks a free one).
            as_of: The sample's "today" (default: the current UTC date).
            package_root: SFDX package folder to read custom fields from.
            bulk_job_polls: Which status poll after a Bulk API 2.0 job was closed
                (or a query job created) first reports it complete; 1 is the
                first, as for a small job on a real org.
        """
        self._accounts = accounts
        self._seed = seed
        self._data = Path(data) if data is not None else None
        self._ttl = session_ttl_s
        self._limit = daily_api_limit
        self._state_dir = Path(state_dir) if state_dir is not None else None
        self._port = port
        self._as_of = as_of
        self._package_root = package_root
        self._bulk_job_polls = bulk_job_polls
        self._temp_dir: Path | None = None
        self._server: EmulatorServer | None = None
        self._app: App | None = None
        self._token: str | None = None
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.username = USERNAME
        self.password = PASSWORD
        self.security_token = SECURITY_TOKEN
        self.redirect_uri = REDIRECT_URI
        self.private_key_pem = ""
        self.certificate_pem = ""

    def start(self, port: int | None = None) -> Self:
        """Generate TLS material, load the data and serve HTTPS in a daemon thread."""
        if self._server is not None:
            return self
        directory = self._state_dir or self._make_temp_dir()
        files = tls.ensure_tls_files(directory)
        self._ensure_jwt_key(directory)
        org_id = ids.mint("00D", 1)
        credentials = Credentials(
            org_id,
            self.client_id,
            self.client_secret,
            self.username,
            self.password,
            self.security_token,
            self.redirect_uri,
            self.certificate_pem.encode(),
        )
        app = App(
            build_schema(self._package_root),
            credentials,
            session_ttl_s=self._ttl,
            daily_api_limit=self._limit,
            bulk_job_polls=self._bulk_job_polls,
        )
        as_of = self._as_of or datetime.now(UTC).date()

        def reseed() -> None:
            seed_org(
                app,
                accounts=self._accounts,
                seed=self._seed,
                as_of=as_of,
                data=self._data,
            )

        reseed()
        app.reseed = reseed
        server = EmulatorServer(
            app,
            self._port if port is None else port,
            files.server_cert,
            files.server_key,
        )
        app.base_url = f"https://127.0.0.1:{server.port}"
        server.start()
        self._server, self._app, self._ca_file = server, app, files.ca_cert
        self._token = app.sessions.issue()
        return self

    def stop(self) -> None:
        """Stop serving and remove temporary files."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> Self:
        """Start the emulator."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the emulator."""
        self.stop()

    @property
    def url(self) -> str:
        """Return the instance URL, ``https://127.0.0.1:PORT``."""
        return self._running().base_url

    @property
    def port(self) -> int:
        """Return the bound port."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._server.port

    @property
    def ca_file(self) -> Path:
        """Return the PEM file of the CA that signed the server certificate."""
        self._running()
        return self._ca_file

    @property
    def access_token(self) -> str:
        """Return a valid session token for direct mode (re-issued after expiry)."""
        app = self._running()
        if self._token is None or not app.sessions.is_valid(self._token):
            self._token = app.sessions.issue()
        return self._token

    def inject_fault(
        self,
        count: int | None = 1,
        status: int | None = None,
        *,
        error_code: str | None = None,
        path_contains: str | None = None,
        rate: float | None = None,
        seed: int | None = None,
        record_ids: list[str] | None = None,
        latency_ms: int = 0,
        message: str | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        """Add a fault, like ``POST /__emulator/faults``.

        ``status``/``error_code`` default to 503 SERVER_UNAVAILABLE, to
        UNABLE_TO_LOCK_ROW with ``record_ids``, and to no error (delay only) when only
        ``latency_ms`` is set.
        """
        spec: dict[str, Any] = {
            "count": None if rate is not None and count == 1 else count,
            "status": status,
            "errorCode": error_code,
            "path_contains": path_contains,
            "rate": rate,
            "seed": seed,
            "record_ids": record_ids,
            "latency_ms": latency_ms,
            "message": message,
            "retry_after_s": retry_after_s,
        }
        self._running().faults.add(build_rule(spec))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self._running().faults.clear()

    def stats(self) -> dict[str, Any]:
        """Return request counts per endpoint and records written."""
        app = self._running()
        return app.stats.snapshot(app.faults.fired)

    def reset_stats(self) -> None:
        """Zero the request and write counters."""
        self._running().stats.reset()

    def reset(self, *, data: bool = False) -> None:
        """Reset stats, faults and API usage; with ``data``, reload initial records."""
        control.reset(self._running(), data=data)

    def expire_sessions(self) -> None:
        """Invalidate every issued access token (→ 401 INVALID_SESSION_ID)."""
        self._running().sessions.expire_all()

    def set_api_usage(
        self, *, limit: int | None = None, used: int | None = None
    ) -> None:
        """Change the daily API allocation or the count already spent."""
        self._running().usage.configure(limit=limit, used=used)

    def records(self, sobject: str) -> list[dict[str, Any]]:
        """Return every record of ``sobject`` (deleted ones too) as REST renders it."""
        return control.records(self._running(), sobject)

    def _running(self) -> App:
        if self._app is None or self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._app

    def _make_temp_dir(self) -> Path:
        self._temp_dir = Path(tempfile.mkdtemp(prefix="plansync-sf-emulator-"))
        return self._temp_dir

    def _ensure_jwt_key(self, directory: Path) -> None:
        key_file = directory / "jwt-key.pem"
        cert_file = directory / "jwt-cert.pem"
        if not (key_file.exists() and cert_file.exists()):
            key = tls.new_signing_key()
            key_file.write_bytes(tls.private_key_pem(key))
            key_file.chmod(0o600)
            cert_file.write_bytes(
                tls.self_signed_certificate(key, "plansync connected app")
            )
        self.private_key_pem = key_file.read_text(encoding="ascii")
        self.certificate_pem = cert_file.read_text(encoding="ascii")
