"""The note above the screens about the connection: the sign-in under way, why it failed, or
that the client may submit for no partner. Hidden when there is nothing to say.

Start-up writes its own notes here too (the practice server starting or failing, a damaged
profiles file), as a plain label: ``kind`` ("info" or "error") picks the style sheet's colours.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from runway_desktop.api.errors import RunwayError
from runway_desktop.ui.widgets.restyle import restyle


class ConnectionNote(QLabel):
    """The main window's line about signing in to the connection it was given."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectionNote")
        self.setWordWrap(True)
        # It shows sign-in refusals and the practice server's own words: server text is data.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()

    def show_signing_in(self) -> None:
        self.setText(self.tr("Signing in to Runway…"))
        self.setProperty("kind", "info")
        self.show()

    def show_sign_in_failed(self, error: RunwayError) -> None:
        """Replaces the "Signing in" note, which is showing by then."""
        self.setText(
            self.tr("Could not sign in: {message} {next_step}")
            .format(message=error.message, next_step=error.next_step)
            .strip()
        )
        self.setProperty("kind", "error")
        restyle(self)

    def show_no_partners(self) -> None:
        self.setText(
            self.tr(
                "This client may not submit for any partner. Ask your Runway administrator "
                "to add a partner:<code> scope to it."
            )
        )
        self.setProperty("kind", "error")
        restyle(self)
        self.show()
