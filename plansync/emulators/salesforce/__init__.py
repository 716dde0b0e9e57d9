"""Emulate a Salesforce org locally: REST, SOQL, Collections, Composite, Bulk, OAuth.

The public entry point is ``SalesforceEmulator``; ``cli.run(argv)`` serves one from the
command line. docs/salesforce.md (the shared wire reference) is the specification.
"""

from __future__ import annotations

from plansync.emulators.salesforce.emulator import SalesforceEmulator

__all__ = ["SalesforceEmulator"]
