"""The command-line runner prints one JSON line and serves until terminated."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce

pytestmark = pytest.mark.emulator


class TestCli:
    def test_prints_connection_line_and_serves(self):
        """`python -m plansync.emulators.salesforce` prints a JSON line, then serves."""
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "plansync.emulators.salesforce",
                "--port",
                "0",
                "--accounts",
                "3",
                "--seed",
                "2",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            announced = json.loads(process.stdout.readline())
            with requests.Session() as http:
                http.trust_env = False
                http.verify = announced["ca_file"]
                sf: Any = Salesforce(
                    session_id=announced["access_token"],
                    instance_url=announced["url"],
                    session=http,
                    version="59.0",
                )
                total = sf.query("SELECT COUNT() FROM Account")["totalSize"]
        finally:
            process.terminate()
            code = process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
        assert [
            "access_token",
            "ca_file",
            "client_id",
            "client_secret",
            "crm",
            "url",
            "username",
        ] == sorted(announced)
        assert ("salesforce", 3, 0) == (announced["crm"], total, code)
