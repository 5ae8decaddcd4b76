"""``--json`` names every failure by its stable code, and the exit codes stay as documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import MAP_GROWTH_CSV, CliRunner, make_runner

from runway_desktop.sandbox.server import Sandbox


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def map_file_args(folder: Path) -> list[str]:
    """A MAP Growth file of the year these tests send (2025–26): nothing to accept."""
    path = folder / "map_growth_2025-26.csv"
    path.write_bytes(MAP_GROWTH_CSV)
    return ["--bundle", "assessments/MAP_Growth", "--file", f"INPUT_FILE={path}"]


def test_a_refusal_exits_3_with_its_code(cli: CliRunner, tmp_path: Path) -> None:
    target = ["--partner", "acme", "--tenant", "no-such-district", "--year", "2026"]
    result = cli("--json", "submit", *target, *map_file_args(tmp_path))
    assert result.code == 3
    error = result.json()["error"]
    assert error["code"] == "tenant_not_found" and error["category"] == "rejected"
    assert error["kind"] == "ValidationFailed"  # kept for scripts written against 0.1.0


def test_a_service_outage_exits_4_with_its_code(
    cli: CliRunner,
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    sandbox.faults.set("token_down", {"status": 503})
    target = ["--partner", "acme", "--tenant", "district-a", "--year", "2026"]
    result = cli("--json", "submit", *target, *map_file_args(tmp_path))
    assert result.code == 4
    assert result.json()["error"]["code"] == "sign_in_unavailable"


def test_the_clis_own_failures_have_no_code(cli: CliRunner) -> None:
    result = cli("--json", "submit", "--partner", "acme")
    assert result.code == 2
    error = result.json()["error"]
    assert error["code"] is None and error["kind"] == "UsageError"
