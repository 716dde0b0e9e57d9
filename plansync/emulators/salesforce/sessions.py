"""Issue and check access tokens, refresh tokens and authorization codes.

An access token expires after ``ttl_s`` seconds without use (Salesforce's session
timeout is an inactivity timeout, reset by every successful request:
https://salesforce.stackexchange.com/questions/212976/jwt-oauth-flow-session-expired-error).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the emulated org accepts: its connected app and its one API user."""

    org_id: str
    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str
    redirect_uri: str
    jwt_certificate_pem: bytes


class Sessions:
    """Live access tokens (token → last use), refresh tokens and one-time codes."""

    def __init__(self, org_id: str, ttl_s: float) -> None:
        """Issue ``org_id``-prefixed tokens that expire after ``ttl_s`` idle seconds."""
        self.org_id = org_id
        self.ttl_s = ttl_s
        self._tokens: dict[str, float] = {}
        self._refresh: set[str] = set()
        self._codes: dict[str, str] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        """Create a new access token."""
        token = f"{self.org_id[:15]}!AR{secrets.token_urlsafe(48)}"
        with self._lock:
            self._tokens[token] = time.monotonic()
        return token

    def is_valid(self, token: str) -> bool:
        """Tell whether ``token`` is live, and mark it used."""
        now = time.monotonic()
        with self._lock:
            last = self._tokens.get(token)
            if last is None:
                return False
            if now - last > self.ttl_s:
                del self._tokens[token]
                return False
            self._tokens[token] = now
            return True

    def expire_all(self) -> None:
        """Invalidate every access token (refresh tokens stay valid)."""
        with self._lock:
            self._tokens.clear()

    def issue_refresh(self) -> str:
        """Create a refresh token."""
        token = f"5Aep{secrets.token_urlsafe(60)}"
        with self._lock:
            self._refresh.add(token)
        return token

    def is_refresh(self, token: str) -> bool:
        """Tell whether ``token`` is a live refresh token."""
        with self._lock:
            return token in self._refresh

    def issue_code(self, redirect_uri: str) -> str:
        """Create a one-time authorization code bound to ``redirect_uri``."""
        code = f"aPrx{secrets.token_urlsafe(40)}"
        with self._lock:
            self._codes[code] = redirect_uri
        return code

    def redeem_code(self, code: str) -> str | None:
        """Consume ``code`` and return its redirect URI (None when unknown or used)."""
        with self._lock:
            return self._codes.pop(code, None)
