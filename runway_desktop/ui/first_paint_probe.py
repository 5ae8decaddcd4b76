"""For the cold-start benchmark: say when the main window has painted for the first time."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


class FirstPaintProbe(QObject):
    """Prints ``startup-ready <monotonic_ns>`` on stderr after the first paint, then quits."""

    def __init__(self, window: QObject, app: QApplication) -> None:
        super().__init__(window)
        self._app = app
        self._seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._seen:
            self._seen = True
            QTimer.singleShot(0, self.on_painted)
        return False

    def on_painted(self) -> None:
        print(f"startup-ready {time.monotonic_ns()}", file=sys.stderr, flush=True)
        self._app.quit()
