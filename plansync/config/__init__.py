"""Read settings and playbooks from files and the environment."""

from __future__ import annotations
