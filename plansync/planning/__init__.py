"""Decide what should exist in the CRM: pure functions over canonical models, no I/O."""

from __future__ import annotations
