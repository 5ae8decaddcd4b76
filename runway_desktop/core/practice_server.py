"""The practice server (``runway-desktop --sandbox``) as a child process: start, handshake, stop.

Why a child process: in the window's own interpreter the server's aiohttp S3 front competes
with the window for the GIL during an upload, and its thread made Python's collector run where
Qt objects must not be destroyed. A child has an interpreter of its own.

- **Command.** ``python -m runway_desktop.sandbox``; in a frozen build the app's own executable
  with ``sandbox`` as first argument (``runway_desktop.__main__`` dispatches it).
- **Handshake.** Once it listens, the child prints one JSON line on stdout: the connection
  profile (URLs, client id and secret, the seed). ``start()`` waits for it at most
  ``HANDSHAKE_SECONDS`` and otherwise raises ``PracticeServerError`` in plain words, with the
  end of what the child wrote on stderr.
- **Lifetime.** The child runs with ``--stop-on-stdin-close``: this process holds the write end
  of the child's stdin and never writes to it. However this process ends (a crash or SIGKILL
  included) the operating system closes that end, and the child stops on the end-of-file, on
  every platform. ``stop()`` closes it on purpose, waits, then terminates and kills.
- **Off the window's thread.** ``start()`` blocks; ``start_in_thread()`` runs it on a daemon
  thread for an asyncio loop (the GUI's), which never waits on the pipe.

Qt-free; the bootstrap (``runway_desktop.app``) and the self-test use it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

HANDSHAKE_SECONDS = 20.0
# A clean stop takes well under a second; past this the child is terminated, then killed.
STOP_SECONDS = 5.0
STDERR_TAIL_LINES = 15


class PracticeServerError(Exception):
    """The practice server could not start; the message is for the person at the computer."""


def child_command(args: Sequence[str] = ()) -> list[str]:
    """The command line that runs the practice server with ``args``."""
    if getattr(sys, "frozen", False):  # the installed app is its own practice server
        return [sys.executable, "sandbox", *args]
    return [sys.executable, "-m", "runway_desktop.sandbox", *args]


class PracticeServer:
    """One practice server child. ``start()`` and ``stop()`` may run on different threads:
    a stop while the handshake is still awaited ends the child and makes ``start()`` fail."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        executor_delay: float | None = None,
        port: int = 0,
        s3_port: int = 0,
        extra_args: Sequence[str] = (),
    ) -> None:
        args = ["--stop-on-stdin-close", "--port", str(port), "--s3-port", str(s3_port)]
        if data_dir is not None:
            args += ["--data-dir", str(data_dir)]
        if executor_delay is not None:
            args += ["--executor-delay", str(executor_delay)]
        self.command = child_command([*args, *extra_args])
        self.profile: dict[str, Any] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._lock = threading.Lock()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._stderr_reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def returncode(self) -> int | None:
        """The child's exit code once it has ended (0: it shut down cleanly)."""
        return self._process.poll() if self._process is not None else None

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = HANDSHAKE_SECONDS) -> dict[str, Any]:
        """Launch the child and return its profile once it listens (blocks up to ``timeout``)."""
        with self._lock:
            if self._stopped:
                raise PracticeServerError("The practice server was stopped before it started.")
            if self._process is not None:
                raise RuntimeError("this practice server was started already")
            try:
                process = subprocess.Popen(
                    self.command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    # Its own session/group: Ctrl+C in a terminal reaches the app, which then
                    # stops the child itself (and a crashed app closes the child's stdin).
                    start_new_session=sys.platform != "win32",
                    creationflags=_NO_CONSOLE_WINDOW,
                )
            except OSError as exc:
                raise PracticeServerError(
                    f"The practice server could not be launched ({exc.strerror or exc})."
                ) from exc
            self._process = process
        assert process.stdout is not None and process.stderr is not None
        self._stderr_reader = _daemon(self._keep_stderr_tail, process.stderr, name="stderr")
        lines: collections.deque[bytes] = collections.deque()
        arrived = threading.Event()
        _daemon(_read_handshake, process.stdout, lines, arrived, name="stdout")
        if not arrived.wait(timeout):
            self.stop()
            raise PracticeServerError(
                f"The practice server did not answer within {timeout:.0f} seconds."
                + self._what_it_said()
            )
        line = lines[0]
        if not line:  # end of file: it ended without a profile
            code = _exit_code(process)
            was_stopped = self._stopped
            self.stop()  # its pipes
            if was_stopped:
                raise PracticeServerError("The practice server was stopped before it started.")
            status = "it stopped" if code is None else f"it stopped with exit code {code}"
            raise PracticeServerError(
                f"The practice server did not start: {status}." + self._what_it_said()
            )
        try:
            profile = json.loads(line.strip())
            if not isinstance(profile, dict) or "api_base_url" not in profile:
                raise ValueError("no api_base_url")
        except ValueError as exc:
            self.stop()
            raise PracticeServerError(
                "The practice server did not answer with its connection details "
                f"({exc}); it said: {line[:200].decode(errors='replace')!r}"
            ) from exc
        self.profile = profile
        return profile

    async def start_in_thread(self, handshake_seconds: float = HANDSHAKE_SECONDS) -> dict[str, Any]:
        """``start()`` on a daemon thread: the calling loop goes on while the child starts.

        Not the loop's executor: closing the loop waits for its executor's threads, and this
        one may wait ``timeout`` for the handshake."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[dict[str, Any]] = loop.create_future()

        def deliver(profile: dict[str, Any] | None, error: BaseException | None) -> None:
            if answer.done():  # the caller gave up
                return
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(profile or {})

        def run() -> None:
            try:
                result, error = self.start(handshake_seconds), None
            except Exception as exc:  # handed to the awaiting task, which reports it
                result, error = None, exc
            # A closed loop: the app is ending, and it stops the child itself.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, result, error)

        threading.Thread(target=run, name="practice-server-start", daemon=True).start()
        return await answer

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """End the child: close its stdin (it shuts down cleanly), then terminate, then kill.
        Safe to call more than once, from any thread, before or during ``start()``."""
        with self._lock:
            self._stopped = True
            process = self._process
        if process is None:
            return
        if process.stdin is not None and not process.stdin.closed:
            with contextlib.suppress(OSError):  # the child is gone already
                process.stdin.close()
        deadline = time.monotonic() + timeout
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)

    def stderr_tail(self) -> str:
        if self._stderr_reader is not None:
            self._stderr_reader.join(timeout=1.0)  # the last lines, once the child is gone
        return "\n".join(self._stderr_tail)

    def _what_it_said(self) -> str:
        tail = self.stderr_tail().strip()
        return f" What it said:\n{tail}" if tail else " It said nothing."

    def _keep_stderr_tail(self, stream: IO[bytes]) -> None:
        # Drained all along, not only on failure: a full pipe would block the child's logging.
        for raw in iter(stream.readline, b""):
            self._stderr_tail.append(raw.decode(errors="replace").rstrip())
        stream.close()


_NO_CONSOLE_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashes


def _daemon(target: Any, *args: Any, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, name=f"practice-server-{name}", daemon=True)
    thread.start()
    return thread


def _read_handshake(
    stream: IO[bytes], lines: collections.deque[bytes], arrived: threading.Event
) -> None:
    """The first stdout line (b"" if the child ended first); then drain whatever follows."""
    lines.append(stream.readline())
    arrived.set()
    for _ in iter(stream.readline, b""):
        pass
    stream.close()


def _exit_code(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(timeout=2.0)
    except subprocess.TimeoutExpired:
        return None
