"""The practice server as a child process (``core.practice_server``), with real processes:
the handshake, a real HTTP call to the child, its end when the parent is SIGKILLed, and the
plain-words errors when it cannot start."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from runway_desktop.core import practice_server
from runway_desktop.core.practice_server import PracticeServer, PracticeServerError

REPO = Path(__file__).resolve().parents[2]
# Says nothing and, like the real child, ends when its stdin is closed.
SILENT_CHILD = [sys.executable, "-c", "import sys; sys.stdin.read()"]
EXIT_SECONDS = 5.0  # an orphaned child must be gone within this
PROFILE_KEYS = {"api_base_url", "token_url", "client_id", "client_secret", "control_url", "seed"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PracticeServer]:
    running = PracticeServer(tmp_path / "sandbox-data", executor_delay=0.1)
    try:
        yield running
    finally:
        running.stop()


def _alive(pid: int) -> bool:
    """Still running (a zombie waiting for a reaper counts as ended)."""
    if Path("/proc/self/stat").exists():
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)


def test_handshake_then_real_http_then_clean_stop(server: PracticeServer, tmp_path: Path) -> None:
    async def start_while_the_loop_runs() -> tuple[dict[str, object], int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        try:
            profile = await server.start_in_thread()
        finally:
            ticker.cancel()
        return profile, ticks

    profile, ticks = asyncio.run(start_while_the_loop_runs())
    assert ticks >= 5, "the loop was blocked while the child started"
    assert set(profile) >= PROFILE_KEYS
    assert server.running() and server.pid != os.getpid()

    token = httpx.post(
        str(profile["token_url"]),
        data={
            "grant_type": "client_credentials",
            "client_id": str(profile["client_id"]),
            "client_secret": str(profile["client_secret"]),
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    assert token.json()["access_token"]
    state = httpx.get(f"{profile['control_url']}/state", timeout=10)
    assert state.status_code == 200
    assert state.json()["executor"]["delay_seconds"] == 0.1  # our --executor-delay got there
    assert (tmp_path / "sandbox-data" / "signing-key.pem").is_file()  # persisted where asked

    server.stop()
    assert not server.running()
    assert server.returncode == 0  # closing its stdin let it shut down cleanly
    assert "Sandbox stopped." in server.stderr_tail()
    server.stop()  # twice is fine


PARENT_SCRIPT = """
import sys, time
from runway_desktop.core.practice_server import PracticeServer

server = PracticeServer(executor_delay=0.1)
# As a frozen build runs it: the app's entry point with "sandbox" as first argument.
server.command = [sys.executable, "-m", "runway_desktop", "sandbox", *server.command[3:]]
server.start()
print(server.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and /proc: POSIX")
def test_child_ends_when_its_parent_is_sigkilled(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(PARENT_SCRIPT), encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line.strip().isdigit(), f"the parent script printed {line!r}"
        child = int(line)
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)  # no cleanup of any kind in the parent
        parent.wait(timeout=10)
        assert _wait_gone(child, EXIT_SECONDS), "the practice server outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if "child" in locals() and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = PracticeServer(tmp_path / "data", port=port)
        with pytest.raises(PracticeServerError) as raised:
            server.start()
    message = str(raised.value)
    assert message.startswith("The practice server did not start: it stopped with exit code 1.")
    assert "could not start" in message  # the child's own words (stderr tail) are included
    assert not server.running()


def test_bad_arguments_are_a_clear_error(tmp_path: Path) -> None:
    server = PracticeServer(tmp_path / "data", extra_args=["--no-such-option"])
    with pytest.raises(PracticeServerError) as raised:
        server.start()
    message = str(raised.value)
    assert "it stopped with exit code 2" in message
    assert "--no-such-option" in message


def test_a_child_that_says_nothing_times_out_and_is_stopped() -> None:
    server = PracticeServer()
    server.command = SILENT_CHILD
    started = time.monotonic()
    with pytest.raises(PracticeServerError) as raised:
        server.start(timeout=1.0)
    assert time.monotonic() - started < 4.0
    assert str(raised.value) == (
        "The practice server did not answer within 1 seconds. It said nothing."
    )
    assert not server.running()


def test_a_child_that_answers_nonsense_is_a_clear_error() -> None:
    server = PracticeServer()
    server.command = [
        sys.executable,
        "-c",
        "import sys; print('hello', flush=True); sys.stdin.read()",
    ]
    with pytest.raises(PracticeServerError, match="did not answer with its connection details"):
        server.start()
    assert not server.running()


def test_stop_during_the_handshake_ends_the_wait() -> None:
    server = PracticeServer()
    server.command = SILENT_CHILD
    threading.Timer(0.5, server.stop).start()
    started = time.monotonic()
    with pytest.raises(PracticeServerError, match="stopped before it started"):
        server.start(timeout=30)
    assert time.monotonic() - started < 10
    with pytest.raises(PracticeServerError, match="stopped before it started"):
        server.start()  # a stopped server stays stopped


def test_a_missing_executable_is_a_clear_error(tmp_path: Path) -> None:
    server = PracticeServer()
    server.command = [str(tmp_path / "no-such-program")]
    with pytest.raises(PracticeServerError, match="could not be launched"):
        server.start()


def test_the_frozen_app_is_its_own_practice_server(monkeypatch: pytest.MonkeyPatch) -> None:
    assert practice_server.child_command(["--port", "0"]) == [
        sys.executable,
        "-m",
        "runway_desktop.sandbox",
        "--port",
        "0",
    ]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert practice_server.child_command(["--port", "0"]) == [
        sys.executable,
        "sandbox",
        "--port",
        "0",
    ]
