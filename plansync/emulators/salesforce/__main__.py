"""Run ``python -m plansync.emulators.salesforce`` (same options as ``cli.run``)."""

from __future__ import annotations

import sys

from plansync.emulators.salesforce.cli import run

sys.exit(run(sys.argv[1:]))
