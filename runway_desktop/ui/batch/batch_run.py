"""The thin Qt adapter over the core's BatchRunner: its plain events become one signal.

The run is an asyncio task on the Qt loop (qasync): uploads and history writes inside it never
block the UI thread. ``events`` carries the core's ItemStarted / ItemStep / ItemFinished
unchanged, then ``BatchDone`` once however the task ended.

"Pause" holds and "Stop" ends the rest of the queue through the core runner's
``QueueControl``: items not yet begun wait, or are not sent (each gets an outcome saying so);
the ones under way finish, so no upload is cut off half-way.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, Signal

from runway_desktop.core.batch.plan import BatchPlan
from runway_desktop.core.batch.run import BatchRunner, ItemOutcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchDone:
    outcomes: tuple[ItemOutcome, ...]
    error: str = ""  # the run itself failed (not one item): in plain words


class BatchRun(QObject):
    events = Signal(object)  # a BatchEvent or BatchDone

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner: BatchRunner | None = None
        self._task: asyncio.Future[list[ItemOutcome]] | None = None

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, runner: BatchRunner, plan: BatchPlan, partner: str) -> None:
        if self.is_running():
            return
        runner.listener = self.events.emit
        self._runner = runner
        self._task = asyncio.ensure_future(runner.run(plan, partner))
        self._task.add_done_callback(self._on_done)

    def stop_queue(self) -> None:
        if self._runner is not None:
            self._runner.control.stop()

    def pause_queue(self) -> None:
        if self._runner is not None:
            self._runner.control.pause()

    def resume_queue(self) -> None:
        if self._runner is not None:
            self._runner.control.resume()

    def is_paused(self) -> bool:
        return self._runner is not None and self._runner.control.paused

    def abort(self) -> None:
        """The window is closing: stop everything now (an interrupted item is resumed by the
        next run of the plan, never started twice)."""
        self.stop_queue()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _on_done(self, task: asyncio.Future[list[ItemOutcome]]) -> None:
        if not shiboken6.isValid(self):
            return  # the window was closed (and deleted) while the run was being stopped
        if task.cancelled():
            self.events.emit(BatchDone((), "The batch was stopped."))
            return
        error = task.exception()
        if error is not None:
            log.error("batch run failed", exc_info=error)
            self.events.emit(BatchDone((), f"The batch could not be sent: {error}"))
            return
        self.events.emit(BatchDone(tuple(task.result())))
