"""Serve the emulator over HTTPS on 127.0.0.1 with a threaded HTTP/1.1 server.

Keep-alive (HTTP/1.1 with Content-Length on every response) and TCP_NODELAY keep a
requests session on one TLS connection without Nagle stalls; the TLS handshake runs
in the connection's thread so a slow client never blocks the accept loop.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from plansync.emulators.salesforce.app import App
from plansync.emulators.salesforce.http import Request, Response, json_response

_LOG = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: EmulatorServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        body = self._read_body()
        req = Request.build(self.command, self.path, dict(self.headers.items()), body)
        try:
            response = self.server.app.handle(req)
        except Exception:  # noqa: BLE001 -- a server answers 500 instead of dropping the connection
            _LOG.exception("emulator handler failed for %s %s", self.command, self.path)
            response = json_response(
                500,
                [
                    {
                        "message": "An unexpected error occurred.",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
            )
        self._write(response)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep request logs off stderr."""
        del format, args

    def date_time_string(self, timestamp: float | None = None) -> str:
        """Date the response by the org's clock, like its modification stamps.

        The clock hands out strictly increasing stamps and so runs ahead of the
        wall clock after a burst of writes; a real org never stamps a record
        later than the ``Date`` it answers with, and clients rely on that.
        """
        if timestamp is None:
            timestamp = self.server.app.store.clock.latest().timestamp()
        return formatdate(timestamp, usegmt=True)


class EmulatorServer(ThreadingHTTPServer):
    """A threaded HTTPS server bound to 127.0.0.1."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, port: int, cert: Path, key: Path) -> None:
        """Bind to ``127.0.0.1:port`` (0 picks a free port) and load the certificate."""
        super().__init__(("127.0.0.1", port), _Handler)
        self.app = app
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(str(cert), str(key))
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the bound port."""
        return int(self.server_address[1])

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection and wrap it in TLS (handshake deferred to its thread)."""
        sock, address = super().get_request()
        wrapped = self.context.wrap_socket(
            sock, server_side=True, do_handshake_on_connect=False
        )
        return wrapped, address

    def finish_request(
        self,
        request: socket.socket | tuple[bytes, socket.socket],
        client_address: object,
    ) -> None:
        """Complete the TLS handshake, then serve the connection."""
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(
        self,
        request: socket.socket | tuple[bytes, socket.socket],
        client_address: object,
    ) -> None:
        """Ignore clients that go away; log anything else."""
        del request, client_address
        _LOG.debug("emulator connection error", exc_info=True)

    def start(self) -> None:
        """Serve in a daemon thread."""
        self.thread = threading.Thread(
            target=self.serve_forever, name="salesforce-emulator", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.shutdown()
        self.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)
