"""``python -m runway_desktop.sandbox`` / ``runway-desktop sandbox``: serve until interrupted.

Prints one JSON line on stdout, the connection profile plus the seed, then serves on
127.0.0.1 until SIGINT or SIGTERM, and shuts down cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path

from runway_desktop.sandbox.config import ConfigError, default_config, load_config
from runway_desktop.sandbox.server import SandboxServer
from runway_desktop.sandbox.tokens import DiscoveryError


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
    return parser


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
    try:
        profile = await server.start()
    except (OSError, DiscoveryError) as exc:
        print(f"The sandbox could not start: {exc}", file=sys.stderr)
        await server.stop()
        return 1
    print(json.dumps(profile), flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
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
