"""Where no password store exists: the offer to keep the secret for this session only.

The clerk cannot fix a missing keyring, so the dialog says once what is missing and how IT
fixes it, and offers "Keep for this session only". That choice is remembered in the
preferences, so later starts (which must ask for the secret again: it was never written to
disk) say it in one line instead of asking the same question again. Nothing here touches the
keyring: the caller passes what the secret store already found.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from runway_desktop.settings import SESSION_ONLY_MESSAGE
from runway_desktop.settings.preferences import PreferencesStore
from runway_desktop.ui.widgets.accessible import announce


class SessionOnlyOffer(QWidget):
    """The "Keep for this session only" button beside the secret's note (``note``).

    Shown only when the store has no keyring and the clerk has not chosen yet.
    """

    def __init__(
        self,
        preferences: PreferencesStore,
        note: QLabel,
        *,
        keyring_missing: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SessionOnlyOffer")
        self._preferences = preferences
        self._note = note
        self.button = QPushButton(self.tr("&Keep for this session only"), self)
        self.button.setObjectName("KeepForSession")
        self.button.setAutoDefault(False)  # Enter in a field saves; it must not answer this
        self.button.setAccessibleDescription(
            self.tr(
                "Use the secret until Runway Desktop closes, and stop showing this explanation."
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        self.button.clicked.connect(self.on_keep_for_session)
        chosen = keyring_missing and preferences.load().secret_session_only
        if chosen:
            note.setText(SESSION_ONLY_MESSAGE)
        self.setVisible(keyring_missing and not chosen)

    def on_keep_for_session(self) -> None:
        store = self._preferences
        store.save(store.load().with_changes(secret_session_only=True))
        self._note.setText(SESSION_ONLY_MESSAGE)
        self.hide()
        announce(self._note, SESSION_ONLY_MESSAGE)
