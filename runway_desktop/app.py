"""Bootstrap of the desktop app: QApplication + qasync loop.

The windows arrive with the Submit screen; until then ``--sandbox`` serves the practice server
in the foreground so a newcomer can try the API with curl or the CLI.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if "--sandbox" in argv:
        from runway_desktop.sandbox.__main__ import main as sandbox_main

        print(
            "Runway Desktop's window is not built yet; starting the practice server alone.",
            file=sys.stderr,
        )
        return sandbox_main([a for a in argv if a != "--sandbox"])
    print(
        "Runway Desktop's window is not built yet. Try: runway-desktop --sandbox", file=sys.stderr
    )
    return 2
