"""Background status polling for the History screen: a timer around the Qt-free
``core.status_poll.StatusPoller``, with a desktop notification when a submission gets its result
or reaches "No result yet", worded by the core's one state table. One ``events`` signal
carries each round's PollReport, then StatusesChanged when states changed, and PollingActive.

Gentle by design: one request per (profile, partner) per round, rounds only while something
is waiting, a minute apart, and further apart after failures. A round never overlaps the next.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from runway_desktop.core.history_view import year_text
from runway_desktop.core.status_poll import PollReport, StatusChange, StatusPoller
from runway_desktop.core.submission_state import SubmissionState
from runway_desktop.ui.notifier import Notifier

log = logging.getLogger(__name__)
INTERVAL_MS = 60_000
MAX_INTERVAL_MS = 10 * 60_000
# Worth interrupting someone for: a result, or the point where waiting has gone on too long.
# "Couldn't reach Runway" is not: it passes on its own and says nothing about the job.
NOTIFIED = (SubmissionState.PROCESSED, SubmissionState.LOADED, SubmissionState.NO_RESULT_YET)


def notification_for(change: StatusChange, assessment: str) -> tuple[str, str, bool] | None:
    """(title, text, error) for a change worth interrupting someone for; None otherwise.
    The title is the state's label and the text its next step: the words History shows."""
    if change.after not in NOTIFIED:
        return None
    r, derived = change.record, change.derived
    what = QCoreApplication.translate("StatusPollTimer", "{assessment} for {tenant}, {year}")
    what = what.format(
        assessment=assessment, tenant=r.tenant, year=year_text(r.school_year) or r.school_year
    )
    return (derived.label, f"{what}: {derived.next_step}", derived.tone != "success")


@dataclass(frozen=True)
class StatusesChanged:
    """A round found submissions whose state changed (told after its PollReport)."""

    changes: tuple[StatusChange, ...]


@dataclass(frozen=True)
class PollingActive:
    """Rounds are scheduled (True) or not."""

    active: bool


StatusPollEvent = PollReport | StatusesChanged | PollingActive


class StatusPollTimer(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a StatusPollEvent: the core's PollReport of every round, …

    def __init__(
        self,
        poller: StatusPoller,
        notifier: Notifier,
        assessment_name: Callable[[str | None], str],
        parent: QObject | None = None,
        *,
        interval_ms: int = INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.poller = poller
        self.notifier = notifier
        self._assessment_name = assessment_name
        self.interval_ms = interval_ms
        self._delay_ms = interval_ms
        self._task: asyncio.Future[PollReport] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll_now)
        self._active = False
        self._stopped = False
        # Whether something waits for Runway and can be asked about: told by the page, which
        # knows it from rows derived off the Qt thread (asking the store here would block it).
        self._pollable = False

    @property
    def active(self) -> bool:
        return self._active

    def is_polling(self) -> bool:
        return self._task is not None and not self._task.done()

    def ensure_running(self, pollable: bool | None = None) -> None:
        """Schedule rounds when something is waiting; stop when nothing is. ``pollable``:
        the page's latest answer (None: keep the last one)."""
        if pollable is not None:
            self._pollable = pollable
        if self._stopped or self.is_polling():
            return
        if self._pollable:
            if not self._timer.isActive():
                self._timer.start(self._delay_ms)
            self._set_active(True)
        else:
            self._timer.stop()
            self._set_active(False)

    def stop(self) -> None:
        """For good (shutdown): no more rounds, and the result of one in flight is dropped,
        since the history store may be closed right after."""
        self._stopped = True
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()
        self._set_active(False)

    def poll_now(self) -> None:
        """One round now (also what the timer calls); ignored while a round is running."""
        if self._stopped or self.is_polling():
            return
        self._timer.stop()
        self._task = asyncio.ensure_future(self.poller.poll_once())
        self._task.add_done_callback(self._on_done)

    def _on_done(self, task: asyncio.Future[PollReport]) -> None:
        self._task = None
        if task.cancelled() or self._stopped:
            return
        if (exc := task.exception()) is not None:
            log.warning("status poll failed: %r", exc)
            report = PollReport()
            self._delay_ms = min(self._delay_ms * 2, MAX_INTERVAL_MS)
        else:
            report = task.result()
            failed = bool(report.errors) and not report.polled
            self._delay_ms = (
                min(self._delay_ms * 2, MAX_INTERVAL_MS) if failed else self.interval_ms
            )
            for profile, partner, error in report.errors:
                log.info("status poll for %s/%s failed: %s", profile, partner, error.message)
            self._notify(report.changes)
            self._pollable = report.still_waiting > 0 and bool(report.polled or report.errors)
        self.events.emit(report)
        if report.changes:
            self.events.emit(StatusesChanged(report.changes))
        self.ensure_running()

    def _notify(self, changes: tuple[StatusChange, ...]) -> None:
        for change in changes:
            note = notification_for(change, self._assessment_name(change.record.bundle))
            if note is not None:
                log.info("submission #%s: %s", change.submission_id, change.after)
                self.notifier.notify(note[0], note[1], error=note[2])

    def _set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            self.events.emit(PollingActive(active))
