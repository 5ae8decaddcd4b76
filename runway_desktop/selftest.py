"""``runway-desktop --self-test``: can this installation run? A short report, exit 0 or 1.

Used by the installers' smoke tests (CI) and by support ("run the self-test and send me what it
prints"). The Qt-free checks live here; the Qt part (``runway_desktop.ui.selftest_qt``) is
handed in by the bootstrap (``__main__``), so this module imports no Qt, and it runs last, so
that if Qt cannot start at all, everything else has already been printed.

Exit 1 only on a real failure: Qt cannot start, the resources or the registry are missing or
unreadable, no TLS context can be built, or a child process the app relies on does not start
(a file-check worker; the practice server, in a build that has it). No usable keyring is a
warning (the app then keeps secrets in memory and says so), and so is a build without the
practice server. The child processes are started for real, once each, because in a frozen
build both re-run the app's own executable: only starting them proves that dispatch works.
"""

from __future__ import annotations

import argparse
import importlib
import ssl
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from runway_desktop import APP_NAME, __version__
from runway_desktop.base.selftest_report import Check, Status

# A child process that takes longer than this to answer is broken (it takes ~1 s).
PROCESS_CHECK_SECONDS = 20.0

# Where Linux distributions keep the CA bundle (the same places truststore looks).
_CA_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/ssl/cert.pem",  # Alpine, Arch
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",  # SUSE
)


def check_resources() -> Check:
    from runway_desktop.base.resources import resource_path, resources_dir

    try:
        folder = resources_dir()
    except FileNotFoundError as exc:
        return Check("resources", Status.FAILURE, str(exc))
    missing = [
        name
        for name in ("style.qss", "icons/runway-desktop.svg", "icons/runway-desktop-256.png")
        if not resource_path(*name.split("/")).is_file()
    ]
    if missing:
        return Check("resources", Status.FAILURE, f"missing in {folder}: {', '.join(missing)}")
    samples = resource_path("samples")
    sample_count = sum(1 for p in samples.rglob("*.csv")) if samples.is_dir() else 0
    return Check("resources", Status.OK, f"{folder}; {sample_count} sample files")


def check_registry() -> Check:
    from runway_desktop.bundles.model import RegistryFormatError
    from runway_desktop.bundles.registry import load_snapshot

    try:
        registry = load_snapshot()
    except (OSError, RegistryFormatError, ValueError) as exc:
        return Check("registry", Status.FAILURE, f"unreadable: {exc}")
    if len(registry) == 0:
        return Check("registry", Status.FAILURE, "the shipped list has no assessments")
    return Check("registry", Status.OK, f"{len(registry)} assessments")


def check_stylesheet_file() -> Check:
    from runway_desktop.base.resources import resource_path

    try:
        text = resource_path("style.qss").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Check("stylesheet", Status.FAILURE, str(exc))
    if "{" not in text:
        return Check("stylesheet", Status.FAILURE, "style.qss has no rules")
    return Check("stylesheet", Status.OK, f"{len(text.splitlines())} lines")


def check_keyring() -> Check:
    from runway_desktop.settings.secrets import SecretStore

    store = SecretStore()
    if store.persistent:
        return Check("keyring", Status.OK, store.status_message)
    return Check("keyring", Status.WARNING, "no usable keyring (secrets kept only in memory)")


def check_tls() -> Check:
    try:
        import truststore

        from runway_desktop.api.http import make_tls_context

        context = make_tls_context()
    except Exception as exc:  # any failure here means no HTTPS at all
        return Check("TLS trust store", Status.FAILURE, f"cannot build a TLS context: {exc}")
    if not isinstance(context, truststore.SSLContext) or not context.check_hostname:
        return Check("TLS trust store", Status.FAILURE, "the TLS context does not verify hosts")
    if sys.platform in ("win32", "darwin"):
        # truststore asks the OS to verify each chain; there is no list to count.
        store = "Windows certificate store" if sys.platform == "win32" else "macOS keychain"
        return Check("TLS trust store", Status.OK, f"truststore, {store}")
    roots, source = count_linux_roots()
    if roots == 0:
        return Check(
            "TLS trust store",
            Status.FAILURE,
            "no CA certificates found on this system (install the ca-certificates package)",
        )
    return Check("TLS trust store", Status.OK, f"truststore, {roots} roots from {source}")


def count_linux_roots() -> tuple[int, str]:
    """How many roots truststore's OpenSSL backend will trust, and where they come from."""
    defaults = ssl.get_default_verify_paths()
    candidates: list[str] = []
    if defaults.cafile:
        candidates.append(defaults.cafile)
    candidates += [f for f in _CA_FILES if f not in candidates]
    for cafile in candidates:
        if not Path(cafile).is_file():
            continue
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError):
            continue
        count = context.cert_store_stats().get("x509_ca", 0)
        if count:
            return count, cafile
    if defaults.capath and Path(defaults.capath).is_dir():
        # A hashed directory (certificates are read on demand): count the hash links.
        hashed = [p for p in Path(defaults.capath).iterdir() if p.name[-2:-1] == "."]
        if hashed:
            return len(hashed), defaults.capath
    return 0, "nowhere"


def check_sandbox() -> Check:
    """The practice server (``--sandbox``) is in this build and can sign URLs offline."""
    try:
        importlib.import_module("runway_desktop.sandbox.server")  # aiohttp, PyJWT, cryptography
        from runway_desktop.sandbox.presign import Presigner
    except ImportError as exc:
        missing = exc.name or str(exc)
        return Check("sandbox available", Status.WARNING, f"{missing} not in this build", "no")
    try:
        url = Presigner("http://127.0.0.1:9", "self-test", "key", "secret").put_url("probe.csv")
    except Exception as exc:  # a module trimmed from the build, say
        return Check("sandbox available", Status.WARNING, f"presigning failed: {exc}", "no")
    if "X-Amz-Signature=" not in url:
        return Check("sandbox available", Status.WARNING, "presigned URL has no signature", "no")
    return Check("sandbox available", Status.OK, "practice server loads, S3 URL signed", "yes")


def check_practice_server_process() -> Check:
    """``--sandbox`` can start its practice server child, and the child answers over HTTP."""
    try:
        importlib.import_module("runway_desktop.sandbox.server")
    except ImportError:  # said by check_sandbox already, as a warning
        return Check("practice server process", Status.OK, "skipped: not in this build")
    from runway_desktop.core.practice_server import PracticeServer, PracticeServerError

    started = time.monotonic()
    server = PracticeServer()  # its own temporary data folder, removed when it stops
    try:
        try:
            profile = server.start(timeout=PROCESS_CHECK_SECONDS)
        except PracticeServerError as exc:
            return Check("practice server process", Status.FAILURE, str(exc))
        state = _local_get_json(f"{profile['control_url']}/state")
        if "faults" not in state:
            return Check("practice server process", Status.FAILURE, "it answered oddly")
        seconds = time.monotonic() - started
        return Check(
            "practice server process",
            Status.OK,
            f"pid {server.pid}, listening and answering in {seconds:.2f} s",
        )
    finally:
        server.stop()


def check_worker_process() -> Check:
    """File checks run in worker processes (``base.workers``): one starts and reports back."""
    from runway_desktop.base import workers

    try:
        return Check("worker process", Status.OK, workers.self_check(PROCESS_CHECK_SECONDS))
    except Exception as exc:  # a worker that cannot start fails the same whatever the cause
        return Check("worker process", Status.FAILURE, f"{type(exc).__name__}: {exc}")
    finally:
        workers.shutdown()


def _local_get_json(url: str) -> dict[str, object]:
    """GET a URL on this computer, never through a proxy from the environment."""
    import json
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=PROCESS_CHECK_SECONDS) as response:
        answer = json.load(response)
    return answer if isinstance(answer, dict) else {}


QT_FREE_CHECKS: tuple[Callable[[], Check], ...] = (
    check_resources,
    check_registry,
    check_stylesheet_file,
    check_keyring,
    check_tls,
    check_sandbox,
    check_practice_server_process,
    check_worker_process,
)


def summary(checks: Iterable[Check]) -> tuple[int, str]:
    checks = list(checks)
    failures = [c.name for c in checks if c.status is Status.FAILURE]
    warnings = [c.name for c in checks if c.status is Status.WARNING]
    if failures:
        return 1, f"result: FAILED ({', '.join(failures)})"
    if warnings:
        return 0, f"result: OK ({len(warnings)} warning{'s' * (len(warnings) > 1)})"
    return 0, "result: OK"


def _console_stream() -> TextIO | None:
    """stdout, or on a windowed Windows build the console of whoever started us (if any)."""
    if sys.stdout is not None:
        return sys.stdout
    if sys.platform == "win32":  # pragma: no cover - the frozen GUI exe only
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            try:
                return open("CONOUT$", "w", encoding="utf-8")
            except OSError:
                return None
    return None


def run(
    argv: Sequence[str] = (),
    *,
    qt_checks: Callable[[], list[Check]],
    checks: Sequence[Callable[[], Check]] = QT_FREE_CHECKS,
) -> int:
    parser = argparse.ArgumentParser(prog="runway-desktop --self-test")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    args, _unknown = parser.parse_known_args(list(argv))
    out = _console_stream()
    report_lines: list[str] = []

    def emit(text: str) -> None:
        report_lines.append(text)
        if out is not None:
            print(text, file=out, flush=True)

    started = time.monotonic()
    emit(f"{APP_NAME} {__version__} self-test")
    emit(f"  running from: {_running_from()}")
    results: list[Check] = []
    for check in checks:
        result = _guarded(check)
        results.append(result)
        emit(f"  {result.line()}")
    for result in qt_checks():
        results.append(result)
        emit(f"  {result.line()}")
    code, closing = summary(results)
    emit(f"{closing} in {time.monotonic() - started:.2f} s")
    if args.report is not None:
        try:
            args.report.write_text("\n".join(report_lines) + "\n", encoding="utf-8")
        except OSError as exc:
            emit(f"(could not write the report to {args.report}: {exc})")
    return code


def _guarded(check: Callable[[], Check]) -> Check:
    name = check.__name__.removeprefix("check_").replace("_", " ")
    try:
        return check()
    except Exception as exc:  # a bug in a check is a failure with a name, not a traceback
        return Check(name, Status.FAILURE, f"{type(exc).__name__}: {exc}")


def _running_from() -> str:
    if getattr(sys, "frozen", False):
        return f"installed app {Path(sys.executable).resolve()}"
    return f"Python {sys.version.split()[0]} {Path(__file__).resolve().parent}"


def main(qt_checks: Callable[[], list[Check]], argv: Sequence[str] | None = None) -> int:
    """``qt_checks``: the bootstrap's (``__main__``), the one place here that may import Qt."""
    return run(sys.argv[1:] if argv is None else argv, qt_checks=qt_checks)
