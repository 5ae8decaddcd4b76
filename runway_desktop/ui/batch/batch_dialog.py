"""The batch window: choose a folder, review its plan, send the chosen submissions.

Planning reads every file's header, so it runs in a worker thread; so does hashing the files
for the plan's "Sent" column (sent_column.py). Sending is the core's BatchRunner on the Qt loop
(batch_run.py), two at a time; the rest of the queue can be paused, resumed and stopped. Each
item becomes an ordinary submission in History; sending the same plan again skips what
already went, per item. The plan can be saved as the CLI's plan file and opened from one
(plan_file_dialogs.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.core.batch.plan import BatchPlan, WhereGiven, dropped_batch, plan_folder
from runway_desktop.core.batch.row_targets import target_choices
from runway_desktop.core.batch.run import (
    DEFAULT_JOBS,
    STATUS_WORDS,
    BatchRunner,
    ItemFinished,
    ItemStatus,
    outcome_text,
)
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.ui.batch import folder_dialog, plan_file_dialogs
from runway_desktop.ui.batch.batch_run import BatchDone, BatchRun
from runway_desktop.ui.batch.plan_tree import PlanTree
from runway_desktop.ui.batch.progress_view import BatchProgressView
from runway_desktop.ui.batch.sent_column import SentColumn
from runway_desktop.ui.batch.unplaced_list import UnplacedList
from runway_desktop.ui.event_adapter import connect_handlers


def _plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names and reasons are data
    label.setWordWrap(True)
    return label


# The plan's notes say where the folder's district and year come from: the Submit form's.
# (In English, as the plan's other notes: the core's words are not translated yet.)
GIVEN_ON_THE_FORM = WhereGiven(district="on the Submit screen", year="on the Submit screen")
_Planning = asyncio.Future[BatchPlan]  # a folder planned, or a plan file read


class BatchDialog(QDialog):
    batchFinished = Signal()  # submissions were written to the history

    def __init__(
        self,
        services: Session,
        connection: Connection,
        values: FormValues,
        known_tenants: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BatchDialog")
        self.setWindowTitle(self.tr("Send a folder"))
        self.services, self.connection, self.values = services, connection, values
        self.known_tenants = list(known_tenants)
        self.plan: BatchPlan | None = None
        self._sent_rows: list[int] = []  # the run's item number - 1 → plan row
        self._planning: _Planning | None = None
        self._saving: asyncio.Future[str] | None = None
        self._closing = False
        self._sending = False  # from Send until the run's outcomes are shown (BatchDone)
        self.run = BatchRun(self)

        self.folder_label = _plain_label(
            self.tr("Choose the folder that holds the vendor files."), self
        )
        self.folder_label.setObjectName("BatchFolder")
        self.choose_button = QPushButton(self.tr("&Choose folder…"), self)
        self.choose_button.setAccessibleName(self.tr("Choose folder"))
        self.open_button = QPushButton(self.tr("&Open plan…"), self)
        self.open_button.setAccessibleName(self.tr("Open a plan file"))
        self.save_button = QPushButton(self.tr("Sa&ve plan…"), self)
        self.save_button.setAccessibleName(self.tr("Save the plan to a file"))
        self.save_button.setToolTip(self.tr("Unticked rows are kept in the file, not sent."))
        plan_file_dialogs.preload()
        self.plan_tree = PlanTree(self)
        self.sent_column = SentColumn(self.plan_tree, services, values.partner)
        self.unplaced_title = _plain_label(self.tr("Files that will not be sent:"), self)
        self.unplaced = UnplacedList(self)
        self.progress = BatchProgressView(self)
        self.progress.hide()
        self.summary = _plain_label("", self)
        self.summary.setObjectName("BatchSummary")
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("PrimaryButton")
        self.send_button.setAccessibleName(self.tr("Send the chosen submissions"))
        self.pause_button = QPushButton(self.tr("&Pause"), self)
        self.pause_button.setToolTip(
            self.tr("Hold the rest of the queue; the ones under way finish.")
        )
        self.pause_button.hide()
        self.stop_button = QPushButton(self.tr("S&top the rest"), self)
        self.stop_button.setToolTip(self.tr("Send no more; the ones under way finish."))
        self.stop_button.hide()
        self.close_button = QPushButton(self.tr("C&lose"), self)

        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.choose_button)
        top.addWidget(self.open_button)
        top.addWidget(self.save_button)
        lists = self.lists = QSplitter(Qt.Orientation.Vertical, self)
        lists.addWidget(self.plan_tree)
        unplaced_box = QWidget(self)
        box = QVBoxLayout(unplaced_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.unplaced_title)
        box.addWidget(self.unplaced)
        lists.addWidget(unplaced_box)
        lists.addWidget(self.progress)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.pause_button)
        bottom.addWidget(self.stop_button)
        bottom.addWidget(self.send_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(lists, 1)
        layout.addLayout(bottom)
        self.unplaced_title.hide()
        self.unplaced.hide()
        self.resize(1000, 640)

        self.choose_button.clicked.connect(self.on_choose)
        self.open_button.clicked.connect(self.on_open)
        self.save_button.clicked.connect(self.on_save)
        self.send_button.clicked.connect(self.on_send)
        self.pause_button.clicked.connect(self.on_pause)
        self.stop_button.clicked.connect(self.on_stop)
        self.close_button.clicked.connect(self.close)
        self.plan_tree.chosenChanged.connect(self._update_send)
        self.plan_tree.rowEdited.connect(self.sent_column.recheck)
        connect_handlers(self.run.events, {
            **self.progress.handlers(), ItemFinished: self._on_item_finished,
            BatchDone: self._on_done,
        })  # fmt: skip
        self._update_send()
        self._update_plan_buttons()

    # -- planning ---------------------------------------------------------------------------
    def on_choose(self) -> None:
        chosen = folder_dialog.choose_folder(self, self.tr("Choose the folder to send"))
        if chosen:
            self.plan_folder(Path(chosen))

    def plan_dropped(self, paths: Sequence[Path]) -> None:
        """Files and folders dropped on Submit: planned in the folder that holds them all."""
        folder, only = dropped_batch(paths)
        self.plan_folder(folder, only)

    def plan_folder(self, folder: Path, only: Sequence[Path] = ()) -> None:
        """Plan ``folder`` (``only``: just these files and folders in it)."""
        if self.is_sending():
            return
        self.sent_column.cancel()
        registry = self.services.registry
        values, known = self.values, self.known_tenants

        def work() -> BatchPlan:
            # The districts the form offers, and the folder's own top-level subfolders (a
            # clerk's folder names its districts; the form may know only recent ones).
            subfolders = [p.name for p in folder.iterdir() if p.is_dir()]
            names = sorted({*known, *(n for n in subfolders if not n.startswith("."))})
            return plan_folder(
                folder, registry, partner=values.partner, tenant=values.tenant or None,
                school_year=values.school_year or None, known_tenants=names,
                where=GIVEN_ON_THE_FORM, only=only,
            )  # fmt: skip

        text = self.tr("Planning {0}…").format(folder)
        self._begin(text, work, lambda task: self._on_planned(folder, task))

    def _begin(
        self, text: str, work: Callable[[], BatchPlan], done: Callable[[_Planning], None]
    ) -> None:
        """Make a plan in a worker thread (a folder planned, a plan file read)."""
        self.folder_label.setText(text)
        self.choose_button.setEnabled(False)
        self._planning = asyncio.ensure_future(asyncio.to_thread(work))
        self._planning.add_done_callback(done)
        self._update_plan_buttons()

    def _on_planned(self, source: Path, task: _Planning, *, opened: bool = False) -> None:
        """A folder planned, or the plan file ``source`` read (``opened``); when neither could
        be, the plan shown is kept and the folder's line says why."""
        self.choose_button.setEnabled(True)
        self._update_plan_buttons()
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            failed = self.tr("{0} could not be planned: {1}").format(source, error)
            not_opened = plan_file_dialogs.not_opened_text(source, error)
            self.folder_label.setText(not_opened if opened else failed)
            return
        self._show_plan(source, task.result())

    def _show_plan(self, source: Path, plan: BatchPlan) -> None:
        """Show ``plan`` (made from the folder or read from the file ``source``) for review."""
        self.sent_column.cancel()
        self.plan = plan
        files = sum(len(item.files) for item in plan.items)
        self.folder_label.setText(
            self.tr("{0}: {1} of {2} for {3}.").format(
                source, self._submissions(len(plan.items)), self._files(files), self.values.partner
            )
        )
        choices = target_choices(
            plan.items, self.known_tenants,
            tenant=self.values.tenant, school_year=self.values.school_year,
        )  # fmt: skip
        self.plan_tree.set_plan(plan, self.services.registry, self.values.partner, choices)
        self.unplaced.set_plan(plan)
        self.unplaced_title.setVisible(bool(plan.unplaced))
        self.progress.hide()
        self.summary.setText("")
        self.sent_column.start(list(range(len(plan.items))), new_plan=True)
        self._update_plan_buttons()

    # -- the plan as a file -----------------------------------------------------------------
    def _update_plan_buttons(self) -> None:
        free = not self.is_sending() and (self._planning is None or self._planning.done())
        self.open_button.setEnabled(free)
        saving = self._saving is not None and not self._saving.done()
        self.save_button.setEnabled(free and self.plan is not None and not saving)

    def on_open(self) -> None:
        if not self.open_button.isEnabled():
            return
        path = plan_file_dialogs.choose_open_path(self)
        if path is not None:
            partner, text = self.values.partner, plan_file_dialogs.opening_text(path)
            self._begin(
                text, lambda: plan_file_dialogs.read_for(path, partner),
                lambda task: self._on_planned(path, task, opened=True),
            )  # fmt: skip

    def on_save(self) -> None:
        if self.plan is None or not self.save_button.isEnabled():
            return
        path = plan_file_dialogs.choose_save_path(self, self.plan.folder)
        if path is None:
            return
        self.summary.setText(plan_file_dialogs.saving_text(path))
        text = plan_file_dialogs.file_text(self.plan, self.plan_tree, self.services.registry)
        self._saving = asyncio.ensure_future(plan_file_dialogs.save_plan(path, text))
        self._saving.add_done_callback(self._on_saved)
        self._update_plan_buttons()

    def _on_saved(self, task: asyncio.Future[str]) -> None:
        if not task.cancelled():
            self.summary.setText(task.result())
            self._update_plan_buttons()

    # -- sending ----------------------------------------------------------------------------
    def is_sending(self) -> bool:
        return self._sending

    def chosen_count(self) -> int:
        return len(self.plan_tree.chosen())

    def _update_send(self) -> None:
        count = self.chosen_count()
        text = self.tr("&Send {0} submission") if count == 1 else self.tr("&Send {0} submissions")
        self.send_button.setText(text.format(count))
        self.send_button.setEnabled(count > 0 and not self.is_sending())

    def on_send(self) -> None:
        if self.plan is None or self.is_sending():
            return
        chosen = self.plan_tree.chosen()
        if not chosen:
            return
        self.sent_column.cancel()  # the run hashes the files and says what was sent before
        self._sent_rows = [index for index, _ in chosen]
        plan = BatchPlan(self.plan.folder, self.values.partner, tuple(i for _, i in chosen))
        runner = BatchRunner(
            self.connection.client, self.services.http, self.services.history,
            self.connection.profile, self.services.registry, jobs=DEFAULT_JOBS,
            record_as=str(self.plan.folder),
        )  # fmt: skip
        registry = self.services.registry
        self.progress.begin([item.label(registry) for item in plan.items])
        if self.progress.isHidden():
            self._make_room(len(plan.items))
        self.progress.show()
        self.plan_tree.set_locked(True)
        self.choose_button.setEnabled(False)
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        self.pause_button.setText(self.tr("&Pause"))
        self.pause_button.show()
        self.pause_button.setEnabled(True)
        self._sending = True
        self.run.start(runner, plan, self.values.partner)
        self._say_sending()
        self._update_send()
        self._update_plan_buttons()

    def _submissions(self, count: int) -> str:
        return self.tr("1 submission") if count == 1 else self.tr("{0} submissions").format(count)

    def _files(self, count: int) -> str:
        return self.tr("1 file") if count == 1 else self.tr("{0} files").format(count)

    def _make_room(self, items: int) -> None:
        """Room for the run's list under the plan, which keeps most of the height."""
        total = sum(self.lists.sizes())
        rows = self.fontMetrics().height() + 6
        progress = min(total * 2 // 5, rows * (items + 2))
        unplaced = min(self.lists.sizes()[1], rows * 3) if self.unplaced.isVisible() else 0
        self.lists.setSizes([total - progress - unplaced, unplaced, progress])

    def _say_sending(self) -> None:
        text = self.tr("Sending {0}, {1} at a time…")
        self.summary.setText(text.format(self._submissions(len(self._sent_rows)), DEFAULT_JOBS))

    def on_pause(self) -> None:
        """Pause, or resume: the button says which it does next."""
        if not self.is_sending():
            return
        if self.run.is_paused():
            self.run.resume_queue()
            self.pause_button.setText(self.tr("&Pause"))
            self._say_sending()
        else:
            self.run.pause_queue()
            self.pause_button.setText(self.tr("&Resume"))
            self.summary.setText(self.tr("Paused: the ones under way finish; the rest wait."))

    def on_stop(self) -> None:
        self.run.stop_queue()  # a paused queue stops too
        self.stop_button.setEnabled(False)
        self.pause_button.setEnabled(False)
        self.summary.setText(self.tr("Stopping: the ones under way finish, the rest are not sent."))

    def _on_item_finished(self, event: ItemFinished) -> None:
        # One handler per event type: the progress view's own comes first.
        self.progress.on_finished(event)
        outcome = event.outcome
        row = self._sent_rows[outcome.number - 1]
        if outcome.status is ItemStatus.ALREADY_SENT:
            self.plan_tree.set_sent(row, outcome.reason)
        elif outcome.status in (ItemStatus.SENT, ItemStatus.RESUMED) and outcome.job_uid:
            text = self.tr("sent now (submission #{0})").format(outcome.submission_id)
            self.plan_tree.set_sent(row, text, self.tr("Job {0}").format(outcome.job_uid))
        else:  # failed, stopped, undecided: the progress list says why
            self.plan_tree.set_sent(row, STATUS_WORDS[outcome.status], outcome_text(outcome))

    def _on_done(self, event: BatchDone) -> None:
        self._sending = False
        self.stop_button.hide()
        self.pause_button.hide()
        self.plan_tree.set_locked(False)
        self.choose_button.setEnabled(True)
        if event.error:
            self.progress.mark_unfinished(event.error)
            self.summary.setText(event.error)
        else:
            counts: dict[str, int] = {}
            for outcome in event.outcomes:
                words = self.progress.status(outcome.number)
                counts[words] = counts.get(words, 0) + 1
            part = self.tr("{0} {1}")
            parts = ", ".join(part.format(n, words) for words, n in counts.items())
            text = self.tr("{0}: {1}.")
            self.summary.setText(text.format(self._submissions(len(event.outcomes)), parts))
        # The rows not sent now: what the history says of them (their files' MD5s are known).
        sent = set(self._sent_rows)
        if not self._closing:
            self.sent_column.start([i for i in range(self.plan_tree.row_count()) if i not in sent])
        self._update_send()
        self._update_plan_buttons()
        self.batchFinished.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._planning is not None and not self._planning.done():
            self._planning.cancel()
        if self._saving is not None and not self._saving.done():
            self._saving.cancel()  # the file is still written; nothing here is told
        self._closing = True
        self.sent_column.cancel()
        self.run.abort()
        super().closeEvent(event)
