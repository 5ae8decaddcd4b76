"""The History screen: every submission sent from this computer, what became of it (derived
from what was recorded and the output sets seen, CONTRACT §5.5), and what to do next.

Resume runs here, with this page's own PipelineRunner, and its progress shows in the detail
pane: the clerk pressed Resume on this screen and sees it finish on this screen. The resume
uses the app's shared upload-link cache, so links from this session are re-used. Set
``resume_here = False`` to have the page emit ``resumeRequested`` instead and run nothing.

The Qt thread never reads the store here: every submission is read and derived in a worker
thread, each search is filtered and sorted there too, a moment after the last keystroke
(``list_reader.HistoryListReader``), and the rows are applied when they arrive (``listed``
says so). The model hands them to the view in pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QMetaMethod, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from runway_desktop.api.client import RunwayClient
from runway_desktop.core import history_actions as actions
from runway_desktop.core.history_view import HistoryRow, ViewInputs
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.status_poll import PollReport, StatusPoller
from runway_desktop.core.submit.events import SubmissionRequest, SubmissionResult
from runway_desktop.history.diagnostics import DiagnosticsExport
from runway_desktop.history.records import SubmissionRecord, utc_now
from runway_desktop.ui.event_adapter import connect_handlers
from runway_desktop.ui.history import selection
from runway_desktop.ui.history.body import HistoryBody
from runway_desktop.ui.history.filters import HistoryFilters
from runway_desktop.ui.history.header import HistoryHeader
from runway_desktop.ui.history.list_reader import (
    HistoryListReader,
    ListRead,
    ReadFailed,
    RowsSelected,
)
from runway_desktop.ui.history.model import HistoryTableModel
from runway_desktop.ui.history.resume import (
    ResumeController,
    ResumeDone,
    ResumeNotice,
    ResumeProgress,
)
from runway_desktop.ui.history.running import RunningSubmissions
from runway_desktop.ui.history.status_poller import (
    PollingActive,
    StatusesChanged,
    StatusPollTimer,
)
from runway_desktop.ui.history.submission_detail import SubmissionDetail
from runway_desktop.ui.history.table import HistoryTable
from runway_desktop.ui.notifier import Notifier
from runway_desktop.ui.submit.pipeline_runner import PipelineRunner


class HistoryPage(QWidget):
    showOutputRequested = Signal(str)  # job uid
    resubmitRequested = Signal(object)  # FormValues, for SubmitPage.form.restore
    resumeRequested = Signal(int, object)  # submission id, SubmissionRequest (resume_here False)
    downloadRequested = Signal(str)  # job uid
    downloadSetRequested = Signal(str, str)  # job uid, set uid: one set's Download in History
    diagnosticsExported = Signal(object)  # DiagnosticsExport
    listed = Signal()  # the list shows rows read and filtered after the latest request
    firstRowsShown = Signal()  # opening: the newest rows are on screen, the rest is read

    def __init__(
        self, services: Session, notifier: Notifier, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("HistoryPage")
        self.services = services
        self.notifier = notifier
        self.connection: Connection | None = None
        self.clock: Callable[[], datetime] = utc_now
        self.resume_here = True
        self.last_export: DiagnosticsExport | None = None
        self._shut = False  # after shutdown() the history store may be closed: read nothing

        self.runner = PipelineRunner(self)
        self.resume = ResumeController(self.runner, services, self)
        self.running = RunningSubmissions(self.resume, self.runner, self.refresh)
        self.poller = StatusPoller(
            services.history, self._client_for, no_result_after=self.no_result_after,
            clock=lambda: self.clock(),
        )  # fmt: skip
        self.poll_timer = StatusPollTimer(self.poller, notifier, services.assessment_name, self)

        self.check_button = QPushButton(self.tr("&Check for results now"), self)
        self.header = HistoryHeader(self.check_button, self)
        # Its parts by the names the window and the tests have always used.
        self.summary, self.message = self.header.summary, self.header.message
        self.export_button, self.exporter = self.header.export_button, self.header.exporter
        self.filters = HistoryFilters(self)

        self.model = HistoryTableModel(self)
        self.table = HistoryTable(self.model, self)
        self.reader = HistoryListReader(
            services.history, services.assessment_name, inputs=self.inputs,
            question=lambda: (self.filters.current(), self.model.sorting), parent=self,
        )  # fmt: skip

        self.detail = SubmissionDetail(self)
        self.body = HistoryBody(self.table, self.detail, self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.filters)
        layout.addWidget(self.body, 1)

        self.filters.filterChanged.connect(self.on_filter_changed)
        self.model.sortRequested.connect(lambda _sorting: self.reader.select())
        self.body.clearFiltersRequested.connect(self.filters.clear)
        selection_model = self.table.selectionModel()
        assert selection_model is not None
        selection_model.selectionChanged.connect(self.on_selection_changed)
        self.check_button.clicked.connect(self.on_check_now)
        self.export_button.clicked.connect(self.on_export)
        self.header.exported.connect(self.on_exported)
        self.detail.resumeClicked.connect(self.on_resume)
        self.detail.resubmitClicked.connect(self.on_resubmit)
        self.detail.showOutputClicked.connect(self.showOutputRequested)
        self.detail.downloadClicked.connect(self.downloadRequested)
        self.detail.downloadSetClicked.connect(self.on_download_set)
        self.detail.cancelClicked.connect(self.runner.cancel)
        connect_handlers(self.resume.events, {
            ResumeProgress: lambda e: self.detail.show_progress(e.text, e.fraction),
            ResumeNotice: lambda e: self.detail.set_note(e.text, "warning"),
            ResumeDone: lambda e: self.on_resume_done(e.result, e.text, e.ok),
        })  # fmt: skip
        connect_handlers(self.reader.events, {
            ListRead: lambda e: self.filters.set_choices(e.loaded.choices),
            RowsSelected: lambda e: self._apply(e.rows),  # looked up each time: benchmarks time it
            ReadFailed: lambda e: self.header.show_message(
                self.tr("The history could not be read: {error}").format(error=e.error), "error"
            ),
        })  # fmt: skip
        connect_handlers(self.poll_timer.events, {
            PollReport: lambda _e: self._update_summary(),
            StatusesChanged: lambda _e: self.refresh(),
            PollingActive: lambda _e: self._update_summary(),
        })  # fmt: skip
        self._poll_after = False
        self.refresh()

    # -- wiring by the main window -----------------------------------------------------------
    def set_connection(self, connection: Connection | None) -> None:
        self.connection = connection
        self.refresh(poll=True)

    def watch_runner(self, runner: PipelineRunner) -> None:
        """Follow another runner (the Submit screen's): its submission shows as Sending while
        it runs, and History refreshes when it ends."""
        self.running.watch(runner)

    def shutdown(self) -> None:
        """Stop background polling and any resume; call before closing the app's services."""
        self._shut = True
        self.reader.stop()
        self.poll_timer.stop()
        self.runner.cancel()

    def no_result_after(self) -> timedelta:
        return timedelta(hours=self.services.preferences.load().no_result_after_hours)

    def _client_for(self, profile: str) -> RunwayClient | None:
        c = self.connection
        return c.client if c is not None and c.profile.name == profile else None

    # -- the list: read and derived in a worker thread (the reader) ---------------------------
    def refresh(self, *, poll: bool = False) -> None:
        """Read the history again and re-derive every state (keeps the selection). Returns at
        once; ``listed`` is emitted when the rows are shown. ``poll``: then ask Runway too."""
        if self._shut:
            return
        self._poll_after = self._poll_after or poll
        self.reader.read()

    def inputs(self) -> ViewInputs:
        """What only this thread knows, for the derivation in the worker thread."""
        running_ids, running_since = self.running.now()
        return ViewInputs(
            now=self.clock(), no_result_after=self.no_result_after(), running_ids=running_ids,
            running_since=running_since, look_failed=self.poller.failed_looks,
        )  # fmt: skip

    def _apply(self, shown: list[HistoryRow]) -> None:
        selected = self.selected_ids()
        self.model.set_rows(shown)
        self._reselect(selected)
        self._show_body()
        self._update_summary()
        self.poll_timer.ensure_running(self._pollable())
        if self._poll_after and self._pollable():
            self._poll_after = False
            self.poll_timer.poll_now()
        if self.reader.loaded is not None and not self.reader.loaded.complete:
            self.firstRowsShown.emit()
        elif not self.reader.pending():
            # Not for the first rows of an opening (more are coming), nor for rows read before
            # a newer request: "listed" promises rows read after the latest one.
            self.listed.emit()

    def _pollable(self) -> bool:
        """Something waits for Runway's answer and its connection is here to ask."""
        c, loaded = self.connection, self.reader.loaded
        if c is None or loaded is None:
            return False
        now, give_up = self.clock(), self.poller.give_up_after
        return any(
            r.derived.looked_for and r.record.profile == c.profile.name
            and now - (r.record.started_at or r.record.start_requested_at or r.record.created_at)
            <= give_up
            for r in loaded.rows
        )  # fmt: skip

    def _reselect(self, ids: list[int]) -> None:
        selection.select_ids(self.table, self.model, ids)
        self.on_selection_changed()

    def _show_body(self) -> None:
        total = len(self.reader.loaded.rows) if self.reader.loaded else 0
        self.body.show_counts(total, self.model.total())
        # Nothing to filter or check yet: only the explanation (and Export, for the log).
        self.filters.setVisible(total > 0)
        self.check_button.setVisible(total > 0)

    def _update_summary(self) -> None:
        if not self._shut:
            self.header.show_summary(self.reader.loaded, self.model.total(), self.poll_timer.active)

    def selected_ids(self) -> list[int]:
        return selection.selected_ids(self.table, self.model)

    def select_submission(self, submission_id: int) -> bool:
        self._reselect([submission_id])
        return bool(self.selected_ids())

    def row(self, submission_id: int) -> HistoryRow | None:
        """The listed row of a submission (read and derived at the latest refresh)."""
        return self.model.row_at(self.model.row_of(submission_id))

    def on_filter_changed(self, history_filter: object) -> None:
        self.reader.select_soon()

    def on_selection_changed(self) -> None:
        ids = self.selected_ids()
        row = self.row(ids[0]) if len(ids) == 1 else None
        if row is None:
            self.body.show_hint(len(ids))
            return
        busy = self._busy_reason(row.record)
        self.detail.show_record(
            row.record,
            row.derived,
            row.assessment,
            resume=actions.resume_allowed(
                row.record,
                self.connection,
                self.services.registry,
                derived=row.derived,
                busy=busy,
            ),
            resubmit=actions.resubmit_allowed(row.record, self.services.registry),
        )
        self.detail.batches.show_for(self.services.history, row.record.id)
        if self.runner.is_running() and self.resume.submission_id == row.record.id:
            self.detail.show_progress(self.resume.last_text, self.resume.last_fraction)
        else:
            self.detail.hide_progress()
        self.body.show_detail()

    def _busy_reason(self, record: SubmissionRecord) -> str | None:
        if self.runner.is_running():
            return self.tr("A resume is running; wait for it to finish.")
        if self.inputs().running_here(record):
            return self.tr("This submission is being sent right now.")
        return None

    # -- actions ----------------------------------------------------------------------------
    def on_check_now(self) -> None:
        self.refresh(poll=True)

    def on_download_set(self, job_uid: str, set_uid: str) -> None:
        # To Output sets (the one download path) with the set's uid once the window routes it;
        # till then as the job's "Download results", which fetches this set (and any re-run's).
        if self.isSignalConnected(QMetaMethod.fromSignal(self.downloadSetRequested)):
            self.downloadSetRequested.emit(job_uid, set_uid)
        else:
            self.downloadRequested.emit(job_uid)

    def on_resume(self, submission_id: int) -> None:
        row = self.row(submission_id)
        connection, registry = self.connection, self.services.registry
        if row is None or connection is None:
            return
        record = row.record
        allowed = actions.resume_allowed(
            record, connection, registry, derived=row.derived, busy=self._busy_reason(record)
        )
        if not allowed.ok:
            self.detail.set_note(allowed.why, "error")
            return
        request: SubmissionRequest = actions.resume_request(record, connection, registry)
        if not self.resume_here:
            self.resumeRequested.emit(submission_id, request)
            return
        self.detail.set_note(None)
        self.resume.start(connection, submission_id, request)
        self.refresh()

    def on_resume_done(self, result: SubmissionResult, text: str, ok: bool) -> None:
        self.detail.hide_progress()
        self.detail.set_note(text, "success" if ok else "error")
        self._select_when_listed = result.submission_id
        self.listed.connect(self._select_pending, type=Qt.ConnectionType.SingleShotConnection)
        self.refresh()

    def _select_pending(self) -> None:
        self.select_submission(self._select_when_listed)

    def on_resubmit(self, submission_id: int) -> None:
        row = self.row(submission_id)
        if row is None:
            return
        record = row.record
        registry = self.services.registry
        if not actions.resubmit_allowed(record, registry).ok:
            return
        notes = [n for c in actions.check_files(record) if (n := c.describe())]
        values = actions.resubmit_values(record, registry)
        self.detail.set_note(
            self.tr("The Submit screen is filled in with the same files and settings. Check them "
            "and press Submit there; nothing is sent until you do.")
            + "".join(f"\n{n}" for n in notes),  # the core's notes on the files
            "warning" if notes else "info",
        )  # fmt: skip
        self.resubmitRequested.emit(values)

    def selected_records(self) -> list[SubmissionRecord]:
        """The selected submissions, or every one shown when none is selected."""
        return selection.selected_records(self.table, self.model)

    def on_export(self) -> None:
        secrets = [self.connection.tokens.settings.client_secret] if self.connection else []
        self.exporter.ask_and_export(self, self.selected_records(), secrets)

    def on_exported(self, export: DiagnosticsExport) -> None:
        self.last_export = export
        self.diagnosticsExported.emit(export)

    def showEvent(self, event: QShowEvent) -> None:
        # Time alone changes statuses (Waiting → No result yet): re-derive when looked at.
        self.refresh()
        super().showEvent(event)
