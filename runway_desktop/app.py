"""Bootstrap of the desktop app: QApplication, the qasync loop, single instance, the window.

``runway-desktop --sandbox`` also starts the local practice server in-process and connects
to it with a ready "Sandbox" profile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from runway_desktop import APP_ID, APP_NAME, __version__

STARTUP_PROBE_ENV = "RUNWAY_DESKTOP_STARTUP_PROBE"

if TYPE_CHECKING:
    from runway_desktop.sandbox.server import Sandbox


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runway-desktop", description=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start a local practice server and connect to it (no account needed)",
    )
    parser.add_argument("--profile", help="the saved connection to use")
    parser.add_argument(
        "--practice-delay",
        type=float,
        default=5.0,
        help="with --sandbox: seconds the practice server takes to process a job",
    )
    return parser


def start_practice_server(delay: float) -> tuple[Sandbox, dict[str, object]]:
    """The sandbox on its own thread; its key and files persist in the user's data dir."""
    try:
        from runway_desktop.sandbox.config import default_config
        from runway_desktop.sandbox.server import Sandbox
    except ImportError as exc:  # installed without the [sandbox] extra
        raise SystemExit(
            f"The practice server needs extra packages ({exc.name} is missing). "
            "Install them with: pip install 'runway-desktop[sandbox]'"
        ) from exc
    from runway_desktop.settings import data_dir

    sandbox = Sandbox(default_config(executor_delay_seconds=delay), data_dir=data_dir() / "sandbox")
    return sandbox, sandbox.start()


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runway_desktop.base.logging_setup import setup_logging

    setup_logging()
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.core.session import Session, connect
    from runway_desktop.settings import Profile
    from runway_desktop.ui.gc_on_main_thread import MainThreadGarbageCollector
    from runway_desktop.ui.main_window import MainWindow
    from runway_desktop.ui.single_instance import SingleInstance, server_name
    from runway_desktop.ui.startup import StartupController
    from runway_desktop.ui.theme import app_icon, apply_theme

    app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Runway Desktop")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    # Practice mode is a separate instance: it must not raise (or be) the real app's window.
    single = SingleInstance(server_name("-practice" if args.sandbox else ""))
    if single.ask_running_instance_to_raise():
        print(f"{APP_NAME} is already running; its window was brought to the front.")
        return 0
    single.listen()
    apply_theme(app)

    collector = MainThreadGarbageCollector(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    services = Session.create()
    sandbox = None
    practice_connection = None
    if args.sandbox:
        sandbox, printed = start_practice_server(args.practice_delay)
        profile, secret = Profile.from_sandbox_json(printed, name="Sandbox")
        practice_connection = connect(services.http, profile, secret or "")

    window = MainWindow(services, practice=sandbox is not None)
    window.setWindowIcon(app_icon())
    single.raiseRequested.connect(window.bring_to_front)
    if sandbox is not None:
        from runway_desktop.core.practice import practice_files, practice_world

        form = window.submit_page.form
        form.set_practice_files(practice_files())
        seed = printed.get("seed")
        tenants, school_year = practice_world(seed if isinstance(seed, dict) else {})
        form.set_practice_world(tenants, school_year)
    controller = StartupController(
        services, window, profile_name=args.profile, practice_connection=practice_connection
    )
    # Connecting (keyring, HTTP client, sign-in) and the other screens wait for the first
    # paint: the window shows up first, then fills in. The freeze waits for those screens,
    # so that their objects are frozen too.
    window.firstPainted.connect(controller.start)
    window.deferredPagesBuilt.connect(collector.freeze_startup_objects)
    window.show()
    if os.environ.get(STARTUP_PROBE_ENV):
        # For the cold-start benchmark: report once the window has painted for the first time.
        from runway_desktop.ui.first_paint_probe import FirstPaintProbe

        window.installEventFilter(FirstPaintProbe(window, app))
    try:
        with loop:
            loop.run_forever()
    finally:
        window.shutdown()
        single.close()
        if sandbox is not None:
            sandbox.stop()
        services.close_history()
        collector.stop()
    return 0
