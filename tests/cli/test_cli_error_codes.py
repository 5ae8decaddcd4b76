"""``--json`` names every failure by its stable code, and the exit codes stay as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import CliRunner, make_runner

from runway_desktop.sandbox.server import Sandbox


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def map_file_args(samples_dir: Path) -> list[str]:
    return ["--bundle", "assessments/MAP_Growth", "--file",
            f"INPUT_FILE={samples_dir / 'MAP_Growth' / 'sample_anonymized_file.csv'}"]  # fmt: skip


def test_a_refusal_exits_3_with_its_code(cli: CliRunner, samples_dir: Path) -> None:
    target = ["--partner", "acme", "--tenant", "no-such-district", "--year", "2026"]
    result = cli("--json", "submit", *target, *map_file_args(samples_dir))
    assert result.code == 3
    error = result.json()["error"]
    assert error["code"] == "tenant_not_found" and error["category"] == "rejected"
    assert error["kind"] == "ValidationFailed"  # kept for scripts written against 0.1.0


def test_a_service_outage_exits_4_with_its_code(
    cli: CliRunner,
    sandbox: Sandbox,
    samples_dir: Path,
) -> None:
    sandbox.faults.set("token_down", {"status": 503})
    target = ["--partner", "acme", "--tenant", "district-a", "--year", "2026"]
    result = cli("--json", "submit", *target, *map_file_args(samples_dir))
    assert result.code == 4
    assert result.json()["error"]["code"] == "sign_in_unavailable"


def test_the_clis_own_failures_have_no_code(cli: CliRunner) -> None:
    result = cli("--json", "submit", "--partner", "acme")
    assert result.code == 2
    error = result.json()["error"]
    assert error["code"] is None and error["kind"] == "UsageError"
