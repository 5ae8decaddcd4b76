"""Ctrl+D and Ctrl+C at the secret prompt of ``profile add``, typed into a real terminal.

The CLI runs as a child process on a pseudo-terminal (getpass reads the controlling tty, so
nothing else exercises the real prompt); the keys go through the terminal's line discipline
exactly as typed: ^D ends the input, ^C sends SIGINT.
"""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


def type_at_prompt(key: bytes, home: Path) -> tuple[int | None, str]:
    """Run ``profile add`` on a pty, type ``key`` at the prompt; (exit code, all output).

    The exit code is None when the command was still running 20 s later (it is then killed).
    """
    import pty  # POSIX only

    env = {k: v for k, v in os.environ.items() if k != "RUNWAY_CLIENT_SECRET"}
    env["RUNWAY_DESKTOP_HOME"] = str(home)
    argv = [
        sys.executable, "-m", "runway_desktop.cli.main", "profile", "add", "district",
        "--api-url", "http://127.0.0.1:9/api/v1", "--token-url", "http://127.0.0.1:9/token",
        "--client-id", "client",
    ]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the CLI, the pty its controlling terminal
        os.execve(sys.executable, argv, env)
    output, typed = b"", False
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            readable, _, _ = select.select([fd], [], [], 0.2)
            if readable:
                try:
                    data = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal (it exited)
                    data = b""
                if not data:
                    _, status = os.waitpid(pid, 0)
                    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
                output += data
            if not typed and b"(not shown):" in output:
                os.write(fd, key)
                typed = True
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return None, output.decode(errors="replace")
    finally:
        os.close(fd)


def test_ctrl_d_at_the_secret_prompt_is_a_plain_message(tmp_path: Path) -> None:
    code, output = type_at_prompt(b"\x04", tmp_path / "home")
    assert code == 2, output
    assert "No client secret was entered (the input ended)." in output
    assert "RUNWAY_CLIENT_SECRET" in output
    assert "Traceback" not in output and "EOFError" not in output
    assert list(tmp_path.rglob("profiles*.json")) == []  # nothing half-saved


def test_ctrl_c_at_the_secret_prompt_ends_the_command(tmp_path: Path) -> None:
    # Under asyncio.run a blocking prompt never saw Ctrl+C: the read just restarted.
    code, output = type_at_prompt(b"\x03", tmp_path / "home")
    assert code == 130, output
    assert "Interrupted." in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output
