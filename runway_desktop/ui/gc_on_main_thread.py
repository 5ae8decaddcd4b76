"""Run Python's cyclic garbage collector on the Qt thread only.

Worker threads (CSV checks via asyncio.to_thread, the in-process practice server) allocate
plenty, so automatic collection often starts on one of them. If that collection frees a cycle
holding a Qt object, the C++ destructor runs on the wrong thread and Qt can crash (seen as a
SIGSEGV in timer handling). So automatic collection is switched off and this timer collects,
generation by generation, when the allocation counters say it is time — always on this thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 500


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.on_check)
        self._timer.start()

    def on_check(self) -> None:
        counts = gc.get_count()
        # Same rule as the automatic collector: the oldest generation whose count is over.
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return

    def freeze_startup_objects(self) -> None:
        """Move everything alive after start-up (modules, widgets, the registry) out of the
        collector's sight: otherwise each full collection walks them all again, and a CSV
        check that allocates heavily triggers 200 ms pauses of the window."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
