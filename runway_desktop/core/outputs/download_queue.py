"""The one download queue of a front end: one lane, watch mode and its cursors, plain events.

Both front ends drive it. The GUI feeds it clicks, "Download selected" and the watch timer;
the CLI's ``outputs download`` feeds it explicit uids or ``--new``. Sets download one at a
time (each set already fetches its files in parallel): every download, queued or watched,
takes the same lane, so this process never writes a set twice at once (other processes are
kept out by the set's claim, see claims.py). What happens is told to one listener as frozen
event values, in the order it happens; the GUI turns them into one Qt signal.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet
from runway_desktop.core.outputs.browse import (
    STATE_QUEUED,
    LocalState,
    root_problem,
    verification_pairs,
)
from runway_desktop.core.outputs.downloader import (
    STATE_COMPLETE,
    STATE_DOWNLOADING,
    STATE_FAILED,
    SetDownload,
    SetDownloader,
    SetProgress,
    SetProgressCallback,
)
from runway_desktop.core.set_watcher import NewSetWatcher, PollResult
from runway_desktop.settings.preferences import PreferencesStore


@dataclass(frozen=True)
class SetStateChanged:
    """Where a set stands now: queued, downloading (with its fraction), complete or failed."""

    uid: str
    state: LocalState


@dataclass(frozen=True)
class SetStarted:
    """A set took the lane and its download begins (the CLI says so, one line a set)."""

    output_set: OutputSet
    folder: Path


@dataclass(frozen=True)
class SetFinished:
    """A set's download ended, well or not (clicked, selected or watched)."""

    download: SetDownload


@dataclass(frozen=True)
class QueueEmptied:
    """The queue ran empty: every set added since it last did, in the order they ran."""

    downloads: tuple[SetDownload, ...]


@dataclass(frozen=True)
class WatchProblem:
    """A watch poll failed, in plain words; empty text: polls work again."""

    text: str


@dataclass(frozen=True)
class DownloadNotice:
    """A desktop notification worth showing after a watch poll."""

    title: str
    text: str
    error: bool = False


@dataclass(frozen=True)
class WatchPolled:
    """A watch poll of every partner ended: what it downloaded and what to tell the user."""

    downloads: tuple[SetDownload, ...]
    notices: tuple[DownloadNotice, ...]


@dataclass(frozen=True)
class WatchingChanged:
    on: bool


DownloadEvent = (
    SetStateChanged
    | SetStarted
    | SetFinished
    | QueueEmptied
    | WatchProblem
    | WatchPolled
    | WatchingChanged
)
DownloadListener = Callable[[DownloadEvent], None]


def _words(error: RunwayError) -> str:
    return f"{error.message} {error.next_step}".strip()


def watch_notices(results: Sequence[SetDownload], root: Path) -> tuple[DownloadNotice, ...]:
    """What a watch poll tells through the tray: what arrived, and what failed (retried)."""
    notices: list[DownloadNotice] = []
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        count = len(done)
        where = done[0].folder if count == 1 else root
        notices.append(
            DownloadNotice(
                "New results downloaded" if count > 1 else "New result downloaded",
                f"{count} output set{'s' if count > 1 else ''} saved in {where}",
            )
        )
    if failed:
        first = failed[0].error
        detail = _words(first) if first else ""
        count = len(failed)
        notices.append(
            DownloadNotice(
                f"{count} new result{'s' if count > 1 else ''} could not be downloaded",
                detail + " The next check tries again.",
                error=True,
            )
        )
    return tuple(notices)


class _LaneDownloader(SetDownloader):
    """The per-set worker as seen through the queue: every download takes the one lane and
    reports its start, progress and end. Handed to NewSetWatcher, so watched sets share the
    lane with clicked ones."""

    def __init__(self, queue: DownloadQueue, worker: SetDownloader) -> None:
        super().__init__(
            worker.client,
            worker.http,
            worker.history,
            profile_name=worker.profile_name,
            assessment_name=worker.assessment_name,
        )
        self.queue = queue
        self.worker = worker

    def folder_for(self, output_set: OutputSet, root: Path) -> Path:
        return self.worker.folder_for(output_set, root)

    async def download(
        self,
        output_set: OutputSet,
        root: Path,
        *,
        on_progress: SetProgressCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> SetDownload:
        queue = self.queue
        async with queue.lane:
            folder = self.folder_for(output_set, root)
            queue.tell(SetStarted(output_set, folder))
            queue.tell(SetStateChanged(output_set.uid, LocalState(STATE_DOWNLOADING, folder)))

            def progress(p: SetProgress) -> None:
                state = LocalState(STATE_DOWNLOADING, folder, fraction=p.byte_fraction)
                queue.tell(SetStateChanged(p.set_uid, state))
                if on_progress is not None:
                    on_progress(p)

            result = await self.worker.download(
                output_set, root, on_progress=progress, cancel=cancel or queue.cancel_event
            )
        error = result.error
        state = LocalState(
            STATE_FAILED if error else STATE_COMPLETE,
            result.folder,
            _words(error) if error else None,
            fraction=1.0,
            verification=verification_pairs(result.verification),
        )
        queue.tell(SetStateChanged(output_set.uid, state))
        queue.tell(SetFinished(result))
        return result


class DownloadQueue:
    """One lane of downloads, fed by ``add`` and by watch polls; events to ``listener``.

    ``check_root``: look once per batch whether anything can be saved under the root, and
    fail every queued set with that reason (the GUI's words name its "Change…" button; the
    CLI keeps the per-set error instead). ``preferences``: where switching watch mode is
    remembered (the GUI's preference; the CLI has none).
    """

    def __init__(
        self,
        listener: DownloadListener | None = None,
        *,
        root: Path,
        check_root: bool = True,
        preferences: PreferencesStore | None = None,
    ) -> None:
        self.listener = listener
        self.root = root
        self.check_root = check_root
        self.preferences = preferences
        self.lane = asyncio.Lock()
        self.cancel_event = asyncio.Event()
        self.watching = False
        self.last_poll: datetime | None = None
        self._downloader: _LaneDownloader | None = None
        self._partners: list[str] = []
        self._queue: deque[OutputSet] = deque()
        self._waiting: set[str] = set()
        self._batch: list[SetDownload] = []
        self._drain_task: asyncio.Future[tuple[SetDownload, ...]] | None = None
        self._poll_task: asyncio.Future[None] | None = None

    # -- configuration -----------------------------------------------------------------------
    def configure(self, worker: SetDownloader | None, partners: Iterable[str] = ()) -> None:
        """The connection's worker (None: no connection) and the partners watch mode polls."""
        self._downloader = _LaneDownloader(self, worker) if worker is not None else None
        self._partners = list(partners)
        if self.watching:
            self.poll_now()

    def tell(self, event: DownloadEvent) -> None:
        if self.listener is not None:
            self.listener(event)

    def is_busy(self) -> bool:
        running = self._drain_task is not None and not self._drain_task.done()
        return bool(self._queue) or running

    def state_of(self, uid: str) -> LocalState | None:
        return LocalState(STATE_QUEUED) if uid in self._waiting else None

    # -- queued downloads ----------------------------------------------------------------------
    def add(self, sets: Iterable[OutputSet]) -> int:
        """Queue ``sets`` (those not already waiting); returns how many were added."""
        added = 0
        for output_set in sets:
            if output_set.uid in self._waiting:
                continue
            self._queue.append(output_set)
            self._waiting.add(output_set.uid)
            self.tell(SetStateChanged(output_set.uid, LocalState(STATE_QUEUED)))
            added += 1
        if added and (self._drain_task is None or self._drain_task.done()):
            self._batch = []
            self._drain_task = asyncio.ensure_future(self._drain())
        return added

    async def join(self) -> tuple[SetDownload, ...]:
        """Wait until the queue runs empty; the downloads of that batch, in order."""
        if self._drain_task is None:
            return ()
        return await self._drain_task

    async def download_all(self, sets: Iterable[OutputSet]) -> tuple[SetDownload, ...]:
        self.add(sets)
        return await self.join()

    async def _drain(self) -> tuple[SetDownload, ...]:
        problem = await asyncio.to_thread(root_problem, self.root) if self.check_root else None
        while problem is not None and self._queue and self._downloader is not None:
            output_set = self._queue.popleft()
            folder = self._downloader.folder_for(output_set, self.root)
            self._waiting.discard(output_set.uid)
            state = LocalState(STATE_FAILED, folder, f"{problem.message} {problem.next_step}")
            self.tell(SetStateChanged(output_set.uid, state))
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
        batch = tuple(self._batch)
        self.tell(QueueEmptied(batch))
        return batch

    # -- watch mode ----------------------------------------------------------------------------
    def set_watching(self, on: bool) -> bool:
        """Switch watch mode (remembered in the preferences); False when nothing changed."""
        if on == self.watching:
            return False
        if self.preferences is not None:
            prefs = self.preferences
            prefs.save(prefs.load().with_changes(download_new_automatically=on))
        self.watching = on
        if on:
            self.start_cursors()
            self.poll_now()
        self.tell(WatchingChanged(on))
        return True

    def start_cursors(self) -> None:
        """First switch-on: "new" means from now on, not every set the partner ever had.

        An existing cursor is kept, so turning watching off and on later still fetches what
        arrived meanwhile; the watcher's lag covers sets stamped just before now. (The CLI's
        ``--new`` never calls this: its first run fetches everything not yet downloaded.)
        """
        if self._downloader is None:
            return
        history, profile = self._downloader.history, self._downloader.profile_name
        for partner in self._partners:
            if history.watch_cursor(profile, partner) is None:
                history.set_watch_cursor(profile, partner, datetime.now(UTC))

    def poll_now(self) -> asyncio.Future[None] | None:
        """Poll every partner now, unless a poll is running (then that one); None: no
        connection."""
        if self._downloader is None:
            return None
        if self._poll_task is not None and not self._poll_task.done():
            return self._poll_task
        self.start_cursors()
        self._poll_task = asyncio.ensure_future(self.poll_all())
        return self._poll_task

    async def poll(self, partner: str) -> PollResult:
        """One partner's new sets, downloaded through the lane; Runway's errors propagate."""
        downloader = self._downloader
        if downloader is None:
            raise RuntimeError("the download queue has no connection")
        watcher = NewSetWatcher(
            downloader.client, downloader, downloader.history,
            profile_name=downloader.profile_name, partner=partner, root=self.root,
        )  # fmt: skip
        return await watcher.poll_once()

    async def poll_all(self) -> None:
        """Watch mode's poll: every partner, a failure told as a WatchProblem, then notices."""
        results: list[SetDownload] = []
        try:
            for partner in self._partners:
                results.extend((await self.poll(partner)).downloads)
        except RunwayError as error:
            self.tell(WatchProblem(f"Could not check for new results: {_words(error)}".strip()))
        else:
            self.tell(WatchProblem(""))
        self.last_poll = datetime.now(UTC)
        downloads = tuple(results)
        self.tell(WatchPolled(downloads, watch_notices(downloads, self.root)))

    # -- the end -------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop watching and let running transfers stop at their next chunk (.part kept)."""
        self.watching = False
        self.cancel_event.set()
        self._queue.clear()
