"""The batch window: choose a folder, review its plan, send the chosen submissions.

Planning reads every file's header, so it runs in a worker thread; sending is the core's
BatchRunner on the Qt loop (batch_run.py), two at a time. Each item becomes an ordinary
submission in History; sending the same plan again skips what already went, per item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
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

from runway_desktop.core.batch.plan import BatchPlan, plan_folder
from runway_desktop.core.batch.run import DEFAULT_JOBS, BatchRunner, ItemFinished, ItemStatus
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.ui.batch import folder_dialog
from runway_desktop.ui.batch.batch_run import BatchDone, BatchRun
from runway_desktop.ui.batch.plan_tree import PlanTree
from runway_desktop.ui.batch.progress_view import BatchProgressView
from runway_desktop.ui.batch.unplaced_list import UnplacedList
from runway_desktop.ui.event_adapter import connect_handlers


def _plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # file names and reasons are data
    label.setWordWrap(True)
    return label


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
        self.setWindowTitle("Send a folder")
        self.services, self.connection, self.values = services, connection, values
        self.known_tenants = list(known_tenants)
        self.plan: BatchPlan | None = None
        self._sent_rows: list[int] = []  # the run's item number - 1 → plan row
        self._planning: asyncio.Future[BatchPlan] | None = None
        self.run = BatchRun(self)

        self.folder_label = _plain_label("Choose the folder that holds the vendor files.", self)
        self.folder_label.setObjectName("BatchFolder")
        self.choose_button = QPushButton("&Choose folder…", self)
        self.choose_button.setAccessibleName("Choose folder")
        self.plan_tree = PlanTree(self)
        self.unplaced_title = _plain_label("Files that will not be sent:", self)
        self.unplaced = UnplacedList(self)
        self.progress = BatchProgressView(self)
        self.progress.hide()
        self.summary = _plain_label("", self)
        self.summary.setObjectName("BatchSummary")
        self.send_button = QPushButton("Send 0 submissions", self)
        self.send_button.setObjectName("PrimaryButton")
        self.send_button.setAccessibleName("Send the chosen submissions")
        self.stop_button = QPushButton("S&top the rest", self)
        self.stop_button.setToolTip("Send no more; the ones under way finish.")
        self.stop_button.hide()
        self.close_button = QPushButton("Close", self)

        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.choose_button)
        lists = QSplitter(Qt.Orientation.Vertical, self)
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
        self.send_button.clicked.connect(self.on_send)
        self.stop_button.clicked.connect(self.on_stop)
        self.close_button.clicked.connect(self.close)
        self.plan_tree.chosenChanged.connect(self._update_send)
        connect_handlers(self.run.events, {
            **self.progress.handlers(), ItemFinished: self._on_item_finished,
            BatchDone: self._on_done,
        })  # fmt: skip
        self._update_send()

    # -- planning ---------------------------------------------------------------------------
    def on_choose(self) -> None:
        chosen = folder_dialog.choose_folder(self, "Choose the folder to send")
        if chosen:
            self.plan_folder(Path(chosen))

    def plan_folder(self, folder: Path) -> None:
        if self.run.is_running():
            return
        self.folder_label.setText(f"Planning {folder}…")
        self.choose_button.setEnabled(False)
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
            )  # fmt: skip

        self._planning = asyncio.ensure_future(asyncio.to_thread(work))
        self._planning.add_done_callback(lambda task: self._on_planned(folder, task))

    def _on_planned(self, folder: Path, task: asyncio.Future[BatchPlan]) -> None:
        self.choose_button.setEnabled(True)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.folder_label.setText(f"{folder} could not be planned: {error}")
            return
        plan = task.result()
        self.plan = plan
        files = sum(len(item.files) for item in plan.items)
        self.folder_label.setText(
            f"{folder}: {len(plan.items)} submission(s) of {files} file(s) for "
            f"{self.values.partner}."
        )
        self.plan_tree.set_plan(plan, self.services.registry, self.values.partner)
        self.unplaced.set_plan(plan)
        self.unplaced_title.setVisible(bool(plan.unplaced))
        self.progress.hide()
        self.summary.setText("")

    # -- sending ----------------------------------------------------------------------------
    def chosen_count(self) -> int:
        return len(self.plan_tree.chosen())

    def _update_send(self) -> None:
        count = self.chosen_count()
        self.send_button.setText(f"&Send {count} submission{'s' if count != 1 else ''}")
        self.send_button.setEnabled(count > 0 and not self.run.is_running())

    def on_send(self) -> None:
        if self.plan is None or self.run.is_running():
            return
        chosen = self.plan_tree.chosen()
        if not chosen:
            return
        self._sent_rows = [index for index, _ in chosen]
        plan = BatchPlan(self.plan.folder, self.values.partner, tuple(i for _, i in chosen))
        runner = BatchRunner(
            self.connection.client, self.services.http, self.services.history,
            self.connection.profile, self.services.registry, jobs=DEFAULT_JOBS,
            record_as=str(self.plan.folder),
        )  # fmt: skip
        registry = self.services.registry
        self.progress.begin([item.label(registry) for item in plan.items])
        self.progress.show()
        self.plan_tree.set_locked(True)
        self.choose_button.setEnabled(False)
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        self.summary.setText(f"Sending {len(plan.items)} submission(s), {DEFAULT_JOBS} at a time…")
        self.run.start(runner, plan, self.values.partner)
        self._update_send()

    def on_stop(self) -> None:
        self.run.stop_queue()
        self.stop_button.setEnabled(False)
        self.summary.setText("Stopping: the ones under way finish, the rest are not sent.")

    def _on_item_finished(self, event: ItemFinished) -> None:
        # One handler per event type: the progress view's own comes first.
        self.progress.on_finished(event)
        outcome = event.outcome
        row = self._sent_rows[outcome.number - 1]
        if outcome.status is ItemStatus.ALREADY_SENT:
            self.plan_tree.set_sent(row, outcome.reason)
        elif outcome.status in (ItemStatus.SENT, ItemStatus.RESUMED) and outcome.job_uid:
            self.plan_tree.set_sent(row, f"sent now: job {outcome.job_uid}")

    def _on_done(self, event: BatchDone) -> None:
        self.stop_button.hide()
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
            parts = ", ".join(f"{n} {words}" for words, n in counts.items())
            self.summary.setText(f"{len(event.outcomes)} submission(s): {parts}.")
        self._update_send()
        self.batchFinished.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._planning is not None and not self._planning.done():
            self._planning.cancel()
        self.run.abort()
        super().closeEvent(event)
