"""Serve a Salesforce emulator from the command line until SIGINT or SIGTERM.

Once listening it prints exactly one JSON line with what a client needs
(``crm``, ``url``, ``ca_file``, ``access_token``, ``client_id``, ``client_secret``,
``username``), so a parent process can read it and connect.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from plansync.emulators.salesforce.emulator import SalesforceEmulator


def build_parser() -> argparse.ArgumentParser:
    """Describe the command-line options."""
    parser = argparse.ArgumentParser(
        prog="plansync emulator salesforce",
        description="Run a local Salesforce emulator.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to bind (0: any free port)"
    )
    parser.add_argument(
        "--accounts", type=int, default=0, help="sample accounts to load"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample data")
    parser.add_argument(
        "--data", type=Path, default=None, help="JSON file of records to load"
    )
    parser.add_argument(
        "--session-ttl",
        type=float,
        default=7200.0,
        help="idle seconds before an access token expires",
    )
    parser.add_argument(
        "--api-limit", type=int, default=1_000_000, help="daily API request allocation"
    )
    parser.add_argument(
        "--bulk-job-polls",
        type=int,
        default=1,
        help="which status poll first finds a closed Bulk API 2.0 job complete",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="where TLS material and the JWT key are kept",
    )
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Start the emulator, announce it on stdout, serve until interrupted; return 0."""
    args = build_parser().parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    previous = {
        sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    emulator = SalesforceEmulator(
        accounts=args.accounts,
        seed=args.seed,
        data=args.data,
        session_ttl_s=args.session_ttl,
        daily_api_limit=args.api_limit,
        state_dir=args.state_dir,
        port=args.port,
        bulk_job_polls=args.bulk_job_polls,
    )
    try:
        emulator.start()
        announcement = {
            "crm": "salesforce",
            "url": emulator.url,
            "ca_file": str(emulator.ca_file),
            "access_token": emulator.access_token,
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "username": emulator.username,
        }
        print(json.dumps(announcement), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised through __main__.py
    sys.exit(run())
