"""``runway-desktop --self-test``: each check, the report, the exit code, the Qt part."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from helpers_keyring import MemoryKeyring

from runway_desktop import __version__, selftest
from runway_desktop.base.selftest_report import Check, Status
from runway_desktop.ui import selftest_qt

REPO = Path(__file__).resolve().parents[2]


def test_lines_read_like_the_support_example() -> None:
    assert Check("registry", Status.OK, "42 assessments").line() == "registry: ok (42 assessments)"
    assert Check("stylesheet", Status.OK).line() == "stylesheet: ok"
    assert (
        Check("keyring", Status.WARNING, "no usable keyring").line()
        == "keyring: no usable keyring — warning, not failure"
    )
    assert Check("sandbox available", Status.OK, "x", "yes").line() == "sandbox available: yes (x)"
    assert (
        Check("sandbox available", Status.WARNING, "aiohttp not in this build", "no").line()
        == "sandbox available: no, aiohttp not in this build — warning, not failure"
    )
    assert Check("Qt", Status.FAILURE, "boom").line() == "Qt: FAILED — boom"


def test_summary_fails_only_on_failures() -> None:
    ok = Check("a", Status.OK)
    warn = Check("b", Status.WARNING, "w")
    bad = Check("c", Status.FAILURE, "f")
    assert selftest.summary([ok]) == (0, "result: OK")
    assert selftest.summary([ok, warn]) == (0, "result: OK (1 warning)")
    assert selftest.summary([warn, warn]) == (0, "result: OK (2 warnings)")
    assert selftest.summary([ok, warn, bad]) == (1, "result: FAILED (c)")


def test_run_prints_the_report_and_writes_it_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.txt"

    def broken() -> Check:
        raise KeyError("registry.json")

    code = selftest.run(
        ["--self-test", "--report", str(report)],
        checks=[lambda: Check("resources", Status.OK, "here"), broken],
        qt_checks=lambda: [Check("Qt 6 (platform offscreen)", Status.OK)],
    )
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith(f"Runway Desktop {__version__} self-test\n")
    assert "  resources: ok (here)\n" in out
    assert "broken: FAILED — KeyError: 'registry.json'" in out
    assert "result: FAILED (broken)" in out
    assert report.read_text(encoding="utf-8") == out


def test_warnings_alone_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = selftest.run(
        [], checks=[lambda: Check("keyring", Status.WARNING, "none")], qt_checks=lambda: []
    )
    assert code == 0
    assert "result: OK (1 warning)" in capsys.readouterr().out


def test_resources_registry_and_stylesheet_are_found() -> None:
    assert selftest.check_resources().status is Status.OK
    registry = selftest.check_registry()
    assert registry.status is Status.OK
    assert registry.detail.endswith(" assessments")
    assert int(registry.detail.split()[0]) > 0
    assert selftest.check_stylesheet_file().status is Status.OK


def test_missing_resources_are_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import runway_desktop.base.resources as resources

    def missing() -> Path:
        raise FileNotFoundError("The app's resources folder is missing")

    monkeypatch.setattr(resources, "resources_dir", missing)
    assert selftest.check_resources().status is Status.FAILURE


def test_unreadable_registry_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import runway_desktop.bundles.registry as registry

    monkeypatch.setattr(registry, "resource_path", lambda *_: Path("/nonexistent/registry.json"))
    result = selftest.check_registry()
    assert result.status is Status.FAILURE
    assert result.detail.startswith("unreadable")


def test_no_keyring_is_only_a_warning() -> None:
    # conftest selects keyring's null backend, as on a headless box without Secret Service.
    result = selftest.check_keyring()
    assert result.status is Status.WARNING
    assert "secrets kept only in memory" in result.detail


def test_a_working_keyring_is_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", MemoryKeyring)
    result = selftest.check_keyring()
    assert result.status is Status.OK
    assert "saved in your system keyring" in result.detail


def test_tls_context_and_roots() -> None:
    result = selftest.check_tls()
    if not any(Path(f).is_file() for f in selftest._CA_FILES):
        pytest.skip("this machine has no CA bundle")
    assert result.status is Status.OK, result.line()
    assert result.detail.startswith("truststore, ")


def test_tls_without_any_root_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "count_linux_roots", lambda: (0, "nowhere"))
    monkeypatch.setattr(sys, "platform", "linux")
    result = selftest.check_tls()
    assert result.status is Status.FAILURE
    assert "ca-certificates" in result.detail


def test_tls_context_that_cannot_be_built_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import runway_desktop.api.http as http

    def broken() -> Any:
        raise OSError("no TLS")

    monkeypatch.setattr(http, "make_tls_context", broken)
    result = selftest.check_tls()
    assert result.status is Status.FAILURE
    assert "cannot build a TLS context" in result.detail


def test_sandbox_check_signs_a_url() -> None:
    # The dev environment has the [sandbox] extra (tests/conftest.py imports it).
    result = selftest.check_sandbox()
    assert result.status is Status.OK
    assert result.line().startswith("sandbox available: yes")


def test_sandbox_missing_is_only_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "runway_desktop.sandbox.server", None)
    result = selftest.check_sandbox()
    assert result.status is Status.WARNING
    assert result.line().startswith("sandbox available: no")


def test_practice_server_and_worker_processes_start() -> None:
    """Real child processes: in the frozen app both re-run its own executable."""
    practice = selftest.check_practice_server_process()
    assert practice.status is Status.OK, practice.line()
    assert practice.line().startswith("practice server process: ok (pid ")
    worker = selftest.check_worker_process()
    assert worker.status is Status.OK, worker.line()
    assert worker.line().startswith("worker process: ok (pid ")


def test_a_practice_server_that_cannot_start_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from runway_desktop.core import practice_server

    def broken(args: object = ()) -> list[str]:
        return [sys.executable, "-c", "import sys; sys.exit('no practice today')"]

    monkeypatch.setattr(practice_server, "child_command", broken)
    result = selftest.check_practice_server_process()
    assert result.status is Status.FAILURE
    assert "exit code 1" in result.detail and "no practice today" in result.detail


def test_a_build_without_the_practice_server_skips_its_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "runway_desktop.sandbox.server", None)
    result = selftest.check_practice_server_process()
    assert result.status is Status.OK
    assert result.detail == "skipped: not in this build"


def test_a_worker_that_cannot_start_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    from runway_desktop.base import workers

    def broken(timeout: float = 0) -> str:
        raise RuntimeError("the job ran in this process, not in a worker")

    monkeypatch.setattr(workers, "self_check", broken)
    result = selftest.check_worker_process()
    assert result.status is Status.FAILURE
    assert result.detail == "RuntimeError: the job ran in this process, not in a worker"


def test_offscreen_is_chosen_only_without_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert selftest_qt.choose_platform({}) == "offscreen"
    assert selftest_qt.choose_platform({"DISPLAY": ":0"}) is None
    assert selftest_qt.choose_platform({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert selftest_qt.choose_platform({"QT_QPA_PLATFORM": "xcb"}) is None
    monkeypatch.setattr(sys, "platform", "win32")
    assert selftest_qt.choose_platform({}) is None


def test_missing_platform_plugin_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "libqoffscreen.so").write_bytes(b"not an ELF file")
    missing = selftest_qt.platform_plugin_problem(tmp_path, "xcb")
    assert missing is not None
    assert "libqxcb.so is missing" in missing
    assert "libqoffscreen.so" in missing
    broken = selftest_qt.platform_plugin_problem(tmp_path, "offscreen")
    assert broken is not None
    assert broken.startswith("platform plugin cannot load")


def test_qt_checks_pass_offscreen(qapp: Any) -> None:
    checks = selftest_qt.run_qt_checks()
    assert [c.status for c in checks] == [Status.OK] * len(checks), [c.line() for c in checks]
    assert checks[0].name.startswith("Qt 6.")
    assert {c.name for c in checks[1:]} == {"stylesheet applied", "icon", "UI modules"}


def test_entry_point_routes_self_test(tmp_path: Path) -> None:
    """The real command in a fresh process: exit 0, the report on stdout and in --report."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # the self-test picks offscreen by itself
    env["RUNWAY_DESKTOP_HOME"] = str(tmp_path / "home")
    report = tmp_path / "report.txt"
    done = subprocess.run(
        [sys.executable, "-m", "runway_desktop", "--self-test", "--report", str(report)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(platform offscreen): ok" in done.stdout
    assert "registry: ok (" in done.stdout
    assert "practice server process: ok (pid " in done.stdout
    assert "worker process: ok (pid " in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("result: OK")
    assert report.read_text(encoding="utf-8") == done.stdout
