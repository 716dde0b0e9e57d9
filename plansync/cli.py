"""The ``plansync`` command: parse, bootstrap, call, render, map errors to exit codes.

Every expected failure prints one line and exits with its family's code (2 for
bad input, 3 for a CRM, 4 for the state store); a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from plansync import __version__
from plansync.errors import PlansyncError, PlaybookError
from plansync.log import configure_logging, redact_text

if TYPE_CHECKING:
    from plansync.sync.engine import SyncEngine

EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in plansync, not in the input


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(level="debug" if args.debug else args.log_level)
    try:
        code: int = args.run(args)
    except PlaybookError as error:
        for issue in error.issues:
            print(issue, file=sys.stderr)
        return error.exit_code
    except PlansyncError as error:
        if args.debug:
            raise
        print(f"error: {redact_text(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the one catch-all: anything else is our bug
        if args.debug:
            raise
        message = redact_text(f"{type(error).__name__}: {error}")
        print(f"internal error: {message} (rerun with --debug)", file=sys.stderr)
        return EXIT_INTERNAL
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plansync", description="Account plans executed inside the CRM."
    )
    parser.add_argument(
        "--version", action="version", version=f"plansync {__version__}"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a playbook file")
    validate.add_argument("path", type=Path)
    validate.set_defaults(run=_validate)

    demo = commands.add_parser("demo", help="run a whole cycle on an embedded CRM")
    demo.add_argument("--accounts", type=_positive, default=500)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--playbooks", type=Path, default=None)
    demo.add_argument("--json", action="store_true", help="print one JSON object")
    demo.add_argument(
        "--crm",
        choices=["salesforce", "memory"],
        default="salesforce",
        help="the embedded CRM: the local Salesforce emulator (default) or in-memory",
    )
    demo.set_defaults(run=_demo)

    for name, run, summary in (
        ("plan", _plan, "show what apply would write (a dry run)"),
        ("apply", _apply, "write tasks and plan records to the CRM"),
        ("reconcile", _reconcile, "write compliance fields onto the accounts"),
    ):
        command = commands.add_parser(name, help=summary)
        command.add_argument(
            "--config",
            type=Path,
            default=None,
            help="settings file (TOML); the environment overrides it",
        )
        command.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="the day to plan for (default: today in the playbooks' zone)",
        )
        command.set_defaults(run=run)

    emulator = commands.add_parser("emulator", help="run a local CRM API emulator")
    emulator.add_argument("crm", choices=["salesforce"])
    emulator.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        help="--port P --accounts N --seed S --data FILE ...",
    )
    emulator.set_defaults(run=_emulator)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def _validate(args: argparse.Namespace) -> int:
    from plansync.config.playbooks import load_playbooks

    playbooks = load_playbooks(args.path)
    activities = sum(len(s.activities) for s in playbooks.segments)
    segments = len(playbooks.segments)
    print(f"{args.path}: valid: {segments} segments, {activities} activities")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from plansync.bootstrap import playbooks_from, today_in
    from plansync.demo import run_demo

    playbooks = playbooks_from(args.playbooks)
    today = today_in(playbooks, datetime.now(UTC))
    result = run_demo(
        playbooks, accounts=args.accounts, seed=args.seed, today=today, crm=args.crm
    )
    if args.json:
        print(json.dumps(result.as_json(), indent=2, sort_keys=False))
        return 0
    from plansync.render import render_demo

    render_demo(result, Console())
    return 0


def _engine_for(args: argparse.Namespace) -> tuple[SyncEngine, date]:
    from plansync.bootstrap import build_engine, connector_for, playbooks_from, today_in
    from plansync.config.settings import load_settings

    settings = load_settings(args.config)
    configure_logging(level="debug" if args.debug else settings.log_level)
    playbooks = playbooks_from(settings.playbooks)
    as_of = args.as_of or today_in(playbooks, datetime.now(UTC))
    return build_engine(connector_for(settings), playbooks, as_of=as_of), as_of


def _plan(args: argparse.Namespace) -> int:
    from plansync.render import render_run_plan

    engine, as_of = _engine_for(args)
    render_run_plan(engine.plan(as_of=as_of), Console())
    return 0


def _apply(args: argparse.Namespace) -> int:
    from plansync.render import render_run_plan

    engine, as_of = _engine_for(args)
    run = engine.plan(as_of=as_of)
    console = Console()
    render_run_plan(run, console)
    report = engine.apply(run)
    counts = report.as_dict()
    console.print("Applied: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    for failure in report.failures[:20]:
        console.print(f"  failed {failure.key}: {failure.error_code} {failure.error}")
    return 0 if not report.failures else 1


def _reconcile(args: argparse.Namespace) -> int:
    engine, as_of = _engine_for(args)
    rows = engine.reconcile(as_of=as_of)
    planned = sum(r.planned_to_date for r in rows)
    done = sum(r.done_to_date for r in rows)
    print(f"reconciled {len(rows)} accounts as of {as_of}: {done} of {planned} done")
    return 0


def _emulator(args: argparse.Namespace) -> int:
    from plansync.emulators.salesforce.cli import run

    return run(args.rest)


if __name__ == "__main__":
    sys.exit(main())
