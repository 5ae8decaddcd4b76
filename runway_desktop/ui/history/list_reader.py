"""The History list's reading loop: every submission read and derived in a worker thread
(``core.history_view``, no cap on the list), each search filtered and sorted there too, and
the results handed to the Qt thread as events (one ``events`` signal carrying ListRead,
RowsSelected and ReadFailed).

One round runs at a time. Requests made while it runs only raise flags, which the round sees
and goes again for: however fast they come (a keystroke each), one read and one selection are
ever in flight, and the last request is always served.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from runway_desktop.core import history_view as view
from runway_desktop.core.history_view import HistoryFilter, HistoryRow, Sorting, ViewInputs
from runway_desktop.history.store import HistoryStore

log = logging.getLogger(__name__)
SEARCH_DEBOUNCE_MS = 150  # one search after the typing pauses, never one per keystroke
FIRST_ROWS = 200  # read and shown first when the screen opens (a screenful and then some)


@dataclass(frozen=True)
class ListRead:
    """The submissions were read again and derived (on opening, maybe only the newest)."""

    loaded: view.Loaded


@dataclass(frozen=True)
class RowsSelected:
    """The rows the filter lets through, in the chosen order: what the list is to show."""

    rows: list[HistoryRow]


@dataclass(frozen=True)
class ReadFailed:
    error: BaseException


HistoryListEvent = ListRead | RowsSelected | ReadFailed


class HistoryListReader(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a HistoryListEvent

    def __init__(
        self,
        history: HistoryStore,
        assessment_name: Callable[[str | None], str],
        *,
        inputs: Callable[[], ViewInputs],
        question: Callable[[], tuple[HistoryFilter, Sorting]],
        parent: QObject | None = None,
    ) -> None:
        """``inputs``: what only the Qt thread knows, for the derivation; ``question``: the
        filter and the sorting to select the rows by, asked when a selection begins."""
        super().__init__(parent)
        self._history = history
        self._assessment_name = assessment_name
        self._inputs = inputs
        self._question = question
        self.loaded: view.Loaded | None = None  # the latest reading (every row, unfiltered)
        self._task: asyncio.Future[None] | None = None
        self._need_load = self._need_select = False
        self._stopped = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.select)

    def read(self) -> None:
        """Read and derive every submission again, then select the rows to show."""
        self._kick(load=True)

    def select(self) -> None:
        """Select the rows to show again from the latest reading (a new filter or sorting)."""
        self._kick(load=False)

    def select_soon(self) -> None:
        self._debounce.start()  # restarted by every keystroke: one search when typing pauses

    def pending(self) -> bool:
        """A request came after the round now delivering its rows: newer rows will follow."""
        return self._need_load or self._need_select

    def stop(self) -> None:
        """Read nothing more (the history store may be closed next)."""
        self._stopped = True
        self._debounce.stop()
        if self._task is not None:
            # A thread's read may still run; its rows are no longer wanted, and the task
            # must not outlive the loop it belongs to.
            self._task.cancel()

    def stopped(self) -> bool:
        # A method, not the attribute: after an await the loop must ask again (mypy would
        # otherwise keep the value it saw before).
        return self._stopped

    def _kick(self, *, load: bool) -> None:
        self._need_load = self._need_load or load
        self._need_select = True
        if self._stopped or (self._task is not None and not self._task.done()):
            return  # the running round sees the flags and goes again
        self._task = asyncio.ensure_future(self._work())
        self._task.add_done_callback(self._work_done)

    async def _work(self) -> None:
        while (self._need_load or self._need_select) and not self._stopped:
            if self._need_load or self.loaded is None:
                self._need_load = False
                inputs = self._inputs()
                if self.loaded is None:
                    # Opening: the newest rows first, shown at once; the rest follows.
                    self.loaded = await asyncio.to_thread(
                        view.load, self._history, inputs, self._assessment_name,
                        newest=FIRST_ROWS,
                    )  # fmt: skip
                    if not self.loaded.complete:
                        self._need_load = True
                else:
                    self.loaded = await asyncio.to_thread(
                        view.load, self._history, inputs, self._assessment_name
                    )
                if self.stopped():  # stopped while the thread read
                    return
                self.events.emit(ListRead(self.loaded))
            self._need_select = False
            chosen, sorting = self._question()
            shown = await asyncio.to_thread(view.select, self.loaded.rows, chosen, sorting)
            if not self.stopped():
                self.events.emit(RowsSelected(shown))

    def _work_done(self, task: asyncio.Future[None]) -> None:
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("reading the history failed", exc_info=exc)
            self.events.emit(ReadFailed(exc))
