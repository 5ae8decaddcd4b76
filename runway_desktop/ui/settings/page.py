"""Settings: the connection in use, where its secret is kept, a way to change it, and the
few preferences that are not chosen where they are used (the download folder is set on the
Output sets screen, next to the downloads)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from runway_desktop.settings import Profile
from runway_desktop.settings.preferences import PreferencesStore


class SettingsPage(QWidget):
    editConnectionRequested = Signal()

    def __init__(self, preferences: PreferencesStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPage")
        self._preferences = preferences
        title = QLabel(self.tr("Settings"), self)
        title.setObjectName("PageTitle")
        self.profile_name = QLabel(self)
        self.api_url = QLabel(self)
        self.client_id = QLabel(self)
        self.partners = QLabel(self)
        self.secret_note = QLabel(self)
        for label in (self.api_url, self.secret_note, self.partners):
            label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Connection"), self.profile_name)
        form.addRow(self.tr("Runway API"), self.api_url)
        form.addRow(self.tr("Client ID"), self.client_id)
        form.addRow(self.tr("Partners"), self.partners)
        form.addRow(self.tr("Client secret"), self.secret_note)
        self.edit_button = QPushButton(self.tr("&Edit connection…"), self)
        self.edit_button.clicked.connect(self.editConnectionRequested)
        preferences_title = QLabel(self.tr("Preferences"), self)
        preferences_title.setObjectName("SectionTitle")
        self.no_result_hours = QDoubleSpinBox(self)
        self.no_result_hours.setObjectName("no_result_hours")
        self.no_result_hours.setRange(0.5, 72.0)
        self.no_result_hours.setSingleStep(0.5)
        self.no_result_hours.setSuffix(self.tr(" hours"))
        self.no_result_hours.setValue(preferences.load().no_result_after_hours)
        self.no_result_hours.valueChanged.connect(self.on_no_result_hours_changed)
        hours_note = QLabel(
            self.tr(
                "How long History waits for Runway's results before it says “No result yet”. "
                "Runway reports failed jobs only in its web app."
            ),
            self,
        )
        hours_note.setObjectName("PlaceholderText")
        hours_note.setWordWrap(True)
        downloads_note = QLabel(
            self.tr("The download folder is chosen on the Output sets screen (Save to … Change…)."),
            self,
        )
        downloads_note.setObjectName("PlaceholderText")
        downloads_note.setWordWrap(True)
        preferences_form = QFormLayout()
        preferences_form.addRow(self.tr("No result yet after"), self.no_result_hours)
        preferences_form.addRow("", hours_note)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.edit_button)
        layout.addSpacing(12)
        layout.addWidget(preferences_title)
        layout.addLayout(preferences_form)
        layout.addWidget(downloads_note)
        layout.addStretch(1)

    def on_no_result_hours_changed(self, hours: float) -> None:
        store = self._preferences
        store.save(store.load().with_changes(no_result_after_hours=hours))

    def show_profile(
        self, profile: Profile | None, *, partners: list[str], secret_note: str, practice: bool
    ) -> None:
        self.profile_name.setText(profile.name if profile else self.tr("Not set up yet"))
        self.api_url.setText(profile.api_base_url if profile else "—")
        self.client_id.setText(profile.client_id if profile else "—")
        self.partners.setText(", ".join(partners) if partners else "—")
        self.secret_note.setText(secret_note)
        # The practice server's connection is made up on the spot; there is nothing to edit.
        self.edit_button.setVisible(not practice)
