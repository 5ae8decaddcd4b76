"""Bootstrap of the desktop app: QApplication, the qasync loop, single instance, the window.

``runway-desktop --sandbox`` also starts the local practice server, as a child process
(``core.practice_server``), and connects to it with a ready "Sandbox" profile once it answers:
the window shows first and does not wait for it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

from runway_desktop import APP_ID, APP_NAME, __version__

# "1": report the first paint and quit; "usable": report the partner list shown too, and quit.
STARTUP_PROBE_ENV = "RUNWAY_DESKTOP_STARTUP_PROBE"

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from runway_desktop.core.practice_server import PracticeServer
    from runway_desktop.ui.main_window import MainWindow


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="runway-desktop", description=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start a local practice server and connect to it (no account needed)",
    )
    parser.add_argument("--profile", help="the saved connection to use")
    parser.add_argument(
        "--lang",
        metavar="CODE",
        help="the UI's language: a code such as fr (resources/translations/runway_desktop_fr.qm)"
        ", or pseudo: every text longer and accented, to check layouts and untranslated text",
    )
    parser.add_argument(
        "--practice-delay",
        type=float,
        default=5.0,
        help="with --sandbox: seconds the practice server takes to process a job",
    )
    return parser


def practice_server(delay: float) -> PracticeServer:
    """The practice server child (not started yet); its key and files persist in the user's
    data dir, as they did when it ran in-process."""
    from runway_desktop.core.practice_server import PracticeServer
    from runway_desktop.settings import data_dir

    return PracticeServer(data_dir() / "sandbox", executor_delay=delay)


def _install_startup_probe(window: MainWindow, app: QApplication, *, until_usable: bool) -> None:
    """For the cold-start benchmark and the installer check: print ``first-paint <ns>`` on
    stderr once the window's first paint pass is over (``MainWindow.firstPainted``, the one
    first-paint watch) and quit; ``until_usable``: also wait for the partner list, print
    ``startup-ready <ns>`` then, and quit."""
    import time

    from PySide6.QtCore import QTimer

    def stamp(tag: str) -> None:
        print(f"{tag} {time.monotonic_ns()}", file=sys.stderr, flush=True)

    def finish() -> None:
        stamp("startup-ready")
        # Queued: with no saved profile the start-up opens the connection dialog from this
        # same signal, and the quit must reach that dialog's event loop too.
        QTimer.singleShot(0, app.quit)

    # Connected before the start-up controller: its slot may open a modal dialog.
    window.firstPainted.connect(lambda: stamp("first-paint"))
    (window.partnersShown if until_usable else window.firstPainted).connect(finish)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runway_desktop.base.logging_setup import setup_logging

    setup_logging()
    import qasync
    from PySide6.QtWidgets import QApplication

    from runway_desktop.core.session import Session
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
    if args.lang:
        from runway_desktop.ui.translation import install_translators

        # Before any widget is built: texts are translated as they are set. The translators
        # are the app's children: they live as long as it does.
        install_translators(app, args.lang)
    # Practice mode is a separate instance: it must not raise (or be) the real app's window.
    single = SingleInstance(server_name("-practice" if args.sandbox else ""))
    if single.ask_running_instance_to_raise():
        print(f"{APP_NAME} is already running; its window was brought to the front.")
        return 0
    single.listen()
    apply_theme(app)
    # Collections on the Qt thread only: a worker thread must never free a Qt object.
    collector = MainThreadGarbageCollector(app)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    services = Session.create(practice=args.sandbox)
    practice = practice_server(args.practice_delay) if args.sandbox else None
    # The child starts on a thread as soon as the loop runs, alongside the first paint; the
    # controller connects once its handshake arrives (``StartupController``).
    handshake = asyncio.ensure_future(practice.start_in_thread()) if practice else None

    window = MainWindow(services, practice=practice is not None)
    window.setWindowIcon(app_icon())
    single.raiseRequested.connect(window.bring_to_front)
    if practice is not None:
        from runway_desktop.core.practice import practice_files

        window.submit_page.form.set_practice_files(practice_files())
        # At quit, while the loop still runs; the ``finally`` below covers an exception.
        app.aboutToQuit.connect(practice.stop)
    controller = StartupController(
        services, window, profile_name=args.profile, practice_handshake=handshake
    )
    probe = os.environ.get(STARTUP_PROBE_ENV, "").strip()
    if probe:
        _install_startup_probe(window, app, until_usable=probe == "usable")
    # Connecting (keyring, HTTP client, sign-in) and the other screens wait for the first
    # paint: the window shows up first, then fills in.
    window.firstPainted.connect(controller.start)
    window.show()
    try:
        with loop:
            loop.run_forever()
    finally:
        window.shutdown()
        single.close()
        if practice is not None:
            practice.stop()  # a no-op if aboutToQuit stopped it already
        services.close_history()
        collector.stop()
    return 0
