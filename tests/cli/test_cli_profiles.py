"""``profile add | list | remove | test``, choosing a connection, and the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from helpers_keyring import MemoryKeyring
from test_cli import CliRunner, assert_no_credentials, make_runner, write_profile

from runway_desktop.cli.connection import SECRET_ENV_VAR
from runway_desktop.sandbox.server import Sandbox

CLI_EXECUTABLE = Path(sys.executable).with_name("runway-desktop-cli")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sandbox: Sandbox, tmp_path: Path) -> CliRunner:
    return make_runner(capsys, sandbox, tmp_path)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A working keyring for this test only (conftest forces the null backend)."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def add_args(sandbox: Sandbox, name: str = "district", *extra: str) -> list[str]:
    profile = sandbox.profile
    return [
        "profile", "add", name, "--api-url", str(profile["api_base_url"]),
        "--token-url", str(profile["token_url"]), "--client-id", str(profile["client_id"]),
        "--scopes", str(profile["scopes"]), *extra,
    ]  # fmt: skip


def test_add_list_remove_without_a_keyring_says_the_secret_is_not_kept(
    cli: CliRunner, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV_VAR, cli.secret)
    added = cli(*add_args(sandbox), use_profile_file=False)
    assert added.code == 0, added.err
    assert "NOT its client secret" in added.err and SECRET_ENV_VAR in added.err

    listed = cli("--json", "profile", "list", use_profile_file=False)
    [entry] = listed.json()
    assert entry["name"] == "district" and entry["secret_saved"] is False
    table = cli("profile", "list", use_profile_file=False)
    assert "district" in table.out and "No system keyring" in table.err

    # With the secret in the environment, the saved profile works (it is the only one).
    works = cli("outputs", "list", "--partner", "acme", use_profile_file=False)
    assert works.code == 0, works.err

    monkeypatch.delenv(SECRET_ENV_VAR)
    no_secret = cli("outputs", "list", "--partner", "acme", use_profile_file=False)
    assert no_secret.code == 2 and SECRET_ENV_VAR in no_secret.err

    removed = cli("profile", "remove", "district", use_profile_file=False)
    assert removed.code == 0
    assert cli("--json", "profile", "list", use_profile_file=False).json() == []
    gone = cli("profile", "remove", "district", use_profile_file=False)
    assert gone.code == 2


def test_secret_round_trips_through_the_keyring(
    cli: CliRunner,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.setenv(SECRET_ENV_VAR, cli.secret)
    added = cli(*add_args(sandbox, "district", "--partner", "acme"), use_profile_file=False)
    assert added.code == 0 and "in the keyring" in added.err
    assert list(memory_keyring.store.values()) == [cli.secret]
    monkeypatch.delenv(SECRET_ENV_VAR)

    listed = cli("--profile", "district", "outputs", "list", "--json", use_profile_file=False)
    assert listed.code == 0, listed.err  # secret from the keyring, partner from the profile
    tested = cli("profile", "test", "district", use_profile_file=False)
    assert tested.code == 0 and "Can send files for: acme, ea" in tested.out

    cli("profile", "remove", "district", use_profile_file=False)
    assert memory_keyring.store == {}


def test_add_without_a_secret_and_no_terminal_is_a_usage_error(
    cli: CliRunner, sandbox: Sandbox
) -> None:
    result = cli(*add_args(sandbox), use_profile_file=False)
    assert result.code == 2 and SECRET_ENV_VAR in result.err
    assert cli("--json", "profile", "list", use_profile_file=False).json() == []


def test_add_refuses_a_bad_url_and_a_duplicate_name(
    cli: CliRunner, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV_VAR, cli.secret)
    bad = cli(
        "profile", "add", "x", "--api-url", "runway.example.org", "--token-url",
        "https://idp.example.org/token", "--client-id", "c", use_profile_file=False,
    )  # fmt: skip
    assert bad.code == 2 and "https://" in bad.err
    assert cli(*add_args(sandbox), use_profile_file=False).code == 0
    again = cli(*add_args(sandbox), use_profile_file=False)
    assert again.code == 2 and "already exists" in again.err


def test_choosing_a_connection(
    cli: CliRunner, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    none_saved = cli("outputs", "list", use_profile_file=False)
    assert none_saved.code == 2 and "profile add" in none_saved.err

    monkeypatch.setenv(SECRET_ENV_VAR, cli.secret)
    cli(*add_args(sandbox, "one"), use_profile_file=False)
    cli(*add_args(sandbox, "two"), use_profile_file=False)
    several = cli("outputs", "list", use_profile_file=False)
    assert several.code == 2 and "one, two" in several.err and "--profile" in several.err
    unknown = cli("--profile", "three", "outputs", "list", use_profile_file=False)
    assert unknown.code == 2 and "three" in unknown.err


def test_profile_test_lists_partners_and_missing_scopes(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    full = cli("profile", "test")
    assert full.code == 0
    assert "Connected to Runway." in full.out and "Can send files for: acme, ea" in full.out

    cli.profile_file = write_profile(
        sandbox, tmp_path / "read-only.json", client_id="read-only",
        client_secret="read-only-secret", scopes="",
    )  # fmt: skip
    cli.secret = "read-only-secret"
    limited = cli("--json", "profile", "test")
    assert limited.code == 0, limited.err
    report = limited.json()
    assert report["partners"] == ["acme"] and report["verified_by_runway"] is False
    assert report["missing_scopes"] == ["create:jobs"]


def test_profile_test_fails_for_a_client_with_no_partner(
    cli: CliRunner, sandbox: Sandbox, tmp_path: Path
) -> None:
    # Signing in works, but a client with no partner scope can do nothing: not a pass.
    cli.profile_file = write_profile(
        sandbox, tmp_path / "no-partner.json", client_id="no-partner",
        client_secret="no-partner-secret", scopes="",
    )  # fmt: skip
    cli.secret = "no-partner-secret"
    result = cli("--json", "profile", "test")
    assert result.code == 3, result.err
    assert result.json()["ok"] is False and result.json()["partners"] == []
    assert "partner:<code>" in result.err


def test_wrong_secret_from_the_environment_exits_3(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV_VAR, "not-the-secret")  # the environment wins over the file
    result = cli("profile", "test")
    assert result.code == 3


# --- the installed entry point, as a real process -----------------------------------------------


def run_process(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNWAY_DESKTOP_HOME": str(home)}
    env.pop(SECRET_ENV_VAR, None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_console_script_help_documents_the_exit_codes(isolated_home: Path) -> None:
    done = run_process([str(CLI_EXECUTABLE), "--help"], isolated_home)
    assert done.returncode == 0
    assert "exit codes:" in done.stdout and "130" in done.stdout


def test_module_entry_point_lists_and_fails_like_the_in_process_main(
    cli: CliRunner, sandbox: Sandbox, isolated_home: Path
) -> None:
    base = [sys.executable, "-m", "runway_desktop.cli", "--profile-file", str(cli.profile_file)]
    uid = sandbox.inject_output_sets(
        partner="ea", tenant="tenant1", school_year="2026", bundle="assessments/STAR",
        count=1, sent_to_ods=True, files={"s.jsonl": b"{}\n"},
    )[0]  # fmt: skip
    listed = run_process([*base, "outputs", "list", "--partner", "ea", "--json"], isolated_home)
    assert listed.returncode == 0, listed.stderr
    assert [entry["uid"] for entry in json.loads(listed.stdout)] == [uid]

    usage = run_process([*base, "submit", "--tenant", "t"], isolated_home)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    for done in (listed, usage):
        assert_no_credentials(done.stdout + done.stderr, str(sandbox.profile["client_secret"]))
