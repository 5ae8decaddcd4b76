"""The Qt adapter over SetDownloader and NewSetWatcher: a queue, per-set signals, watch mode.

Downloads run one set at a time (each set already fetches its files in parallel) as asyncio
tasks on the Qt loop; clicks, "Download selected" and the watch timer all feed the same lane,
so a set is never written by two downloads at once. Watch mode polls every partner of the
connection with the core watcher (lagging cursor, de-dup by uid, both persisted), and tells
the user through the tray when a watched download finishes or fails.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet
from runway_desktop.core.outputs.browse import STATE_QUEUED, LocalState, root_problem
from runway_desktop.core.outputs.downloader import (
    STATE_COMPLETE,
    STATE_DOWNLOADING,
    STATE_FAILED,
    SetDownload,
    SetDownloader,
    SetProgress,
    SetProgressCallback,
)
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.set_watcher import NewSetWatcher
from runway_desktop.ui.notifier import Notifier

# New sets appear minutes after a run; a poll a minute is prompt without pestering Runway.
WATCH_INTERVAL_MS = 60_000


class _ObservedDownloader(SetDownloader):
    """SetDownloader that reports each set's start, progress and end, one set at a time."""

    def __init__(self, controller: DownloadController, connection: Connection) -> None:
        services = controller.services
        super().__init__(
            connection.client,
            services.http,
            services.history,
            profile_name=connection.profile.name,
            assessment_name=services.assessment_name,
        )
        self.controller = controller

    async def download(
        self,
        output_set: OutputSet,
        root: Path,
        *,
        on_progress: SetProgressCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> SetDownload:
        controller = self.controller
        async with controller.lane:
            folder = self.folder_for(output_set, root)
            controller.report(output_set.uid, LocalState(STATE_DOWNLOADING, folder))

            def progress(p: SetProgress) -> None:
                controller.report(
                    p.set_uid, LocalState(STATE_DOWNLOADING, folder, fraction=p.byte_fraction)
                )
                if on_progress is not None:
                    on_progress(p)

            result = await super().download(
                output_set, root, on_progress=progress, cancel=cancel or controller.cancel_event
            )
        error = result.error
        state = LocalState(
            STATE_FAILED if error else STATE_COMPLETE,
            result.folder,
            f"{error.message} {error.next_step}".strip() if error else None,
            fraction=1.0,
        )
        controller.report(output_set.uid, state)
        controller.setFinished.emit(result)
        return result


class DownloadController(QObject):
    stateChanged = Signal(str, object)  # set uid, LocalState
    setFinished = Signal(object)  # SetDownload (clicked, selected or watched)
    batchFinished = Signal(object)  # list[SetDownload]: the queue ran empty
    watchingChanged = Signal(bool)
    watchProblem = Signal(str)  # a poll failed (plain words); empty text: polls work again

    def __init__(
        self, services: Session, notifier: Notifier, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.notifier = notifier
        self.root = Path.home()
        self.lane = asyncio.Lock()
        self.cancel_event = asyncio.Event()
        self._connection: Connection | None = None
        self._partners: list[str] = []
        self._downloader: _ObservedDownloader | None = None
        self._queue: deque[OutputSet] = deque()
        self._waiting: set[str] = set()
        self._batch: list[SetDownload] = []
        self._worker: asyncio.Future[None] | None = None
        self._poll: asyncio.Future[None] | None = None
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self.watch_timer.timeout.connect(self.on_watch_timer)
        self.last_poll: datetime | None = None

    # -- configuration -----------------------------------------------------------------------
    def configure(self, connection: Connection | None, partners: list[str]) -> None:
        self._connection = connection
        self._partners = list(partners)
        self._downloader = _ObservedDownloader(self, connection) if connection else None
        if self.watching:
            self.poll_now()

    def set_root(self, root: Path) -> None:
        self.root = root

    @property
    def watching(self) -> bool:
        return self.watch_timer.isActive()

    def is_busy(self) -> bool:
        return bool(self._queue) or (self._worker is not None and not self._worker.done())

    def state_of(self, uid: str) -> LocalState | None:
        return LocalState(STATE_QUEUED) if uid in self._waiting else None

    # -- clicked and selected downloads --------------------------------------------------------
    def download(self, sets: list[OutputSet]) -> int:
        """Queue ``sets`` (those not already waiting); returns how many were added."""
        added = 0
        for output_set in sets:
            if output_set.uid in self._waiting:
                continue
            self._queue.append(output_set)
            self._waiting.add(output_set.uid)
            self.report(output_set.uid, LocalState(STATE_QUEUED))
            added += 1
        if added and (self._worker is None or self._worker.done()):
            self._batch = []
            self._worker = asyncio.ensure_future(self._drain())
        return added

    async def _drain(self) -> None:
        problem = await asyncio.to_thread(root_problem, self.root)
        while problem is not None and self._queue and self._downloader is not None:
            output_set = self._queue.popleft()
            folder = self._downloader.folder_for(output_set, self.root)
            self._waiting.discard(output_set.uid)
            message = f"{problem.message} {problem.next_step}"
            self.report(output_set.uid, LocalState(STATE_FAILED, folder, message))
            self._batch.append(SetDownload(output_set, folder, (), problem))
        while self._queue and self._downloader is not None:
            output_set = self._queue.popleft()
            try:
                result = await self._downloader.download(output_set, self.root)
            finally:
                self._waiting.discard(output_set.uid)
            self._batch.append(result)
        self._queue.clear()
        self._waiting.clear()
        self.batchFinished.emit(list(self._batch))

    # -- watch mode ----------------------------------------------------------------------------
    def set_watching(self, on: bool) -> None:
        if on == self.watching:
            return
        prefs = self.services.preferences
        prefs.save(prefs.load().with_changes(download_new_automatically=on))
        if on:
            self._start_cursors()
            self.watch_timer.start()
            self.poll_now()
        else:
            self.watch_timer.stop()
        self.watchingChanged.emit(on)

    def _start_cursors(self) -> None:
        """First switch-on: "new" means from now on, not every set the partner ever had.

        An existing cursor is kept, so turning watching off and on later still fetches what
        arrived meanwhile; the watcher's lag covers sets stamped just before now.
        """
        if self._connection is None:
            return
        history, profile = self.services.history, self._connection.profile.name
        for partner in self._partners:
            if history.watch_cursor(profile, partner) is None:
                history.set_watch_cursor(profile, partner, datetime.now(UTC))

    def on_watch_timer(self) -> None:
        self.poll_now()

    def poll_now(self) -> asyncio.Future[None] | None:
        if self._connection is None or self._downloader is None:
            return None
        if self._poll is not None and not self._poll.done():
            return self._poll
        self._start_cursors()
        self._poll = asyncio.ensure_future(self._poll_all(self._connection, self._downloader))
        return self._poll

    async def _poll_all(self, connection: Connection, downloader: SetDownloader) -> None:
        results: list[SetDownload] = []
        try:
            for partner in self._partners:
                watcher = NewSetWatcher(
                    connection.client, downloader, self.services.history,
                    profile_name=connection.profile.name, partner=partner, root=self.root,
                )  # fmt: skip
                results.extend((await watcher.poll_once()).downloads)
        except RunwayError as error:
            self.watchProblem.emit(
                f"Could not check for new results: {error.message} {error.next_step}".strip()
            )
        else:
            self.watchProblem.emit("")
        self.last_poll = datetime.now(UTC)
        self._notify(results)

    def _notify(self, results: list[SetDownload]) -> None:
        done = [r for r in results if r.ok]
        failed = [r for r in results if not r.ok]
        if done:
            count = len(done)
            where = done[0].folder if count == 1 else self.root
            self.notifier.notify(
                "New results downloaded" if count > 1 else "New result downloaded",
                f"{count} output set{'s' if count > 1 else ''} saved in {where}",
            )
        if failed:
            first = failed[0].error
            detail = f"{first.message} {first.next_step}".strip() if first else ""
            self.notifier.notify(
                f"{len(failed)} new result{'s' if len(failed) > 1 else ''} could not be downloaded",
                detail + " The next check tries again.",
                error=True,
            )

    # -- plumbing ------------------------------------------------------------------------------
    def report(self, uid: str, state: LocalState) -> None:
        self.stateChanged.emit(uid, state)

    def shutdown(self) -> None:
        """Stop polling and let running transfers stop at their next chunk (.part kept)."""
        self.watch_timer.stop()
        self.cancel_event.set()
        self._queue.clear()
