"""``python -m runway_desktop.sandbox`` / ``runway-desktop sandbox``: serve until interrupted.

Prints one JSON line on stdout, the connection profile plus the seed, then serves on
127.0.0.1 until SIGINT or SIGTERM, and shuts down cleanly.

With ``--stop-on-stdin-close`` it also stops when its stdin reaches end-of-file. That is how
``runway-desktop --sandbox`` (``runway_desktop.core.practice_server``) ties the server's life to
its own: the app holds the pipe's other end and never writes to it, and when the app ends in
any way (a crash or SIGKILL included) the operating system closes that end. This works the same
on Windows, macOS and Linux, where signals or "parent died" hooks do not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from runway_desktop.sandbox.config import ConfigError, default_config, load_config
from runway_desktop.sandbox.server import SandboxServer
from runway_desktop.sandbox.tokens import DiscoveryError

# After stdin closed: how long a clean shutdown may take before the process just ends (a
# shutdown that hangs must not leave a server behind the app that owned it).
ORPHAN_EXIT_SECONDS = 10.0


def build_parser(prog: str = "runway-desktop sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Run a local practice Runway server on 127.0.0.1."
    )
    parser.add_argument("--config", type=Path, help="TOML or JSON file describing the sandbox")
    parser.add_argument("--port", type=int, default=0, help="API port (default: any free port)")
    parser.add_argument("--s3-port", type=int, default=0, help="S3 port (default: any free)")
    parser.add_argument("--data-dir", type=Path, help="keep uploaded files and the key here")
    parser.add_argument(
        "--executor-delay", type=float, help="seconds a started job takes to process"
    )
    parser.add_argument(
        "--stop-on-stdin-close",
        action="store_true",
        help="also stop when stdin is closed (for a parent process that owns this server)",
    )
    return parser


def watch_stdin(stop: Callable[[], None]) -> None:
    """Call ``stop`` once stdin reaches end-of-file; end the process if stopping hangs.

    A thread with blocking reads: asyncio cannot watch a pipe on stdin on every platform
    (Windows' proactor loop has no reader for it)."""

    def wait_for_eof() -> None:
        try:
            # A windowed (frozen) build may have no sys.stdin object over a good fd 0.
            fd = sys.stdin.fileno() if sys.stdin is not None else 0
            while os.read(fd, 4096):
                pass  # the owner never writes; anything it does is ignored
        except (OSError, ValueError):
            pass  # no usable stdin at all: the owner is gone too
        with contextlib.suppress(RuntimeError):  # the loop is closed: we are ending anyway
            stop()
        threading.Event().wait(ORPHAN_EXIT_SECONDS)
        os._exit(0)  # still alive: the clean shutdown hangs; daemon threads die with us

    threading.Thread(target=wait_for_eof, name="stdin-watch", daemon=True).start()


async def serve(args: argparse.Namespace) -> int:
    config = load_config(args.config) if args.config else default_config()
    if args.executor_delay is not None:
        config = replace(config, executor_delay_seconds=args.executor_delay)
    try:
        server = SandboxServer(config, port=args.port, s3_port=args.s3_port, data_dir=args.data_dir)
    except (OSError, ValueError) as exc:  # e.g. signing_key_file missing or not an RSA key
        raise ConfigError(str(exc)) from exc
    # Handlers go in before the profile line is printed: a caller may signal as soon as it
    # has read that line, and the default SIGTERM action would kill us without cleaning up.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers; Ctrl+C still raises KeyboardInterrupt there.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    if args.stop_on_stdin_close:

        def stop_from_watch() -> None:
            loop.call_soon_threadsafe(stop.set)

        watch_stdin(stop_from_watch)
    try:
        profile = await server.start()
    except (OSError, DiscoveryError) as exc:
        print(f"The sandbox could not start: {exc}", file=sys.stderr)
        await server.stop()
        return 1
    try:
        print(json.dumps(profile), flush=True)
    except OSError:  # the owner went away before it read the line: nobody to serve
        stop.set()
    try:
        await stop.wait()
    finally:
        await server.stop()
        # The owner may be gone, and the pipe with it.
        with contextlib.suppress(OSError):
            print("Sandbox stopped.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None, prog: str = "runway-desktop sandbox") -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser(prog).parse_args(argv)
    try:
        return asyncio.run(serve(args))
    except ConfigError as exc:
        print(f"The sandbox configuration is not valid: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main(prog="python -m runway_desktop.sandbox"))
