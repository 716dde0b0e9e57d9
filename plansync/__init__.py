"""Keep account plans and their execution inside the CRM."""

from __future__ import annotations

__version__ = "0.1.0"
