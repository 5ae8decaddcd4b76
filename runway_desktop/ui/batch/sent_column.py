"""The plan's "Sent" column before sending: were these exact files (same MD5s) sent for the
same target, and when? In the core's words (core/batch/sent_before.py), or "not sent yet".

The files are hashed in a worker thread, one submission after another (the machine's CPUs are
the clerk's too); each file once per plan, so a row edited later is only looked up again. The
look is cancelled when a new folder is planned, the batch is sent, or the window closes, and
the hashing stops at its next read. A file History vouches for (sent and started before, same
size and modification time) is not read at all (``recorded_md5``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.batch.sent_before import SentFiles, item_md5s, sent_before
from runway_desktop.core.session import Session
from runway_desktop.ui.batch.plan_tree import PlanTree

log = logging.getLogger(__name__)


class SentColumn(QObject):
    looked = Signal()  # every row asked for has its answer (tests and screenshots wait on it)

    def __init__(self, tree: PlanTree, services: Session, partner: str) -> None:
        super().__init__(tree)
        self.tree, self.services, self.partner = tree, services, partner
        self._md5s: dict[Path, str] = {}  # by path, for this plan: read in the worker only
        self._sent: SentFiles | None = None  # History's sent files: read in the worker, once
        self._pending: list[int] = []
        self._current: int | None = None  # the row being looked at
        self._task: asyncio.Future[None] | None = None
        self._stop = threading.Event()

    def checking_text(self) -> str:
        return self.tr("checking…")

    def is_looking(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, rows: list[int], *, new_plan: bool = False) -> None:
        """Look at these rows afresh (a new plan: its files are hashed again)."""
        self.cancel()
        if new_plan:
            self._md5s, self._sent = {}, None
        for index in rows:
            self.recheck(index)

    def recheck(self, index: int) -> None:
        """The row changed (its files or target): look at it again."""
        self.tree.set_sent(index, self.checking_text())
        if index not in self._pending:
            self._pending.append(index)
        if not self.is_looking():
            self._stop = threading.Event()
            self._task = asyncio.ensure_future(self._look(self._stop))

    def cancel(self) -> None:
        """Stop looking; the rows not looked at yet say nothing."""
        self._stop.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        for index in [*self._pending, *([] if self._current is None else [self._current])]:
            if index < self.tree.row_count() and self.tree.sent_text(index) == self.checking_text():
                self.tree.set_sent(index, "")
        self._pending, self._current = [], None

    async def _look(self, stop: threading.Event) -> None:
        while self._pending:
            index = self._current = self._pending.pop(0)
            item = self.tree.item(index)  # as the row now stands
            try:
                text = await asyncio.to_thread(self._answer, item, self._md5s, stop)
            except Exception:  # a notice: an unreadable history must not break the window
                log.exception("looking for an earlier submission of %s failed", item.bundle)
                text = self.tr("couldn't tell")
            self._current = None
            if index not in self._pending:  # else edited meanwhile: the next answer counts
                self.tree.set_sent(index, text if text is not None else self.tr("not sent yet"))
        self.looked.emit()

    def _answer(self, item: PlanItem, known: dict[Path, str], stop: threading.Event) -> str | None:
        """In the worker thread."""
        if self._sent is None:
            self._sent = self.services.history.sent_file_md5s()
        md5s = item_md5s(item, known, stop.is_set, self._sent)
        return sent_before(self.services.history, self.services.registry, self.partner, item, md5s)
