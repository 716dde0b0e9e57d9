"""Talk to CRMs: one Protocol, one module per CRM, canonical models at the edge."""

from __future__ import annotations
