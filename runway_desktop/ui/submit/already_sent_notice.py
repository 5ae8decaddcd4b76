"""The Submit screen's "already sent" line: these exact files (same MD5s) were sent for the same
assessment, district and school year before, and when. A notice, never a blocker: sending the
same files again is sometimes meant (a run that failed on Runway's side).

It follows the form by itself (its ``changed`` signal, and the form showing again after a
submission), so the page only places it. The history is read in a worker thread; the MD5s are
the finished file checks' (nothing is hashed here), and an answer that arrives after the form
changed again is dropped.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from runway_desktop.core.history_actions import already_sent, already_sent_text
from runway_desktop.core.session import Session
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.history.records import SubmissionRecord
from runway_desktop.ui.submit.form import SubmitForm

log = logging.getLogger(__name__)
SETTLE_MS = 150  # one look when the form stops changing (a drop fills several slots)


class AlreadySentNotice(QLabel):
    looked = Signal()  # an answer was applied (tests and screenshots wait on it)

    def __init__(self, services: Session, form: SubmitForm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Notices")  # the warning colour of the screen's other notices
        self.setAccessibleName(self.tr("Already sent"))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.hide()
        self.services = services
        self.form = form
        self.record: SubmissionRecord | None = None  # the earlier submission, when shown
        self._asked = 0  # numbers the looks: only the latest one's answer is shown
        looks: set[asyncio.Future[None]] = set()
        self._looks = looks
        # A look that outlives the widget (the window closed meanwhile) must not touch it.
        self.destroyed.connect(lambda: [look.cancel() for look in looks])
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.look)
        form.changed.connect(self._settle.start)
        # Back on the form after a submission: the files it just sent are "already sent" now.
        form.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.form and event.type() == QEvent.Type.Show:
            self._settle.start()
        return False

    def look(self) -> None:
        """Ask the history about the files as checked now (returns at once)."""
        self._asked += 1
        values, reports = self.form.values(), self.form.slots.reports()
        md5s = [r.md5 for env, r in reports.items() if env in values.files]
        if values.bundle is None or not values.files or len(md5s) != len(values.files):
            self._show(None)  # a file still being checked: its MD5 is not known yet
            return
        look = self._look(self._asked, values, md5s)
        try:
            task = asyncio.ensure_future(look)
        except RuntimeError:  # the timer fired as the app closed: its loop is gone
            look.close()
            return
        self._looks.add(task)
        task.add_done_callback(self._looks.discard)

    async def _look(self, asked: int, values: FormValues, md5s: list[str]) -> None:
        try:
            found = await asyncio.to_thread(already_sent, self.services.history, values, md5s)
        except Exception:  # a notice: an unreadable history must not break the form
            log.exception("looking for an earlier submission of these files failed")
            found = None
        if asked == self._asked:
            self._show(found)

    def _show(self, record: SubmissionRecord | None) -> None:
        self.record = record
        name = self.services.assessment_name(record.bundle) if record is not None else ""
        self.setText(already_sent_text(record, name) if record is not None else "")
        self.setVisible(record is not None)
        self.looked.emit()
