"""The line in a submission's detail that names the batches it is part of, each with the
batch's own summary (the core's words, core/batch/summary.py).

History is read off the Qt thread; an answer for a submission no longer shown is dropped.
"""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from runway_desktop.core.batch.summary import summarize
from runway_desktop.history.records import utc_now
from runway_desktop.history.store import HistoryStore


class BatchLine(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DetailBatches")
        self.setTextFormat(Qt.TextFormat.PlainText)  # a folder's name is data
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()
        self._shown_for: int | None = None
        self.reading: asyncio.Future[list[str]] | None = None

    def show_for(self, history: HistoryStore, submission_id: int) -> None:
        if self._shown_for != submission_id:
            self.hide()
        self._shown_for = submission_id

        def read() -> list[str]:
            now = utc_now()
            return [summarize(b, history, now).text() for b in history.batches_of(submission_id)]

        self.reading = asyncio.ensure_future(asyncio.to_thread(read))
        self.reading.add_done_callback(lambda task: self._on_read(submission_id, task))

    def _on_read(self, submission_id: int, task: asyncio.Future[list[str]]) -> None:
        if not shiboken6.isValid(self) or task.cancelled() or submission_id != self._shown_for:
            return
        if task.exception() is not None:
            self.hide()  # History could not be read: the rest of the detail still shows
            return
        texts = task.result()
        lines = [self.tr("Part of {summary}").format(summary=text) for text in texts]
        self.setText("\n".join(lines))
        self.setVisible(bool(lines))
