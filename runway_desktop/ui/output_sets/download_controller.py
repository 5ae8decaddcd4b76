"""The thin Qt adapter over the core's DownloadQueue: its events become one signal.

The queue, its one lane, watch polls, cursors and the choice of notifications live in
core/outputs/download_queue.py (the CLI uses the same queue). This adds only what needs Qt:
the watch timer, the tray notifications, and ``events``, which carries the queue's event
values (SetStateChanged, SetFinished, QueueEmptied, WatchProblem, …) to the views.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from runway_desktop.api.models import OutputSet
from runway_desktop.core.outputs.browse import LocalState
from runway_desktop.core.outputs.download_queue import DownloadEvent, DownloadQueue, WatchPolled
from runway_desktop.core.outputs.downloader import SetDownloader
from runway_desktop.core.session import Connection, Session
from runway_desktop.ui.notifier import Notifier

# New sets appear minutes after a run; a poll a minute is prompt without pestering Runway.
WATCH_INTERVAL_MS = 60_000


class DownloadController(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events (deferred deletes, child events).
    events = Signal(object)  # a DownloadEvent of core/outputs/download_queue.py

    def __init__(
        self, services: Session, notifier: Notifier, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.notifier = notifier
        self.queue = DownloadQueue(
            self._on_event, root=Path.home(), check_root=True, preferences=services.preferences
        )
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(WATCH_INTERVAL_MS)
        self.watch_timer.timeout.connect(self.on_watch_timer)

    # -- configuration -----------------------------------------------------------------------
    def configure(self, connection: Connection | None, partners: list[str]) -> None:
        worker = None
        if connection is not None:
            services = self.services
            worker = SetDownloader(
                connection.client,
                services.http,
                services.history,
                profile_name=connection.profile.name,
                assessment_name=services.assessment_name,
            )
        self.queue.configure(worker, partners)

    def set_root(self, root: Path) -> None:
        self.queue.root = root

    @property
    def root(self) -> Path:
        return self.queue.root

    @property
    def watching(self) -> bool:
        return self.watch_timer.isActive()

    @property
    def last_poll(self) -> datetime | None:
        return self.queue.last_poll

    def is_busy(self) -> bool:
        return self.queue.is_busy()

    def state_of(self, uid: str) -> LocalState | None:
        return self.queue.state_of(uid)

    # -- downloads and watch mode ----------------------------------------------------------------
    def download(self, sets: list[OutputSet]) -> int:
        """Queue ``sets`` (those not already waiting); returns how many were added."""
        return self.queue.add(sets)

    def set_watching(self, on: bool) -> None:
        if on == self.watching:
            return
        # The timer first: the queue's first poll and its WatchingChanged follow at once.
        if on:
            self.watch_timer.start()
        else:
            self.watch_timer.stop()
        self.queue.set_watching(on)

    def on_watch_timer(self) -> None:
        self.poll_now()

    def poll_now(self) -> asyncio.Future[None] | None:
        return self.queue.poll_now()

    def shutdown(self) -> None:
        """Stop polling and let running transfers stop at their next chunk (.part kept)."""
        self.watch_timer.stop()
        self.queue.shutdown()

    # -- the queue's events ------------------------------------------------------------------------
    def _on_event(self, event: DownloadEvent) -> None:
        if isinstance(event, WatchPolled):  # the tray is Qt's: the core only chose the words
            for notice in event.notices:
                self.notifier.notify(notice.title, notice.text, error=notice.error)
        self.events.emit(event)
