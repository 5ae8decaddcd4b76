"""The note above the screens about the connection: the sign-in under way, why it failed, or
that the client may submit for no partner. Hidden when there is nothing to say.

Start-up writes its own notes here too (the practice server starting or failing, a damaged
profiles file) through :meth:`ConnectionNote.show_note`: ``kind`` ("info" or "error") picks the
style sheet's colours.
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

    def show_note(self, text: str, *, error: bool) -> None:
        """Show ``text`` in the info or the error colours.

        Every note goes through here: the ``kind`` selector is read only when the label is
        polished again, so a note set without ``restyle`` kept the colours of the one before
        (a red "Signing in…" after a failed sign-in).
        """
        self.setText(text)
        self.setProperty("kind", "error" if error else "info")
        restyle(self)
        self.show()

    def show_signing_in(self) -> None:
        self.show_note(self.tr("Signing in to Runway…"), error=False)

    def show_sign_in_failed(self, error: RunwayError) -> None:
        """Replaces the "Signing in" note, which is showing by then."""
        text = self.tr("Could not sign in: {message} {next_step}")
        self.show_note(
            text.format(message=error.message, next_step=error.next_step).strip(), error=True
        )

    def show_no_partners(self) -> None:
        self.show_note(
            self.tr(
                "This client may not submit for any partner. Ask your Runway administrator "
                "to add a partner:<code> scope to it."
            ),
            error=True,
        )
