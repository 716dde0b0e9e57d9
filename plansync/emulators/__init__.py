"""Run local CRM servers on 127.0.0.1 that the real SDKs cannot tell from the cloud.

Connector tests, the demo and the benchmarks talk to these emulators over HTTPS with
the unmodified client libraries; faults are injected through their control API.
"""

from __future__ import annotations
