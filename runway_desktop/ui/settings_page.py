"""Settings: the connection in use, where its secret is kept, and a way to change it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from runway_desktop.settings import Profile


class SettingsPage(QWidget):
    editConnectionRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsPage")
        title = QLabel("Settings", self)
        title.setObjectName("PageTitle")
        self.profile_name = QLabel(self)
        self.api_url = QLabel(self)
        self.client_id = QLabel(self)
        self.partners = QLabel(self)
        self.secret_note = QLabel(self)
        for label in (self.api_url, self.secret_note, self.partners):
            label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Connection", self.profile_name)
        form.addRow("Runway API", self.api_url)
        form.addRow("Client ID", self.client_id)
        form.addRow("Partners", self.partners)
        form.addRow("Client secret", self.secret_note)
        self.edit_button = QPushButton("Edit connection…", self)
        self.edit_button.clicked.connect(self.editConnectionRequested)
        later = QLabel(
            "Download folder and other preferences arrive with the Output sets screen.", self
        )
        later.setObjectName("PlaceholderText")
        later.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.edit_button)
        layout.addSpacing(12)
        layout.addWidget(later)
        layout.addStretch(1)

    def show_profile(
        self, profile: Profile | None, *, partners: list[str], secret_note: str, practice: bool
    ) -> None:
        self.profile_name.setText(profile.name if profile else "Not set up yet")
        self.api_url.setText(profile.api_base_url if profile else "—")
        self.client_id.setText(profile.client_id if profile else "—")
        self.partners.setText(", ".join(partners) if partners else "—")
        self.secret_note.setText(secret_note)
        # The practice server's connection is made up on the spot; there is nothing to edit.
        self.edit_button.setVisible(not practice)
