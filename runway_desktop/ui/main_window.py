"""The main window: navigation between Submit, Output sets, History and Settings, the
practice-mode banner, and the connection the screens use."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
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
from runway_desktop.api.error_types import RunwayError
from runway_desktop.session import AppServices, Connection
from runway_desktop.settings import Profile
from runway_desktop.ui.history_page import HistoryPage
from runway_desktop.ui.notifier import Notifier
from runway_desktop.ui.output_sets_page import OutputSetsPage
from runway_desktop.ui.restyle import restyle
from runway_desktop.ui.settings_page import SettingsPage
from runway_desktop.ui.submit_form import FormValues
from runway_desktop.ui.submit_page import SubmitPage
from runway_desktop.ui.theme import app_icon

PRACTICE_BANNER = (
    "Practice mode: you are connected to a local practice server on this computer. "
    "Nothing is sent to Runway, and the practice files offered in each slot are real, "
    "anonymized vendor files."
)
PAGES = ("Submit", "Output sets", "History", "Settings")


class MainWindow(QMainWindow):
    connectionChanged = Signal()
    closing = Signal()

    def __init__(self, services: AppServices, *, practice: bool = False) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.services = services
        self.practice = practice
        self.connection: Connection | None = None
        self.partners: list[str] = []
        self._partners_task: asyncio.Future[None] | None = None

        self.nav = QListWidget(self)
        self.nav.setObjectName("Navigation")
        self.nav.addItems(list(PAGES))
        self.nav.setFixedWidth(170)
        self.notifier = Notifier(app_icon(), self)
        self.notifier.activated.connect(self.bring_to_front)
        self.submit_page = SubmitPage(services, lambda: self.connection, self)
        self.outputs_page = OutputSetsPage(services, self.notifier, self)
        self.history_page = HistoryPage(services, self.notifier, self)
        self.history_page.watch_runner(self.submit_page.runner)
        self.settings_page = SettingsPage(services.preferences, self)
        self.pages = QStackedWidget(self)
        for page in (self.submit_page, self.outputs_page, self.history_page, self.settings_page):
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.submit_page.showOutputsRequested.connect(lambda: self.show_page("Output sets"))
        self.history_page.showOutputRequested.connect(self.on_show_output_for_job)
        self.history_page.downloadRequested.connect(self.on_download_for_job)
        self.history_page.resubmitRequested.connect(self.on_resubmit)

        self.banner = QLabel(PRACTICE_BANNER, self)
        self.banner.setObjectName("PracticeBanner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(practice)
        self.connection_note = QLabel(self)
        self.connection_note.setObjectName("ConnectionNote")
        self.connection_note.setWordWrap(True)
        self.connection_note.hide()

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
        self.resize(1000, 760)
        self._update_title()

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGES.index(name))

    # -- History's actions -----------------------------------------------------------------
    def on_show_output_for_job(self, job_uid: str) -> None:
        self.outputs_page.show_for_job(job_uid)
        self.show_page("Output sets")

    def on_download_for_job(self, job_uid: str) -> None:
        self.outputs_page.download_for_job(job_uid)
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
        self.outputs_page.set_connection(None, [])
        self.history_page.set_connection(connection)
        self.connectionChanged.emit()
        if connection is not None:
            self._partners_task = asyncio.ensure_future(self._load_partners(connection))

    async def _load_partners(self, connection: Connection) -> None:
        """The partner list comes from the token's partner scopes: sign in once to read it."""
        self.connection_note.setText("Signing in to Runway…")
        self.connection_note.setProperty("kind", "info")
        self.connection_note.show()
        try:
            claims = await connection.tokens.get_claims()
        except asyncio.CancelledError:
            self.connection_note.hide()  # replaced by another connection: no longer signing in
            raise
        except RunwayError as error:
            self.connection_note.setText(
                f"Could not sign in: {error.message} {error.next_step}".strip()
            )
            self.connection_note.setProperty("kind", "error")
            restyle(self.connection_note)
            return
        self.partners = list(claims.partner_codes)
        self.connection_note.hide()
        if not self.partners:
            self.connection_note.setText(
                "This client may not submit for any partner. Ask your Runway administrator to "
                "add a partner:<code> scope to it."
            )
            self.connection_note.setProperty("kind", "error")
            restyle(self.connection_note)
            self.connection_note.show()
        self.submit_page.set_partners(self.partners, connection.profile.default_partner)
        self.outputs_page.set_connection(connection, self.partners)
        self._show_settings()
        self.submit_page.on_form_changed()

    def _show_settings(self) -> None:
        profile = self.connection.profile if self.connection else None
        note = (
            "Practice server: no secret is stored."
            if self.practice
            else self.services.secrets.status_message
        )
        self.settings_page.show_profile(
            profile, partners=self.partners, secret_note=note, practice=self.practice
        )

    def _update_title(self) -> None:
        profile: Profile | None = self.connection.profile if self.connection else None
        self.setWindowTitle(f"{APP_NAME} — {profile.name}" if profile else APP_NAME)

    def bring_to_front(self) -> None:
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.show()
        self.raise_()
        self.activateWindow()

    def shutdown(self) -> None:
        """Stop background work (polling, watching) before the app's services close."""
        self.history_page.shutdown()
        self.outputs_page.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
