"""Benchmark the Salesforce connector on the emulator: API calls, wall and CPU time.

The emulator runs in its own process (``python -m plansync.emulators.salesforce``),
so the CPU time printed is plansync's alone: planning, mapping, CSV and JSON work
on the client side. Three scenarios on N accounts with 16 planned tasks each:

(a) the first apply (pull, plan, apply) with Bulk API 2.0 above the threshold;
(b) a rerun with nothing changed: its pull reads back what (a) wrote;
(b') one more rerun with nothing changed: the steady state;
(c) the same first apply on a fresh org with Bulk disabled (collections only).

(a), (b) and (b') share one replica, as runs sharing a state store would, so
(b) and (b') pull only the changes since the run before.

Targets: (a) ≤ 30 API calls; (b) ≤ 5 calls and no writes;
(c) ≤ 1.02 * ⌈writes / 200⌉ + read calls.

    .venv/bin/python bench/salesforce.py [--accounts N]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import requests
from pydantic import SecretStr

from plansync.bootstrap import work_calendar
from plansync.config.playbooks import load_playbooks
from plansync.config.settings import SalesforceSettings
from plansync.connectors.salesforce import SalesforceConnector
from plansync.planning.playbooks import PlaybookSet
from plansync.retry import RetryPolicy
from plansync.sync.engine import SyncEngine
from plansync.sync.replica import Replica

AS_OF = date(2026, 1, 2)
PLAYBOOK = """\
version: 1
plan_year:
  fiscal_start_month: 1
  timezone: Europe/Helsinki
  working_days: [mon, tue, wed, thu, fri]
  holidays: FI
segments:
  - name: everyone
    when: {always: true}
    activities:
      - id: meeting
        kind: meeting
        per_year: 4
        subject: "Customer meeting {period.label}: {account.name}"
        effort_hours: 2
      - id: call
        kind: call
        every: month
        subject: "Monthly call {period.label}: {account.name}"
        effort_hours: 1
"""
READ_ENDPOINTS = (
    "GET query",
    "GET queryAll",
    "POST composite",
    "POST jobs/query",
    "GET jobs/query",
)


@dataclass
class Emulator:
    """A running emulator process and how to reach it."""

    process: subprocess.Popen[str]
    info: dict[str, Any]
    session: requests.Session

    def control(self, method: str, path: str, body: object = None) -> Any:  # noqa: ANN401  # JSON
        """Call the emulator's control API."""
        url = f"{self.info['url']}/__emulator/{path}"
        response = self.session.request(method, url, json=body, timeout=600)
        response.raise_for_status()
        return response.json()


@contextmanager
def emulator(accounts: int) -> Iterator[Emulator]:
    """Start the emulator in a subprocess and read its announcement line."""
    command = [
        sys.executable,
        "-m",
        "plansync.emulators.salesforce",
        "--port",
        "0",
        "--accounts",
        str(accounts),
        "--seed",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603  # our own module, fixed arguments
    try:
        if process.stdout is None:
            raise RuntimeError("the emulator process has no stdout")
        info = json.loads(process.stdout.readline())
        session = requests.Session()
        session.trust_env = False
        session.verify = info["ca_file"]
        with session:
            yield Emulator(process, info, session)
    finally:
        process.terminate()
        process.wait(timeout=30)


def connector(emu: Emulator, *, bulk_threshold: int) -> SalesforceConnector:
    """Return a token-flow connector on the emulator."""
    settings = SalesforceSettings(
        auth="token",
        instance_url=emu.info["url"],
        ca_file=Path(emu.info["ca_file"]),
        access_token=SecretStr(emu.info["access_token"]),
        bulk_threshold=bulk_threshold,
    )
    return SalesforceConnector(settings, retry=RetryPolicy(), bulk_wait_s=0.0)


def scenario(
    name: str,
    emu: Emulator,
    sf: SalesforceConnector,
    playbooks: PlaybookSet,
    replica: Replica,
) -> dict[str, Any]:
    """Plan and apply once; return calls by endpoint, writes, wall and CPU time.

    ``replica`` is what earlier runs read of this org (the engine's state store).
    """
    calendar = work_calendar(playbooks, [AS_OF.year])
    engine = SyncEngine(sf, playbooks, calendar, replica=replica)
    emu.control("POST", "reset")
    wall, cpu = time.perf_counter(), time.process_time()
    run = engine.plan(as_of=AS_OF)
    pulled = emu.control("GET", "stats")["total"]
    report = engine.apply(run)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = emu.control("GET", "stats")
    endpoints: dict[str, int] = stats["by_endpoint"]
    reads = sum(n for e, n in endpoints.items() if e.startswith(READ_ENDPOINTS))
    print(f"\n({name})")
    print(f"  planned tasks {len(run.plan.tasks):,}, applied {report.as_dict()}")
    print(
        f"  API calls {stats['total']} (pull {pulled}, apply {stats['total'] - pulled})"
    )
    for endpoint, count in endpoints.items():
        print(f"    {endpoint:<28} {count:>6}")
    print(f"  records written {stats['writes']:,}; read calls {reads}")
    print(f"  wall {wall:.1f} s, plansync CPU {cpu:.1f} s")
    return {"calls": stats["total"], "writes": stats["writes"], "reads": reads}


def main() -> None:
    """Run the three scenarios and check the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "playbooks.yaml"
        path.write_text(PLAYBOOK, encoding="utf-8")
        playbooks = load_playbooks(path)
    started = time.perf_counter()
    with emulator(args.accounts) as emu:
        print(
            f"emulator with {args.accounts:,} accounts up in "
            f"{time.perf_counter() - started:.1f} s at {emu.info['url']}"
        )
        with connector(emu, bulk_threshold=2000) as sf:
            replica = Replica()
            first = scenario(
                "a: first apply, Bulk above 2,000", emu, sf, playbooks, replica
            )
            rerun = scenario("b: rerun, nothing changed", emu, sf, playbooks, replica)
            steady = scenario(
                "b': rerun again, nothing changed", emu, sf, playbooks, replica
            )
        emu.control("POST", "reset", {"data": True})
        with connector(emu, bulk_threshold=10**9) as sf:
            plain = scenario(
                "c: first apply, Bulk disabled", emu, sf, playbooks, Replica()
            )
    bound = 1.02 * math.ceil(plain["writes"] / 200) + plain["reads"]
    print("\ntargets")
    print(f"  (a) {first['calls']} calls <= 30: {first['calls'] <= 30}")
    print(
        f"  (b) {rerun['calls']} calls <= 5 and {rerun['writes']} writes == 0: "
        f"{rerun['calls'] <= 5 and rerun['writes'] == 0}"
    )
    print(
        f"  (b') {steady['calls']} calls <= 5 and {steady['writes']} writes == 0: "
        f"{steady['calls'] <= 5 and steady['writes'] == 0}"
    )
    print(f"  (c) {plain['calls']} calls <= {bound:.1f}: {plain['calls'] <= bound}")


if __name__ == "__main__":
    main()
