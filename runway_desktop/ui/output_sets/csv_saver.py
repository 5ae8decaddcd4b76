"""The thin Qt adapter over core/outputs/csv_export.py: "Save as CSV for Excel".

The conversion reads each JSONL file twice and writes a CSV: seconds for a large set, so it
runs in a worker thread (asyncio.to_thread under qasync), never on the Qt thread. ``events``
carries the core's CsvSaved once the sets asked for are done.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal

from runway_desktop.core.outputs.csv_export import CsvSaved, export_recorded
from runway_desktop.core.session import Session


class CsvSaver(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a CsvSaved of core/outputs/csv_export.py
    busyChanged = Signal(bool)

    def __init__(self, services: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.task: asyncio.Future[None] | None = None
        # A flag, not "the task is not done": busyChanged(False) is told from inside the task.
        self._busy = False

    def is_busy(self) -> bool:
        return self._busy

    def save(self, profile: str, set_uids: list[str]) -> asyncio.Future[None] | None:
        """Write the sets' CSVs beside their JSONL files; one at a time (a second click while
        busy is ignored: the same files would be written twice)."""
        if self.is_busy() or not set_uids:
            return None
        self._busy = True
        self.busyChanged.emit(True)
        self.task = asyncio.ensure_future(self._save(profile, list(set_uids)))
        # Cancelled before it ran (shutdown), ``finally`` never runs: not busy either way.
        self.task.add_done_callback(lambda _task: setattr(self, "_busy", False))
        return self.task

    async def _save(self, profile: str, set_uids: list[str]) -> None:
        try:
            history = self.services.history
            saved: CsvSaved = await asyncio.to_thread(export_recorded, history, profile, set_uids)
        finally:
            self._busy = False
            self.busyChanged.emit(False)
        self.events.emit(saved)

    def cancel(self) -> None:
        # The thread runs to its end (a CSV is replaced atomically, so nothing is left half
        # written); only the message about it is dropped.
        if self.task is not None:
            self.task.cancel()
