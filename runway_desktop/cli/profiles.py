"""``profile add | list | remove | test``: saved Runway connections from the command line.

Profiles are the same ``profiles.json`` the desktop app uses; the client secret goes to the OS
keyring only. When there is no usable keyring the CLI says so plainly: the secret is then not
remembered, and ``RUNWAY_CLIENT_SECRET`` must be set for each run.
"""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from runway_desktop.cli.connection import (
    SECRET_ENV_VAR,
    CommandSession,
    choose_profile,
    env_secret,
)
from runway_desktop.cli.output import (
    EXIT_OK,
    EXIT_REJECTED,
    CliParser,
    Console,
    SubCommands,
    failure_from_error,
    render_table,
    usage_error,
    yes_no,
)
from runway_desktop.core.connection_check import check_connection
from runway_desktop.settings import ProfileError, SecretStore, default_profile_store
from runway_desktop.settings.profiles import Profile


def add_profile_parser(commands: SubCommands, common: CliParser) -> None:
    profile = commands.add_parser("profile", help="add, list, remove or test saved connections")
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        parents=[common],
        help="save a connection (the secret comes from RUNWAY_CLIENT_SECRET or a prompt)",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--api-url", required=True, help="Runway API address, e.g. https://…/api/v1")
    add.add_argument("--token-url", required=True, help="the identity provider's token address")
    add.add_argument("--client-id", required=True)
    add.add_argument(
        "--token-style",
        choices=("form", "json"),
        default="form",
        help="form: Keycloak-style request (default); json: Auth0-style",
    )
    add.add_argument("--audience", help="token audience (default: the API URL's origin)")
    add.add_argument("--scopes", default="", help='scopes to request, e.g. "create:jobs read:jobs"')
    add.add_argument("--partner", help="default partner code for this connection")

    actions.add_parser("list", parents=[common], help="show saved connections")
    remove = actions.add_parser("remove", parents=[common], help="delete a saved connection")
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser(
        "test", parents=[common], help="sign in and show which partners and scopes the client has"
    )
    test.add_argument("name", metavar="NAME", nargs="?")


async def run_profile_command(args: argparse.Namespace, console: Console) -> int:
    command = args.profile_command
    if command == "add":
        return profile_add(args, console)
    if command == "list":
        return profile_list(console)
    if command == "remove":
        return profile_remove(args.name, console)
    return await profile_test(args, console)


def profile_add(args: argparse.Namespace, console: Console) -> int:
    profile = Profile(
        name=args.name.strip(),
        api_base_url=args.api_url.strip(),
        token_url=args.token_url.strip(),
        client_id=args.client_id.strip(),
        token_style=args.token_style,
        audience=(args.audience or "").strip() or None,
        scopes=" ".join(args.scopes.split()),
        default_partner=(args.partner or "").strip() or None,
    )
    problems = profile.problems()
    if problems:
        raise usage_error(" ".join(problems))
    secret = env_secret() or _prompt_secret(profile.name)
    try:
        default_profile_store().add(profile)
    except ProfileError as exc:
        raise usage_error(str(exc), "Pick another name, or remove the old one first.") from None
    secrets = SecretStore()
    secrets.set(profile.name, secret)
    if secrets.persistent:
        console.note(f"Saved the connection “{profile.name}”; the client secret is in the keyring.")
    else:
        console.note(
            f"Saved the connection “{profile.name}”, but NOT its client secret: this computer "
            f"has no usable system keyring. Set {SECRET_ENV_VAR} whenever you use this connection."
        )
    console.result(profile.name)
    if console.json_mode:
        console.json({"ok": True, "profile": profile.to_json(), "secret_saved": secrets.persistent})
    return EXIT_OK


def _prompt_secret(name: str) -> str:
    if not sys.stdin.isatty():
        raise usage_error(
            "The client secret is needed and cannot be asked for (input is not a terminal).",
            f"Set the {SECRET_ENV_VAR} environment variable and run the command again.",
        )
    try:
        with _ctrl_c_interrupts():
            secret = getpass.getpass(f"Client secret for “{name}” (not shown): ").strip()
    except EOFError:  # Ctrl+D (Ctrl+Z Enter on Windows): the input ended, nothing to save
        raise usage_error(
            "No client secret was entered (the input ended).",
            f"Run the command again and type the secret, or set {SECRET_ENV_VAR}.",
        ) from None
    if not secret:
        raise usage_error("No client secret was entered.", "Run the command again.")
    return secret


@contextmanager
def _ctrl_c_interrupts() -> Iterator[None]:
    """Make Ctrl+C raise ``KeyboardInterrupt`` again while a blocking prompt waits.

    ``asyncio.run``'s own SIGINT handler only cancels the main task and returns; the blocked
    terminal read is then restarted (PEP 475), so Ctrl+C at the prompt did nothing at all. The
    interrupt ends the command through ``main``'s handler (exit 130), and getpass restores the
    terminal's echo on its way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def profile_list(console: Console) -> int:
    profiles = default_profile_store().list()
    secrets = SecretStore()
    saved = {p.name: secrets.get(p.name) is not None for p in profiles}
    if console.json_mode:
        console.json([{**p.to_json(), "secret_saved": saved[p.name]} for p in profiles])
        return EXIT_OK
    if not profiles:
        console.note("No connections are saved. Add one with `runway-desktop-cli profile add`.")
        return EXIT_OK
    rows = [
        [p.name, p.api_base_url, p.client_id, p.default_partner or "—", yes_no(saved[p.name])]
        for p in profiles
    ]
    headers = ["Name", "API URL", "Client ID", "Partner", "Secret saved"]
    console.result(render_table(headers, rows))
    if not secrets.persistent:
        console.note(f"No system keyring is available: set {SECRET_ENV_VAR} to use a connection.")
    return EXIT_OK


def profile_remove(name: str, console: Console) -> int:
    try:
        default_profile_store().remove(name)
    except ProfileError as exc:
        raise usage_error(
            str(exc), "See the names with `runway-desktop-cli profile list`."
        ) from None
    SecretStore().delete(name)
    console.note(f"Removed the connection “{name}” and its saved secret.")
    if console.json_mode:
        console.json({"ok": True, "removed": name})
    return EXIT_OK


async def profile_test(args: argparse.Namespace, console: Console) -> int:
    """The desktop app's "Test connection", printed: same rules, same words."""
    # `profile test NAME` reads like `--profile NAME`; either (or --profile-file) works.
    chosen = choose_profile(args.name or args.profile, args.profile_file)
    async with CommandSession(chosen) as connection:
        check = await check_connection(connection.http, chosen.profile, chosen.secret)
    if check.error is not None:
        raise failure_from_error(check.error)
    summary = check.summary
    console.result(
        f"{check.headline} Client {chosen.profile.client_id} at {connection.client.host}."
    )
    for line in summary.lines if summary is not None else ():
        console.result(f"{'✓' if line.kind == 'ok' else '⚠'} {line.text}")
    partners = list(summary.partners) if summary is not None else []
    if console.json_mode:
        console.json(
            {
                "ok": check.usable,
                "state": check.state,
                "profile": chosen.profile.name,
                "partners": partners,
                "verified_by_runway": check.verified_by_runway,
                "scopes": list(check.scopes),
                "missing_scopes": list(summary.missing_scopes) if summary is not None else [],
            }
        )
    if not check.usable:
        # The core's rule and words: signed in, but with no partner that is not a pass.
        console.note(f"Error: {check.headline}")
        if check.next_step:
            console.note(f"What to do: {check.next_step}")
        return EXIT_REJECTED
    return EXIT_OK
