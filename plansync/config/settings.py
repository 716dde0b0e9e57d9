"""Read plansync's settings from a TOML file and the environment; secrets stay secret.

Precedence: environment (``PLANSYNC_…``) over the file over defaults. A secret
comes from ``PLANSYNC_<NAME>`` or from a file named by ``PLANSYNC_<NAME>_FILE``
(Docker and Kubernetes secrets), never from the settings file, and is held as a
``SecretStr`` so it cannot leak through a repr, a log line or an error.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from plansync.errors import ConfigError

ENV_PREFIX = "PLANSYNC_"


class SalesforceFields(BaseModel):
    """Which Salesforce fields hold the values plansync reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str = "PlanSync_Segment__c"
    nps: str = "PlanSync_NPS__c"
    wallet: str = "PlanSync_Wallet__c"
    recurring_share: str = "PlanSync_Recurring_Share__c"
    contact_role: str = "PlanSync_Role__c"


class SalesforceSettings(BaseModel):
    """How to reach and authenticate to a Salesforce org."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    auth: Literal["jwt", "client_credentials", "refresh_token", "token", "password"] = (
        "jwt"
    )
    instance_url: str | None = None
    login_url: str = "https://login.salesforce.com"
    sandbox: bool = False
    api_version: str = "59.0"
    client_id: str | None = None
    username: str | None = None
    private_key_file: Path | None = None
    ca_file: Path | None = None
    bulk_threshold: int = Field(default=2000, ge=1)
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    access_token: SecretStr | None = None
    password: SecretStr | None = None
    fields: SalesforceFields = SalesforceFields()


class Settings(BaseModel):
    """Everything a deployment configures."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    crm: Literal["memory", "salesforce", "hubspot"] = "memory"
    playbooks: Path = Path("config/playbooks.yaml")
    state_url: str = "sqlite:///var/plansync.db"
    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    salesforce: SalesforceSettings = SalesforceSettings()


_SECRETS = {
    ("salesforce", "client_secret"): "SALESFORCE_CLIENT_SECRET",
    ("salesforce", "refresh_token"): "SALESFORCE_REFRESH_TOKEN",
    ("salesforce", "access_token"): "SALESFORCE_ACCESS_TOKEN",
    ("salesforce", "password"): "SALESFORCE_PASSWORD",
}
_PLAIN = {
    ("crm",): "CRM",
    ("playbooks",): "PLAYBOOKS",
    ("state_url",): "STATE_URL",
    ("log_level",): "LOG_LEVEL",
    ("salesforce", "instance_url"): "SALESFORCE_INSTANCE_URL",
    ("salesforce", "client_id"): "SALESFORCE_CLIENT_ID",
    ("salesforce", "username"): "SALESFORCE_USERNAME",
    ("salesforce", "private_key_file"): "SALESFORCE_PRIVATE_KEY_FILE",
    ("salesforce", "auth"): "SALESFORCE_AUTH",
    ("salesforce", "login_url"): "SALESFORCE_LOGIN_URL",
    ("salesforce", "ca_file"): "SALESFORCE_CA_FILE",
}


def load_settings(
    path: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Load settings from ``path`` (optional) and the environment.

    Raises:
        ConfigError: the file cannot be read or parsed, a secret appears in the
            file, or a value is invalid; the message names the file and field.
    """
    env = os.environ if environ is None else environ
    source = str(path) if path else "environment"
    data: dict[str, object] = _read_file(path) if path else {}
    for (section, name), variable in _SECRETS.items():
        table = data.get(section)
        if isinstance(table, dict) and name in table:
            raise ConfigError(
                f"{source}: field `{section}.{name}`: secrets do not belong in "
                f"the settings file; set {ENV_PREFIX}{variable} "
                f"or {ENV_PREFIX}{variable}_FILE"
            )
    for where, variable in _PLAIN.items():
        if (value := env.get(ENV_PREFIX + variable)) is not None:
            _put(data, where, value)
    for where, variable in _SECRETS.items():
        if (value := _secret(env, variable)) is not None:
            _put(data, where, value)
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: field `{field}`: {first['msg']}") from None


def _read_file(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read settings: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None


def _secret(env: Mapping[str, str], variable: str) -> str | None:
    if (value := env.get(ENV_PREFIX + variable)) is not None:
        return value
    if (file_name := env.get(f"{ENV_PREFIX}{variable}_FILE")) is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"{ENV_PREFIX}{variable}_FILE: cannot read the secret file "
                f"{file_name}: {error.strerror}"
            ) from None
    return None


def _put(data: dict[str, object], where: tuple[str, ...], value: str) -> None:
    target = data
    for part in where[:-1]:
        nested = target.setdefault(part, {})
        if not isinstance(nested, dict):
            raise ConfigError(f"settings: `{part}` must be a table, got {nested!r}")
        target = nested
    target[where[-1]] = value
