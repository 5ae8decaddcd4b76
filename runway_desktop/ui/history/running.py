"""Which submissions this app is sending right now, for the History screen: the screen's own
Resume and the runners it watches (the Submit screen's).

Only the Qt thread knows this, and the derivation needs it: a record left at "uploading" is
Sending while one of these runs it, and Interrupted once none does. ``changed`` tells the screen
that a watched runner started, stopped or finished (its list is to be derived again).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal

from runway_desktop.core.submit.events import Finished
from runway_desktop.history.records import utc_now
from runway_desktop.ui.event_adapter import connect_handlers
from runway_desktop.ui.history.resume import ResumeController
from runway_desktop.ui.submit.pipeline_runner import PipelineRunner, RunningChanged


class RunningSubmissions(QObject):
    changed = Signal()

    def __init__(
        self, resume: ResumeController, runner: PipelineRunner, on_change: Callable[[], None]
    ) -> None:
        """``runner``: the one ``resume`` runs on; ``on_change``: connected to ``changed``."""
        super().__init__(resume)
        self._resume = resume
        self._own = runner
        self.changed.connect(on_change)
        # Each watched runner with when it began running (None while it does not run).
        self._watched: list[tuple[PipelineRunner, datetime | None]] = []

    def watch(self, runner: PipelineRunner) -> None:
        """Follow another runner: its submission counts as being sent while it runs."""
        index = len(self._watched)
        self._watched.append((runner, None))

        def on_running(running: bool) -> None:
            began = utc_now() - timedelta(seconds=2) if running else None
            self._watched[index] = (runner, began)
            self.changed.emit()

        connect_handlers(runner.events, {
            RunningChanged: lambda e: on_running(e.running),
            Finished: lambda _e: self.changed.emit(),
        })  # fmt: skip

    def now(self) -> tuple[frozenset[int], tuple[datetime, ...]]:
        """(ids, since): the ids of the submissions being sent, and when each watched run
        began (its record may be newer than any id it has told yet)."""
        ids: set[int] = set()
        since: list[datetime] = []
        for runner, began in [(self._own, None), *self._watched]:
            if runner.is_running():
                if runner.submission_id is not None:
                    ids.add(runner.submission_id)
                if runner is self._own and self._resume.submission_id is not None:
                    ids.add(self._resume.submission_id)
                if began is not None:
                    since.append(began)
        return frozenset(ids), tuple(since)
