"""The Output sets screen: browse Runway's processed results and download them in one click.

Listing (``listing.OutputSetsListing``) and downloading (``download_controller``) run as
asyncio tasks (qasync); the table is a model (no widget per row). The list refreshes while the
screen is visible, plus watch mode's own timer.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet
from runway_desktop.core.outputs import download_queue as queued
from runway_desktop.core.outputs.browse import empty_text, job_partner, scope_text
from runway_desktop.core.outputs.csv_export import CsvSaved
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submission_state import SubmissionState, state_label
from runway_desktop.ui.event_adapter import connect_handlers
from runway_desktop.ui.notifier import Notifier
from runway_desktop.ui.output_sets.actions import OutputSetsActions
from runway_desktop.ui.output_sets.csv_saver import CsvSaver
from runway_desktop.ui.output_sets.download_controller import DownloadController
from runway_desktop.ui.output_sets.empty_note import EmptyListNote
from runway_desktop.ui.output_sets.filters import OutputSetsFilterBar
from runway_desktop.ui.output_sets.listing import (
    REFRESH_INTERVAL_MS,
    ListingFailed,
    ListingShown,
    OutputSetsListing,
)
from runway_desktop.ui.output_sets.model import COL_STATE, OutputSetsModel
from runway_desktop.ui.output_sets.proxy import OutputSetsProxy
from runway_desktop.ui.output_sets.table import configure_table
from runway_desktop.ui.settings.download_root import DownloadMessage, DownloadRootLine


class OutputSetsPage(QWidget):
    downloadsChanged = Signal()
    loaded = Signal()  # a listing arrived (or failed): tests and the benchmark wait on it

    def __init__(
        self, services: Session, notifier: Notifier, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("OutputSetsPage")
        self.services = services
        self.connection: Connection | None = None
        self.controller = DownloadController(services, notifier, self)
        self.csv_saver = CsvSaver(services, self)
        self._select_job: str | None = None
        self._download_job: str | None = None
        self._download_set: str | None = None
        # A search put here by another screen (History's "Show output sets"): dropped when
        # the clerk leaves, so it never hides new sets on a later visit (one typed here stays).
        self._carried_search: str | None = None

        title = QLabel(self.tr("Output sets"), self)
        title.setObjectName("PageTitle")
        self.filters = OutputSetsFilterBar(self)
        self.filters.set_assessments(services.registry)
        self.summary = QLabel(self)
        self.summary.setObjectName("MutedText")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton(self.tr("&Refresh"), self)
        self.banner = QLabel(self)
        self.banner.setObjectName("OutputSetsBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.model = OutputSetsModel(self)
        self.listing = OutputSetsListing(services, self.model, self)
        self.proxy = OutputSetsProxy(self.model, self)
        self.table = QTableView(self)
        self.table.setObjectName("OutputSetsTable")
        self.table.setModel(self.proxy)
        configure_table(self.table, self.model)
        empty_note = EmptyListNote(self)
        self.empty, self.clear_button = empty_note.label, empty_note.clear_button
        self.clear_button.setText(self.tr("C&lear filters"))
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty_note)

        self.message = DownloadMessage(self)
        self.root_line = DownloadRootLine(services.preferences, self)
        self.footer = OutputSetsActions(self)
        # The foot's parts, by the names the screen's slots (and its tests) use.
        self.watch, self.watch_note = self.footer.watch, self.footer.watch_note
        self.download_button, self.csv_button = (
            self.footer.download_button,
            self.footer.csv_button,
        )

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (title, self.filters):
            layout.addWidget(widget)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.root_line)
        layout.addWidget(self.footer)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self.refresh_timer.timeout.connect(self.on_refresh_timer)
        self.filters.filtersChanged.connect(self.on_filters_changed)
        self.filters.searchChanged.connect(self.on_search_changed)
        self.refresh_button.clicked.connect(self.on_refresh_clicked)
        self.clear_button.clicked.connect(self.on_clear_clicked)
        self.table.clicked.connect(self.on_cell_clicked)
        self.table.doubleClicked.connect(self.on_cell_double_clicked)
        selection = self.table.selectionModel()
        assert selection is not None  # set by setModel
        selection.selectionChanged.connect(self.on_selection_changed)
        self.download_button.clicked.connect(self.on_download_selected)
        self.csv_button.clicked.connect(self.on_save_csv)
        self.csv_saver.busyChanged.connect(lambda _busy: self.on_selection_changed())
        self.csv_saver.events.connect(self.on_csv_saved)
        self.root_line.rootChanged.connect(self.controller.set_root)
        self.watch.toggled.connect(self.on_watch_toggled)
        connect_handlers(self.listing.events, {
            ListingShown: lambda e: self._on_listing_shown(e.choice.partner, e.sets, e.tenants),
            ListingFailed: lambda e: self._on_listing_failed(e.error),
        })  # fmt: skip
        connect_handlers(self.controller.events, {
            queued.SetStateChanged: lambda e: self.model.set_state(e.uid, e.state),
            queued.QueueEmptied: lambda e: self.message.show_results(list(e.downloads)),
            queued.SetFinished: lambda _e: self._after_set_finished(),
            queued.WatchProblem: lambda e: self.on_watch_problem(e.text),
        })  # fmt: skip
        self.controller.set_root(self.root_line.root)
        self.watch.setChecked(services.preferences.load().download_new_automatically)
        self._show_watch_note()
        self._show_state()

    # -- public API --------------------------------------------------------------------------
    def set_connection(self, connection: Connection | None, partners: list[str]) -> None:
        self.connection = connection
        self.controller.configure(connection, partners)
        default = connection.profile.default_partner if connection else None
        self.filters.set_partners(partners, default)
        self.model.set_rows([], {})
        self.listing.loaded_filter = None
        self._show_state()
        if self.isVisible():
            self.refresh()

    def show_for_job(self, job_uid: str) -> None:
        """The sets of one submission: all of its partner's sets, searched by the job uid."""
        partner = job_partner(self.services.history, job_uid)
        self._select_job = job_uid
        self._carried_search = job_uid
        self.filters.set_search(job_uid)
        self.filters.clear_server_filters(partner)  # lists again (filtersChanged)

    def download_for_job(self, job_uid: str, set_uid: str | None = None) -> None:
        """The job's sets (or only ``set_uid`` of them), listed and downloaded."""
        self._download_job, self._download_set = job_uid, set_uid
        self.show_for_job(job_uid)

    def shutdown(self) -> None:
        """Stop refreshing, watching and downloading; call before the app's services close."""
        self.refresh_timer.stop()
        self.listing.cancel()
        self.csv_saver.cancel()
        self.controller.shutdown()

    # -- listing -----------------------------------------------------------------------------
    def refresh(self) -> asyncio.Future[None] | None:
        choice = self.filters.values()
        if self.connection is None or choice is None:
            self._show_state()
            return None
        self.refresh_button.setEnabled(False)
        self.summary.setText(self._loading_text(choice.partner))
        return self.listing.start(self.connection, choice)

    def _loading_text(self, partner: str) -> str:
        return self.tr("Loading output sets for {partner}…").format(partner=partner)

    def _on_listing_failed(self, error: RunwayError) -> None:
        self._show_banner(
            self.tr("Could not list output sets: {message} {next_step}").format(
                message=error.message, next_step=error.next_step
            )
        )
        if self._download_job is not None:
            # A failed listing tells nothing about the submission's output: say so in the
            # state model's words, never "no result yet".
            could_not = state_label(SubmissionState.COULD_NOT_TELL)
            self.message.show_text(
                self.tr("{state}: whether this submission has results is not known yet. Press "
                "Download results again in a moment.").format(state=could_not), error=True,
            )  # fmt: skip
        self.refresh_button.setEnabled(True)
        self._show_state()
        self.loaded.emit()

    def _on_listing_shown(self, partner: str, sets: list[OutputSet], tenants: set[str]) -> None:
        self.banner.hide()
        self.refresh_button.setEnabled(True)
        self.filters.offer_tenants([*self.services.recent.tenants(partner), *tenants])
        self._show_state()
        self._after_load(sets)
        self.loaded.emit()

    def _after_load(self, sets: list[OutputSet]) -> None:
        job = self._select_job
        if job is not None:
            self._select_job = None
            first = self.proxy.index(0, 0)
            if first.isValid():
                self.table.selectRow(0)
                self.table.scrollTo(first)
        job = self._download_job
        if job is not None:
            self._download_job = None
            mine = [s for s in sets if s.job_uid == job]
            if self._download_set is not None:
                mine = [s for s in mine if s.uid == self._download_set]
            if mine:
                self.controller.download(mine)
            else:
                # Runway answered and lists nothing for the job: not a success (never green),
                # and not a verdict either (History says what the submission is).
                self.message.show_text(
                    self.tr("Runway lists no output sets for this submission yet. History shows "
                    "what became of it."), error=True,
                )  # fmt: skip

    # -- what the screen says ----------------------------------------------------------------
    def _show_state(self) -> None:
        choice = self.filters.values()
        loaded_filter, loaded_at = self.listing.loaded_filter, self.listing.loaded_at
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.clear_button.setVisible(False)
        if self.connection is None:
            text = self.tr("Set up the connection to Runway first (Settings).")
        elif choice is None:
            text = self.tr("This connection may not read results for any partner yet.")
        elif loaded_filter is None:
            text = self._loading_text(choice.partner)
        elif total == 0:
            text = empty_text(loaded_filter, self.services.assessment_name)  # the core's words
            self.clear_button.setText(self.tr("C&lear filters"))
            self.clear_button.setVisible(loaded_filter.narrowed)
        elif shown == 0:
            words = " ".join(self.proxy.search_words())
            text = self.tr("None of the {total} output sets matches “{words}”.")
            text = text.format(total=total, words=words)
            self.clear_button.setText(self.tr("C&lear the search"))
            self.clear_button.setVisible(True)
        else:
            text = ""
        self.empty.setText(text)
        self.stack.setCurrentIndex(1 if text else 0)
        if loaded_filter is not None and loaded_at is not None:
            scope = scope_text(loaded_filter, self.services.assessment_name)
            one, many = self.tr("{total} output set"), self.tr("{total} output sets")
            count = (one if total == 1 else many).format(total=total)
            if shown != total:
                count = self.tr("{shown} of {count}").format(shown=shown, count=count)
            self.summary.setText(
                self.tr("{count} for {scope} · updated {time}").format(
                    count=count, scope=scope, time=f"{loaded_at:%H:%M}"
                )
            )
        self.on_selection_changed()

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text.strip())
        self.banner.show()

    # -- slots -------------------------------------------------------------------------------
    def on_filters_changed(self) -> None:
        self.message.hide()  # it spoke about sets no longer listed
        self.refresh()

    def on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_state()

    def on_refresh_clicked(self) -> None:
        self.refresh()

    def on_refresh_timer(self) -> None:
        self.refresh()

    def on_clear_clicked(self) -> None:
        if self.proxy.search_words() and self.model.rowCount():
            self.filters.set_search("")
        else:
            self.filters.clear_server_filters()

    def on_selection_changed(self, *_args: QItemSelection) -> None:
        count = len(self._selected_sets())
        self.footer.show_selected(count)
        self.download_button.setEnabled(count > 0)
        # Only a set downloaded and checked here has files to convert (the core re-checks).
        self.csv_button.setEnabled(
            bool(self._downloaded_selected()) and not self.csv_saver.is_busy()
        )

    def _selected_sets(self) -> list[OutputSet]:
        selected = self.table.selectionModel().selectedRows()
        rows = (self.proxy.mapToSource(i).row() for i in selected)
        return [self.model.rows[r].output_set for r in sorted(rows)]

    def _downloaded_selected(self) -> list[str]:
        return [s.uid for s in self._selected_sets() if self.model.state_of(s.uid).done]

    def _after_set_finished(self) -> None:
        self.on_selection_changed()  # a selected set may have become convertible
        self.downloadsChanged.emit()

    def on_save_csv(self) -> None:
        uids = self._downloaded_selected()
        if self.connection is None or not uids:
            return
        self.message.show_text(self.tr("Saving as CSV for Excel…"))
        self.csv_saver.save(self.connection.profile.name, uids)

    def on_csv_saved(self, saved: CsvSaved) -> None:
        self.message.show_text(saved.text(), saved.folder, error=bool(saved.failed))

    def on_download_selected(self) -> None:
        self.controller.download(self._selected_sets())

    def on_cell_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_STATE:
            self._act_on(index)

    def on_cell_double_clicked(self, index: QModelIndex) -> None:
        if index.column() != COL_STATE:
            self._act_on(index)

    def _act_on(self, index: QModelIndex) -> None:
        """One click: download a set, try a failed one again, or open a downloaded one."""
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        state = self.model.state_of(row.uid)
        if state.busy:
            return
        if state.done and state.folder is not None:
            self.message.open(state.folder)
            return
        self.controller.download([row.output_set])

    def on_watch_toggled(self, on: bool) -> None:
        self.controller.set_watching(on)
        self._show_watch_note()

    def _show_watch_note(self) -> None:
        self.footer.show_watch_note(self.root_line.root)

    def on_watch_problem(self, text: str) -> None:
        if text:
            self._show_banner(text)

    # -- visibility --------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_timer.start()
        if self.listing.loaded_filter != self.filters.values() or self.listing.stale():
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.refresh_timer.stop()
        carried, self._carried_search = self._carried_search, None
        if event.spontaneous():  # the window minimised: the clerk is still on this screen
            self._carried_search = carried
        elif carried is not None and self.filters.search.text() == carried:
            self.filters.set_search("")

    def invalidate(self) -> None:
        """Something happened that can add sets (a submission finished): list again when
        shown, even if the last listing is recent."""
        self.listing.loaded_at = None
        if self.isVisible():
            self.refresh()
