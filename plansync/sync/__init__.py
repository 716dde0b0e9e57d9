"""Run plansync against a CRM: pull, plan, diff, push, reconcile."""

from __future__ import annotations
