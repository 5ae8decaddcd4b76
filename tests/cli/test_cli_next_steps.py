"""Issue 13, "The CLI": each next step it prints is something the CLI has, tried on the sandbox.

The sign-in error names a command (not Settings); a client with no partner fails `profile test`;
a client without create:jobs is stopped before anything is sent; `outputs list --bundle STAR`
says "did you mean"; a bad `--year` is a usage error naming the expected form.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import (
    TARGET,
    CliRunner,
    inject,
    make_runner,
    star_file_args,
    write_profile,
)

from runway_desktop.cli.connection import registry
from runway_desktop.cli.lookups import school_year_argument
from runway_desktop.cli.output import CommandFailure
from runway_desktop.sandbox.server import Sandbox

GUI_ONLY = ("Settings", "screen", "button", "click", "Browse", "Output sets", "highlighted")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


def use_client(cli: CliRunner, sandbox: Sandbox, tmp_path: Path, client: str, secret: str) -> None:
    cli.profile_file = write_profile(
        sandbox, tmp_path / f"{client}.json", client_id=client, client_secret=secret, scopes=""
    )
    cli.secret = secret


def assert_cli_words(text: str) -> None:
    for word in GUI_ONLY:
        assert word not in text, (word, text)


def test_sign_in_error_names_the_profile_commands_not_settings(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    cli.profile_file = write_profile(sandbox, tmp_path / "bad.json", client_secret="wrong")
    cli.secret = "wrong"
    result = cli("profile", "test")
    assert result.code == 3, result.err
    assert "did not accept the client id or secret" in result.err
    assert "runway-desktop-cli profile add NAME --api-url URL" in result.err
    assert "--profile-file" in result.err
    assert_cli_words(result.err)
    as_json = cli("--json", "profile", "test").json()["error"]
    assert "profile remove NAME" in as_json["next_step"] and "Settings" not in as_json["next_step"]


def test_profile_test_with_no_partner_scope_fails_in_the_cores_words(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    use_client(cli, sandbox, tmp_path, "no-partner", "no-partner-secret")
    result = cli("profile", "test")
    assert result.code == 3, result.err
    assert "Error: Signed in, but this client may not act for any partner" in result.err
    assert "What to do: Ask your Runway administrator to add a partner:<code> scope" in result.err
    assert_cli_words(result.err)


def test_profile_test_of_a_working_client_still_passes(cli: CliRunner) -> None:
    result = cli("profile", "test")
    assert result.code == 0, result.err
    assert "Connected to Runway." in result.out


def test_a_client_without_create_jobs_is_stopped_before_anything_is_sent(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path, samples_dir: Path
) -> None:
    use_client(cli, sandbox, tmp_path, "read-only", "read-only-secret")
    # The witness: any /api/v1 request would fire (and use up) this one-shot 500.
    sandbox.faults.set("api_error", {"status": 500, "count": 1})
    star = ["--partner", "acme", "--tenant", "district-a", "--year", "2024"]
    result = cli(
        "--json", "submit", *star, "--bundle", "assessments/STAR", *star_file_args(samples_dir)
    )
    assert result.code == 3, result.err
    error = result.json()["error"]
    assert error["code"] == "insufficient_scopes"
    assert "create:jobs" in error["message"] and "Nothing was sent" in error["message"]
    assert error["next_step"] == (
        "Ask your Runway administrator to add the create:jobs scope to the client read-only."
    )
    assert "status" not in result.json()  # refused here, not by Runway
    assert sandbox.faults.peek("api_error") is not None  # no request reached the API
    assert sandbox.call(lambda: len(sandbox.server.state.jobs)) == 0


def test_outputs_list_bundle_without_its_folder_says_did_you_mean(
    cli: CliRunner, sandbox: Sandbox
) -> None:
    inject(sandbox, bundle="assessments/STAR")
    result = cli("outputs", "list", "--partner", "acme", "--bundle", "STAR")
    assert result.code == 2, result.err
    assert "There is no assessment 'STAR' in the bundle registry." in result.err
    assert "Did you mean assessments/STAR" in result.err
    assert "No output sets" not in result.out + result.err
    # The full path lists the set; a path unlike any in the registry is left to Runway.
    assert cli("outputs", "list", "--partner", "acme", "--bundle", "assessments/STAR").code == 0
    unknown = cli("outputs", "list", "--partner", "acme", "--bundle", "assessments/Zzyzx")
    assert unknown.code == 0, unknown.err


def test_submit_bundle_without_its_folder_says_did_you_mean(
    cli: CliRunner, samples_dir: Path
) -> None:
    result = cli("submit", *TARGET, "--bundle", "star", *star_file_args(samples_dir))
    assert result.code == 2, result.err
    assert "Did you mean assessments/STAR" in result.err


@pytest.mark.parametrize("year", ["26", "2025-26"])
def test_a_bad_year_is_a_usage_error_before_any_check(
    cli: CliRunner, samples_dir: Path, year: str
) -> None:
    target = ["--partner", "acme", "--tenant", "district-a", "--year", year]
    result = cli("submit", *target, "--bundle", "assessments/STAR", *star_file_args(samples_dir))
    assert result.code == 2, result.err
    assert "Checking files" not in result.err
    assert f"--year '{year}'" in result.err and "2026 for 2025" in result.err


@pytest.mark.parametrize("year", ["26", "2025-26", " ", "２０２６"])
def test_the_year_rule_the_cli_checks_before_submitting(year: str) -> None:
    bundle = registry().get("assessments/STAR")
    assert bundle is not None
    with pytest.raises(CommandFailure) as caught:
        school_year_argument(bundle, year)
    failure = caught.value
    assert failure.exit_code == 2 and failure.message.startswith(f"--year {year!r}: ")
    assert "2026 for 2025" in failure.next_step
    assert school_year_argument(bundle, "2026") == "2026"
