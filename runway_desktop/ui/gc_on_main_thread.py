"""Run Python's cyclic garbage collector on the Qt thread only.

The window hands blocking work to threads (asyncio.to_thread: history reads, the 100k-row
listing preparation, file identification). Those threads allocate plenty, so an automatic
collection often starts on one of them. If it frees a cycle holding a Qt object (a label, a
dialog, the window), the C++ destructor runs on the wrong thread, which Qt forbids and which
can crash (seen as a SIGSEGV in timer handling; the GUI tests saw QLabel, QPushButton and
MainWindow wrappers freed on executor threads with a gc.callbacks probe). So automatic
collection is switched off and this timer collects, generation by generation, when the
allocation counters say it is time: always on this thread.

The practice server no longer shares this interpreter (it is a child process), and the CSV
scan runs in worker processes; the lateness benchmark (tests/benchmarks) shows the timer's
collections stay far below a frame (≤ 5 ms).
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

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
