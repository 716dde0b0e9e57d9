from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from plansync.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "playbooks.yaml"


class TestDemo:
    def test_json_reports_segments_and_an_idempotent_second_apply(self, capsys):
        """The demo's JSON lists each segment and a second apply that writes nothing."""
        assert 0 == main(["demo", "--accounts", "200", "--seed", "3", "--json"])
        report = json.loads(capsys.readouterr().out)
        assert {"A", "B", "C"} == set(report["segments"])
        assert {
            "create": 0,
            "update": 0,
            "withdraw": 0,
            "plan_create": 0,
            "plan_update": 0,
            "failed": 0,
        } == report["second_apply"]
        created = sum(s["tasks_created"] for s in report["segments"].values())
        assert created == report["first_apply"]["create"] > 0
        for segment in report["segments"].values():
            assert segment["tasks_created"] == segment["tasks_planned_year"]
            assert 0 <= segment["compliance"]["percent"] <= 100
        assert report["drift_after_edits"] == report["rep_work"]["edited"]

    def test_same_seed_same_figures(self, capsys):
        """Two runs with one seed print identical JSON."""
        main(["demo", "--accounts", "50", "--seed", "9", "--json"])
        first = capsys.readouterr().out
        main(["demo", "--accounts", "50", "--seed", "9", "--json"])
        assert first == capsys.readouterr().out

    def test_emulator_and_memory_plan_the_same_work(self, capsys):
        """The Salesforce emulator and the in-memory CRM plan and create alike."""
        reports = {}
        for crm in ("salesforce", "memory"):
            main(["demo", "--accounts", "120", "--seed", "5", "--json", "--crm", crm])
            reports[crm] = json.loads(capsys.readouterr().out)
        assert "salesforce" == reports["salesforce"]["crm"]
        for key in ("first_apply", "second_apply", "rep_work", "drift_after_edits"):
            assert reports["memory"][key] == reports["salesforce"][key]
        planned = {
            crm: {k: v["tasks_planned_year"] for k, v in r["segments"].items()}
            for crm, r in reports.items()
        }
        assert planned["memory"] == planned["salesforce"]

    def test_custom_playbooks(self, tmp_path, capsys):
        """--playbooks runs the demo with the given file."""
        path = tmp_path / "one.yaml"
        path.write_text(
            "version: 1\nsegments:\n  - name: All\n    when: {always: true}\n"
            "    activities:\n      - id: call\n        kind: call\n"
            "        every: quarter\n"
            '        subject: "Call {period.label}"\n'
        )
        assert 0 == main(
            ["demo", "--accounts", "30", "--playbooks", str(path), "--json"]
        )
        report = json.loads(capsys.readouterr().out)
        assert {"All": 30 * 4} == {
            k: v["tasks_planned_year"] for k, v in report["segments"].items()
        }

    def test_human_summary(self, capsys):
        """Without --json the demo prints the story and the compliance tables."""
        assert 0 == main(["demo", "--accounts", "40"])
        out = capsys.readouterr().out
        for text in (
            "1. plan",
            "2. apply",
            "apply again: 0 writes",
            "Compliance by segment",
            "Compliance by owner",
            "Strategic share",
        ):
            assert text in out

    def test_console_script_runs(self):
        """The installed `plansync` entry point runs the demo in a fresh process."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "plansync.cli",
                "demo",
                "--accounts",
                "20",
                "--json",
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            timeout=120,
        )
        assert 0 == done.returncode, done.stderr
        assert 20 == json.loads(done.stdout)["accounts"]


class TestBadInput:
    def test_validate_valid_file(self, capsys):
        """A valid playbook gets a one-line summary and exit 0."""
        assert 0 == main(["validate", str(EXAMPLE)])
        assert capsys.readouterr().out.strip().endswith("activities")

    def test_validate_invalid_file(self, tmp_path, capsys):
        """An invalid playbook prints path:line:col: field: message and exits 2."""
        path = tmp_path / "bad.yaml"
        path.write_text(
            "version: 1\nsegments:\n  - name: A\n    when: {always: true}\n"
            "    activities:\n      - id: c\n        kind: call\n"
            "        every: monthy\n        subject: x\n"
        )
        assert 2 == main(["validate", str(path)])
        err = capsys.readouterr().err
        assert err.startswith(f"{path}:8:16: segments[0].activities[0].every: ")
        assert "month" in err

    def test_missing_playbook_file(self, tmp_path, capsys):
        """A playbook path that does not exist exits 2 with no traceback."""
        assert 2 == main(["demo", "--playbooks", str(tmp_path / "nope.yaml")])
        err = capsys.readouterr().err
        assert "nope.yaml" in err
        assert "Traceback" not in err

    @pytest.mark.parametrize(
        "args",
        [["demo", "--accounts", "0"], ["demo", "--accounts", "x"], ["frobnicate"]],
    )
    def test_bad_arguments_exit_2(self, args, capsys):
        """Bad arguments exit 2 with a usage message."""
        with pytest.raises(SystemExit) as caught:
            main(args)
        assert 2 == caught.value.code
        assert "usage" in capsys.readouterr().err


class TestAgainstTheEmulator:
    def test_plan_apply_reconcile_on_a_salesforce_org(self, monkeypatch, capsys):
        """The plan shows creates, apply writes them, then a second plan is empty."""
        from plansync.emulators.salesforce import SalesforceEmulator

        with SalesforceEmulator(accounts=30, seed=4) as emu:
            token = emu.access_token
            monkeypatch.setenv("PLANSYNC_CRM", "salesforce")
            monkeypatch.setenv("PLANSYNC_PLAYBOOKS", str(EXAMPLE))
            monkeypatch.setenv("PLANSYNC_SALESFORCE_AUTH", "token")
            monkeypatch.setenv("PLANSYNC_SALESFORCE_INSTANCE_URL", emu.url)
            monkeypatch.setenv("PLANSYNC_SALESFORCE_CA_FILE", str(emu.ca_file))
            monkeypatch.setenv("PLANSYNC_SALESFORCE_ACCESS_TOKEN", token)
            assert 0 == main(["plan", "--as-of", "2026-03-02"])
            planned = capsys.readouterr().out
            assert 0 == main(["apply", "--as-of", "2026-03-02"])
            capsys.readouterr()
            assert 0 == main(["plan", "--as-of", "2026-03-02"])
            again = capsys.readouterr().out
            assert 0 == main(["reconcile", "--as-of", "2026-03-02"])
            reconciled = capsys.readouterr().out
        assert planned.startswith("Tasks: ")
        assert not planned.startswith("Tasks: 0 ")
        assert "Tasks: 0 to create, 0 to update, 0 to withdraw" in again
        assert reconciled.startswith("reconciled 30 accounts as of 2026-03-02")
        assert token not in planned + again + reconciled

    def test_memory_crm_is_refused_outside_the_demo(self, monkeypatch, capsys):
        """Crm = memory cannot back plan/apply; the error says what to do."""
        monkeypatch.setenv("PLANSYNC_CRM", "memory")
        monkeypatch.setenv("PLANSYNC_PLAYBOOKS", str(EXAMPLE))
        assert 2 == main(["plan"])
        assert "plansync demo" in capsys.readouterr().err
