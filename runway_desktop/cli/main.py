"""``runway-desktop-cli``: the Qt-free core, headless, for scripts and scheduled tasks.

    runway-desktop-cli [--profile NAME | --profile-file FILE] [--json] COMMAND …

Commands: ``profile add|list|remove|test``, ``submit``, ``history list|show|resume``,
``identify``, ``outputs list``, ``outputs download``, ``batch plan|run``.
Each is thin glue over the core (``submit.pipeline``, ``outputs.downloader``/``watcher``,
``settings``); nothing here talks HTTP itself.

Exit codes:
    0  success
    2  usage: a wrong or missing option, an unknown profile, bundle or file slot
    3  Runway refused the request (4xx: validation, permission, not found, sign-in)
    4  network or temporary trouble (timeout, DNS, refused connection, 5xx, --wait timeout),
       or it could not tell whether Runway started a job: ``history resume`` looks again later
    5  a local file problem (a file fails its checks or is missing, disk full, no permission)
  130  interrupted (Ctrl-C)

Errors print their plain message and the next step on stderr, never a traceback; with
``--json`` they are also printed on stdout as ``{"ok": false, "error": {…}}``. Tokens, client
secrets and presigned URLs are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from runway_desktop.api.errors import RunwayError
from runway_desktop.cli.batch import add_batch_parser, run_batch_command
from runway_desktop.cli.history import add_history_parser, run_history_command
from runway_desktop.cli.identify import add_identify_parser, run_identify
from runway_desktop.cli.output import (
    EXIT_INTERRUPTED,
    EXIT_LOCAL_FILE,
    CliParser,
    CommandFailure,
    Console,
    failure_from_error,
    usage_error,
)
from runway_desktop.cli.outputs import add_outputs_parser, run_outputs_command
from runway_desktop.cli.profiles import add_profile_parser, run_profile_command
from runway_desktop.cli.submit import add_submit_parser, run_submit
from runway_desktop.settings import ProfileError, ProfilesFileError

EPILOG = """\
exit codes:
  0    success
  2    usage: a wrong or missing option, unknown profile, bundle or file slot
  3    Runway refused the request (validation, permission, not found, sign-in)
  4    network or temporary trouble (timeout, DNS, refused, 5xx, --wait timeout), or
       it could not tell whether Runway started the job (run `history resume ID` later)
  5    local file problem (file fails its checks or is missing, disk full, permission)
  130  interrupted

The client secret comes from RUNWAY_CLIENT_SECRET when set, else from --profile-file or the
system keyring. Results go to stdout; progress and explanations to stderr.
"""


def build_parser() -> argparse.ArgumentParser:
    # The connection and --json options are accepted before or after the command; SUPPRESS
    # keeps a subcommand from overwriting a value given before it.
    common = CliParser(add_help=False)
    _add_connection_options(common, default=argparse.SUPPRESS)
    parser = CliParser(
        prog="runway-desktop-cli",
        description="Send assessment files to Runway and download its output sets.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_connection_options(parser, default=None)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CliParser
    )
    add_profile_parser(commands, common)
    add_submit_parser(commands, common)
    add_history_parser(commands, common)
    add_identify_parser(commands, common)
    add_outputs_parser(commands, common)
    add_batch_parser(commands, common)
    return parser


def _add_connection_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--profile", metavar="NAME", default=default, help="use this saved connection"
    )
    chosen.add_argument(
        "--profile-file",
        metavar="FILE",
        default=default,
        help="use the connection in this JSON file (the sandbox's format)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=False if default is None else default,
        help="print results (and errors) as JSON on stdout",
    )


async def _dispatch(args: argparse.Namespace, console: Console) -> int:
    if args.command == "profile":
        return await run_profile_command(args, console)
    if args.command == "submit":
        return await run_submit(args, console)
    if args.command == "history":
        return await run_history_command(args, console)
    if args.command == "identify":
        return await run_identify(args, console)
    if args.command == "batch":
        return await run_batch_command(args, console)
    return await run_outputs_command(args, console)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (never calls ``sys.exit``)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    console = Console(json_mode="--json" in arguments)
    try:
        args = build_parser().parse_args(arguments)
    except CommandFailure as failure:
        return console.fail(failure)
    except SystemExit as exit_request:  # --help
        return exit_request.code if isinstance(exit_request.code, int) else 0
    if args.profile is not None and args.profile_file is not None:
        return console.fail(usage_error("Give --profile or --profile-file, not both."))
    console.json_mode = bool(args.json)
    try:
        return asyncio.run(_dispatch(args, console))
    except CommandFailure as failure:
        return console.fail(failure)
    except ProfilesFileError as exc:
        damaged = CommandFailure(str(exc), exit_code=EXIT_LOCAL_FILE, kind="ProfilesFileError")
        return console.fail(damaged)
    except ProfileError as exc:
        return console.fail(usage_error(str(exc)))
    except RunwayError as error:
        return console.fail(failure_from_error(error))
    except KeyboardInterrupt:
        return console.fail(
            CommandFailure(
                "Interrupted.",
                "Run the command again; finished downloads are kept.",
                EXIT_INTERRUPTED,
                "Interrupted",
            )
        )


if __name__ == "__main__":
    sys.exit(main())
