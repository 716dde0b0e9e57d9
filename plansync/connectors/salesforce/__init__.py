"""Keep plansync's records in a Salesforce org, through simple-salesforce.

One module a job: ``auth`` (login flows), ``api`` (calls, retries, one error
translation point in ``errors``), ``soql`` (query text), ``reads`` and
``mapping`` (records to canonical models), ``payloads`` and ``writes`` (canonical
writes to Collections or Bulk API 2.0 through ``ingest`` and ``bulk_csv``),
``plans`` (plan and stakeholder records), ``schema`` and ``metadata`` (the fields
the package declares), and ``connector``, the ``CRMConnector`` tying them together.
"""

from __future__ import annotations

from plansync.connectors.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]
