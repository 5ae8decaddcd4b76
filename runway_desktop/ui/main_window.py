"""The main window: navigation between Submit, Output sets, History and Settings, the
practice-mode banner, and the connection the screens use.

Only the Submit screen is built before the window first paints. The other three are built
right after that first paint (one per event-loop turn, so the window stays responsive: see
``after_first_paint.py``), or at once when something needs them earlier: importing and
building them costs ~150–250 ms, which used to delay the first paint. ``outputs_page``,
``history_page`` and ``settings_page`` build their screen on first access, so callers need not
care whether it exists yet.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from runway_desktop import APP_NAME
from runway_desktop.api.errors import RunwayError
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.settings import Profile
from runway_desktop.ui.after_first_paint import FirstPaintWatch, build_one_per_turn
from runway_desktop.ui.connection_note import ConnectionNote
from runway_desktop.ui.submit.page import SubmitPage
from runway_desktop.ui.theme import app_icon
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.window_fit import centred_frame_origin, fitted_size

if TYPE_CHECKING:
    from runway_desktop.ui.batch.batch_dialog import BatchDialog
    from runway_desktop.ui.history.page import HistoryPage
    from runway_desktop.ui.notifier import Notifier
    from runway_desktop.ui.output_sets.page import OutputSetsPage
    from runway_desktop.ui.settings.page import SettingsPage

# The screens' names, in the navigation's order; shown translated (``translated``).
PAGES = (
    QT_TRANSLATE_NOOP("MainWindow", "Submit"),
    QT_TRANSLATE_NOOP("MainWindow", "Output sets"),
    QT_TRANSLATE_NOOP("MainWindow", "History"),
    QT_TRANSLATE_NOOP("MainWindow", "Settings"),
)


class MainWindow(QMainWindow):
    connectionChanged = Signal()
    closing = Signal()
    firstPainted = Signal()  # the window is on screen: start-up work may follow
    partnersShown = Signal()  # signed in: the Submit screen offers the token's partners
    deferredPagesBuilt = Signal()  # Output sets, History and Settings all exist now
    editConnectionRequested = Signal()  # from the Settings screen

    def __init__(self, services: Session, *, practice: bool = False) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.services = services
        self.practice = practice
        self.connection: Connection | None = None
        self.partners: list[str] = []
        self._partners_task: asyncio.Future[None] | None = None
        self._notifier: Notifier | None = None
        self._outputs_page: OutputSetsPage | None = None
        self._history_page: HistoryPage | None = None
        self._settings_page: SettingsPage | None = None
        # What the Output sets screen was last given (it gets partners only after sign-in).
        self._outputs_connection: tuple[Connection | None, list[str]] = (None, [])
        self._shut = False  # after shutdown() nothing more is built: the services may be closed

        self.nav = QListWidget(self)
        self.nav.setObjectName("Navigation")
        self.nav.setAccessibleName(self.tr("Screens"))
        self.nav.addItems([translated("MainWindow", name) for name in PAGES])
        for row in range(len(PAGES)):
            item = self.nav.item(row)
            if item is not None:  # the shortcut, where a mouse user can find it
                item.setToolTip(
                    self.tr("{screen} (Ctrl+{number})").format(screen=item.text(), number=row + 1)
                )
        # As wide as its longest name (a translation may be longer), at least 170 px.
        needed = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 8
        self.nav.setFixedWidth(max(170, needed))
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.submit_page = SubmitPage(services, lambda: self.connection, self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.submit_page)
        self.nav.currentRowChanged.connect(self._on_nav_row)
        self.submit_page.showOutputsRequested.connect(lambda: self.show_page("Output sets"))
        self.submit_page.submissionFinished.connect(self.on_submission_finished)
        self.submit_page.sendFolderRequested.connect(self.open_batch)
        self.submit_page.batchRequested.connect(self.open_batch)
        self.batch_dialog: BatchDialog | None = None

        self.banner = QLabel(
            self.tr(
                "Practice mode: you are connected to a local practice server on this computer. "
                "Nothing is sent to Runway, and the practice files offered in each slot are "
                "real, anonymized vendor files."
            ),
            self,
        )
        self.banner.setObjectName("PracticeBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(practice)
        self.connection_note = ConnectionNote(self)

        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.connection_note)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)
        self.nav.setCurrentRow(0)
        self.fit_to_screen()
        self._add_shortcuts()
        self._update_title()
        self.firstPainted.connect(self._build_deferred_pages)
        FirstPaintWatch(self).painted.connect(self.firstPainted)

    # -- the screens built after the first paint -------------------------------------------
    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            from runway_desktop.ui.notifier import Notifier

            self._notifier = Notifier(app_icon(), self)
            self._notifier.activated.connect(self.bring_to_front)
        return self._notifier

    @property
    def outputs_page(self) -> OutputSetsPage:
        if self._outputs_page is None:
            from runway_desktop.ui.output_sets.page import OutputSetsPage

            page = OutputSetsPage(self.services, self.notifier, self)
            self._outputs_page = page
            self.pages.addWidget(page)
            connection, partners = self._outputs_connection
            if connection is not None:
                page.set_connection(connection, partners)
        return self._outputs_page

    @property
    def history_page(self) -> HistoryPage:
        if self._history_page is None:
            from runway_desktop.ui.history.page import HistoryPage

            page = HistoryPage(self.services, self.notifier, self)
            self._history_page = page
            self.pages.addWidget(page)
            page.watch_runner(self.submit_page.runner)
            page.showOutputRequested.connect(self.on_show_output_for_job)
            page.downloadRequested.connect(self.on_download_for_job)
            page.downloadSetRequested.connect(self.on_download_set)
            page.resubmitRequested.connect(self.on_resubmit)
            page.listed.connect(self._submit_follows_history)
            if self.connection is not None:
                page.set_connection(self.connection)
        return self._history_page

    @property
    def settings_page(self) -> SettingsPage:
        if self._settings_page is None:
            from runway_desktop.ui.settings.page import SettingsPage

            page = SettingsPage(self.services.preferences, self)
            self._settings_page = page
            self.pages.addWidget(page)
            page.editConnectionRequested.connect(self.editConnectionRequested)
            self._show_settings()
        return self._settings_page

    def _submit_follows_history(self) -> None:
        # One truth: the result on the Submit screen is History's reading of the record, so
        # a Resume from History or results found by its poll show there too.
        page, shown = self._history_page, self.submit_page.shown_submission()
        if page is None or shown is None:
            return
        row = page.row(shown)
        if row is not None:
            self.submit_page.follow_state(shown, row.derived)

    def _build_deferred_pages(self) -> None:
        """Build the other screens after the first paint; History first: it polls for results
        and follows the Submit screen's runs."""
        build_one_per_turn(
            [lambda: self.history_page, lambda: self.outputs_page, lambda: self.settings_page],
            stopped=lambda: self._shut,  # the services may be closed: build nothing more
            sign_in=lambda: self._partners_task,
            done=self.deferredPagesBuilt.emit,
        )

    def _on_nav_row(self, row: int) -> None:
        page: QWidget
        if row == PAGES.index("Output sets"):
            page = self.outputs_page
        elif row == PAGES.index("History"):
            page = self.history_page
        elif row == PAGES.index("Settings"):
            page = self.settings_page
        else:
            page = self.submit_page
        self.pages.setCurrentWidget(page)

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGES.index(name))

    # -- size and keys -----------------------------------------------------------------------
    def fit_to_screen(self, available: QRect | None = None) -> None:
        """Open at the preferred size, shrunk to the part of the screen the taskbar leaves
        free (``available``: the screen's availableGeometry), and centred in it."""
        if available is None:
            # The screen it will open on (the primary one, or where the pointer is).
            available = self.screen().availableGeometry()
        size = fitted_size(available)
        self.resize(size)
        self.move(centred_frame_origin(available, size))

    def _add_shortcuts(self) -> None:
        # Ctrl+1…4 follow the navigation's order; window-wide, so they work from any field.
        for number, name in enumerate(PAGES, start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda name=name: self.show_page(name))
        # F5 as in a browser or Explorer (QKeySequence.Refresh is Ctrl+R on some desktops).
        QShortcut(QKeySequence(Qt.Key.Key_F5), self).activated.connect(self.refresh_current_page)

    def refresh_current_page(self) -> None:
        """F5: read the shown screen's list again (Output sets and History; the others have
        nothing to refresh)."""
        shown = self.pages.currentWidget()
        if self._history_page is not None and shown is self._history_page:
            self._history_page.refresh(poll=True)  # what its "Check now" does
        elif self._outputs_page is not None and shown is self._outputs_page:
            self._outputs_page.refresh()

    def on_submission_finished(self, _result: object) -> None:
        # A listing taken before this submission ran must not be shown as current.
        if self._outputs_page is not None:
            self._outputs_page.invalidate()

    def open_batch(self, dropped: list[Path] | None = None) -> None:
        """ "Send a folder…": the batch window, for the form's partner, district and year;
        with ``dropped`` (files and folders dropped on Submit), planning those."""
        if self.batch_dialog is not None:  # one batch window at a time
            self.batch_dialog.raise_()
            self.batch_dialog.activateWindow()
            if dropped:
                self.batch_dialog.plan_dropped(dropped)  # unless it is sending
            return
        if self.connection is None:
            return
        from runway_desktop.ui.batch.batch_dialog import BatchDialog

        form = self.submit_page.form
        known = [form.tenant.itemText(i) for i in range(form.tenant.count())]
        dialog = BatchDialog(self.services, self.connection, form.values(), known, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.batchFinished.connect(self._on_batch_finished)
        dialog.destroyed.connect(lambda: setattr(self, "batch_dialog", None))
        self.batch_dialog = dialog
        dialog.show()
        if dropped:
            dialog.plan_dropped(dropped)

    def _on_batch_finished(self) -> None:
        self.on_submission_finished(None)
        if self._history_page is not None:
            self._history_page.refresh()

    # -- History's actions -----------------------------------------------------------------
    def on_show_output_for_job(self, job_uid: str) -> None:
        self.outputs_page.show_for_job(job_uid)
        self.show_page("Output sets")

    def on_download_for_job(self, job_uid: str) -> None:
        self.outputs_page.download_for_job(job_uid)
        self.show_page("Output sets")

    def on_download_set(self, job_uid: str, set_uid: str) -> None:
        self.outputs_page.download_for_job(job_uid, set_uid)
        self.show_page("Output sets")

    def on_resubmit(self, values: FormValues) -> None:
        """Resubmit fills the form for review; nothing is sent until Submit is pressed."""
        self.submit_page.on_back()
        self.submit_page.form.restore(values)
        self.show_page("Submit")

    def set_connection(self, connection: Connection | None) -> None:
        if self._partners_task is not None and not self._partners_task.done():
            # The previous connection's sign-in must not fill in its partners afterwards.
            self._partners_task.cancel()
        self._partners_task = None
        self.connection = connection
        self.partners = []
        self._update_title()
        self._show_settings()
        self.submit_page.set_partners([], None)
        self._set_outputs_connection(None, [])
        if self._history_page is not None:  # else it takes the connection when it is built
            self._history_page.set_connection(connection)
        self.connectionChanged.emit()
        if connection is not None:
            self._partners_task = asyncio.ensure_future(self._load_partners(connection))

    async def _load_partners(self, connection: Connection) -> None:
        """The partner list comes from the token's partner scopes: sign in once to read it."""
        self.connection_note.show_signing_in()
        try:
            claims = await connection.tokens.get_claims()
        except asyncio.CancelledError:
            self.connection_note.hide()  # replaced by another connection: no longer signing in
            raise
        except RunwayError as error:
            self.connection_note.show_sign_in_failed(error)
            return
        self.partners = list(claims.partner_codes)
        self.connection_note.hide()
        if not self.partners:
            self.connection_note.show_no_partners()
        self.submit_page.set_partners(self.partners, connection.profile.default_partner)
        self._set_outputs_connection(connection, self.partners)
        self._show_settings()
        self.submit_page.on_form_changed()
        self.partnersShown.emit()

    def _set_outputs_connection(self, connection: Connection | None, partners: list[str]) -> None:
        self._outputs_connection = (connection, list(partners))
        if self._outputs_page is not None:  # else it takes them when it is built
            self._outputs_page.set_connection(connection, partners)

    def _show_settings(self) -> None:
        if self._settings_page is None:
            return  # shown when the Settings screen is built
        profile = self.connection.profile if self.connection else None
        note = (
            self.tr("Practice server: no secret is stored.")
            if self.practice
            else self.services.secrets.status_message
        )
        self._settings_page.show_profile(
            profile, partners=self.partners, secret_note=note, practice=self.practice
        )

    def _update_title(self) -> None:
        profile: Profile | None = self.connection.profile if self.connection else None
        self.setWindowTitle(
            self.tr("{app} — {profile}").format(app=APP_NAME, profile=profile.name)
            if profile
            else APP_NAME
        )

    def bring_to_front(self) -> None:
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    def shutdown(self) -> None:
        """Stop background work (polling, watching) before the app's services close."""
        self._shut = True
        if self._history_page is not None:
            self._history_page.shutdown()
        if self._outputs_page is not None:
            self._outputs_page.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
