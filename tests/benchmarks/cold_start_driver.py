"""Cold start: wall time from process spawn to a usable main window (the partner list shown).

Used by ``test_gui_benchmark.py``. Two programs are compared in the same run, each in a fresh
process (offscreen Qt, same environment):

- **bare**: a PySide6 ``QApplication`` + ``QMainWindow`` (1000×760, like the app's), shown,
  timed to the end of its first paint pass;
- **app**: ``python -m runway_desktop --profile NAME`` with a configured profile (profiles.json
  in a temporary ``RUNWAY_DESKTOP_HOME``, the secret from ``bench_keyring.FixedSecretKeyring``)
  pointing at a live sandbox in another process, so start-up goes straight to the main window.

The app reports through its one start-up probe (``RUNWAY_DESKTOP_STARTUP_PROBE``, app.py, on
``MainWindow.firstPainted`` and ``MainWindow.partnersShown``): ``first-paint <monotonic_ns>``
once its first paint pass is over, and with the value ``usable`` ``startup-ready <ns>`` once
it has signed in and the Submit screen offers the partners (the usable window the issue
names); then it quits. The bare script prints ``first-paint`` at the same point of its own
first paint (an event filter, then a zero-delay timer). The parent takes
``time.perf_counter()`` around spawn → reading that line ("wall"); the child's timestamp minus
``time.monotonic_ns()`` just before spawn is also kept ("probe": the same moment without the
pipe read).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
READY = "startup-ready"
FIRST_PAINT = "first-paint"
PROFILE_NAME = "Bench"
KEYRING_BACKEND = "bench_keyring.FixedSecretKeyring"
STARTUP_PROBE_ENV = "RUNWAY_DESKTOP_STARTUP_PROBE"
BYTECODE_ENV = "RUNWAY_BENCH_COLD_BYTECODE"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")

# The bare window, reporting the end of its first paint pass. Nothing but what a minimal
# PySide6 window needs is imported.
BARE_SCRIPT = """\
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1000, 760)

def report(tag):
    print(f"{tag} {time.monotonic_ns()}", file=sys.stderr, flush=True)
    app.quit()

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, lambda: report("first-paint"))
        return False

probe = FirstPaint()
app.installEventFilter(probe)
window.show()
sys.exit(app.exec())
"""

# Checks, with the measured environment, that start-up will find the profile and its secret
# (else the app would open the connection dialog, which is not a usable main window).
_VERIFY_SCRIPT = """\
import sys
from runway_desktop.core.session import Session
services = Session.create()
profile = services.profiles.get(sys.argv[1])
assert profile is not None, "profile not found"
assert services.secrets.persistent, services.secrets.status_message
services.connect(profile)  # raises MissingSecret when the keyring has no secret
services.history.close()
print(type(services.secrets._backend).__name__, profile.api_base_url)
"""


@dataclass(frozen=True)
class Launch:
    """One start: ``wall``/``probe`` are spawn → ready in seconds (see the module doc)."""

    wall: float
    probe: float
    exit: float  # spawn → process exit (includes the app's shutdown)


def child_env(home: Path, secret: str) -> dict[str, str]:
    """The environment of every measured process (bare and app alike)."""
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    paths = [str(REPO_ROOT), str(HERE), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["RUNWAY_DESKTOP_HOME"] = str(home)
    env["PYTHON_KEYRING_BACKEND"] = KEYRING_BACKEND
    env["RUNWAY_BENCH_KEYRING_SECRET"] = secret
    env.pop(STARTUP_PROBE_ENV, None)
    return env


@contextlib.contextmanager
def _home(home: Path) -> Iterator[None]:
    saved = os.environ.get("RUNWAY_DESKTOP_HOME")
    os.environ["RUNWAY_DESKTOP_HOME"] = str(home)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["RUNWAY_DESKTOP_HOME"]
        else:
            os.environ["RUNWAY_DESKTOP_HOME"] = saved


def configure_profile(home: Path, sandbox_profile: Mapping[str, Any]) -> str:
    """Save the sandbox's profile as ``PROFILE_NAME`` in ``home``; returns its secret."""
    from runway_desktop.settings import Profile, default_profile_store

    profile, secret = Profile.from_sandbox_json(sandbox_profile, name=PROFILE_NAME)
    with _home(home):  # the app's own path logic (config_dir) decides where the file goes
        store = default_profile_store()
        if store.get(PROFILE_NAME) is None:
            store.add(profile)
        else:
            store.update(profile)
    if not secret:
        raise RuntimeError("the sandbox profile carries no client secret")
    return secret


def prepare_bytecode(env: Mapping[str, str]) -> str:
    """Write the app's bytecode caches (``__pycache__``, git-ignored) before anything is timed,
    as ``pip install`` does; returns a note for the table.

    With ``PYTHONDONTWRITEBYTECODE=1`` in the environment (as on this VM) Python never writes
    them, so every measured start would compile all ~100 of the app's modules from source
    (~100–150 ms here) while the bare script's PySide6 comes precompiled from site-packages:
    not a start any installed copy has. ``RUNWAY_BENCH_COLD_BYTECODE=0`` measures as found.
    """
    if os.environ.get(BYTECODE_ENV, "1").strip() == "0":
        if env.get("PYTHONDONTWRITEBYTECODE"):
            return "as found (compiled from source at every start)"
        return "as found (written by the warm-up start)"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "runway_desktop"),
         str(HERE / "bench_keyring.py")],
        env={k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"},
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
        timeout=300,
    )  # fmt: skip
    return "precompiled, as installed"


def verify_setup(env: Mapping[str, str]) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", _VERIFY_SCRIPT, PROFILE_NAME],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the start-up would not reach the main window:\n{completed.stderr}")
    return completed.stdout.strip()


def commands(kind: str, probe: str) -> tuple[list[str], dict[str, str]]:
    """argv and extra environment for ``kind`` (bare | app) and ``probe``: ``paint`` (the
    first paint pass) or ``ready`` (the app's partner list shown; app only)."""
    if kind == "bare":
        return [sys.executable, "-c", BARE_SCRIPT], {}
    value = "usable" if probe == "ready" else "1"
    return [sys.executable, "-m", "runway_desktop", "--profile", PROFILE_NAME], {
        STARTUP_PROBE_ENV: value
    }


def launch(argv: list[str], env: Mapping[str, str], marker: str, timeout: float = 60.0) -> Launch:
    """Spawn ``argv``, time until ``marker <ns>`` appears on its stderr, then until it exits."""
    spawned_ns = time.monotonic_ns()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=dict(env),
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    seen: list[str] = []
    wall = probe = None
    buffer = b""
    deadline = started + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while wall is None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or not selector.select(remaining):
                process.kill()
                process.wait()
                raise TimeoutError(f"no {marker!r} line within {timeout:.0f} s: {seen[-20:]}")
            chunk = os.read(process.stderr.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace")
                seen.append(line)
                if line.startswith(marker + " ") and wall is None:
                    wall = time.perf_counter() - started
                    probe = (int(line.split()[1]) - spawned_ns) / 1e9
    # Drain the rest so the child never blocks on a full pipe while exiting.
    rest = process.stderr.read()
    seen.extend(rest.decode(errors="replace").splitlines())
    code = process.wait(timeout=timeout)
    exited = time.perf_counter() - started
    process.stderr.close()
    if wall is None or probe is None:
        raise RuntimeError(f"{argv[:3]} exited with {code} and no {marker!r} line: {seen[-20:]}")
    if code != 0:
        raise RuntimeError(f"{argv[:3]} exited with {code}: {seen[-20:]}")
    return Launch(wall=wall, probe=probe, exit=exited)


def import_times(env: Mapping[str, str], top: int = 12) -> list[tuple[float, float, str]]:
    """One app start under ``-X importtime``: the top-level packages by cumulative ms, imported
    before the ``startup-ready`` line (what comes after it does not delay the window).

    (cumulative ms, self ms, package); importtime itself slows imports, so these are
    relative figures only."""
    argv, extra = commands("app", "ready")
    argv = [argv[0], "-X", "importtime", *argv[1:]]
    completed = subprocess.run(
        argv,
        env={**env, **extra},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found: list[tuple[float, float, str]] = []
    for line in completed.stderr.splitlines():
        if line.startswith(READY + " "):
            break
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line.removeprefix("import time:").split("|")
        name = fields[2].rstrip()
        if name.startswith(" ") and not name.startswith("  "):  # depth 1 = top-level import
            with contextlib.suppress(ValueError):
                found.append((int(fields[1]) / 1000, int(fields[0]) / 1000, name.strip()))
    found.sort(reverse=True)
    return found[:top]
