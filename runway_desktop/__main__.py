"""Entry point of ``runway-desktop`` and ``python -m runway_desktop``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runway_desktop.base.selftest_report import Check


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # The installed app is its own worker process (base.workers, "spawn"): started with
        # --multiprocessing-fork, or as multiprocessing's resource tracker, it must do that
        # job and exit here, before anything reads the arguments. PyInstaller's runtime hook
        # makes freeze_support() handle both on every platform. Only frozen builds need it,
        # so a plain install does not pay for importing multiprocessing at start-up.
        import multiprocessing

        multiprocessing.freeze_support()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"]:
        from runway_desktop.sandbox.__main__ import main as sandbox_main

        return sandbox_main(args[1:])
    if "--version" in args:
        from runway_desktop import __version__

        print(f"runway-desktop {__version__}")
        return 0
    if "--self-test" in args:
        from runway_desktop.selftest import main as selftest_main

        return selftest_main(_qt_checks, args)
    from runway_desktop.app import main as app_main

    return app_main(args)


def _qt_checks() -> list[Check]:
    # Qt is imported here, in the bootstrap, so that the self-test's own module stays
    # Qt-free (only ui/ and the bootstrap import Qt) and a broken Qt is a reported failure.
    from runway_desktop.base.selftest_report import Check, Status

    try:
        from runway_desktop.ui.selftest_qt import run_qt_checks
    except ImportError as exc:
        return [Check("Qt", Status.FAILURE, f"cannot import Qt: {exc}")]
    return run_qt_checks()


if __name__ == "__main__":
    sys.exit(main())
