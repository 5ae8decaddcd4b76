"""The inline bar above the Submit form that asks "These look like Star Assessments files: use
Star Assessments?" after a drop, or says why the dropped files were not placed.

Not a dialog: the clerk may want to look at the form before answering, and a modal box popping up
on every drop would teach them to click it away unread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from runway_desktop.ui.theme import DARK, LIGHT, is_dark
from runway_desktop.ui.widgets.restyle import restyle


def bar_style(dark: bool) -> str:
    """The bar's colours from the theme's tables (resources/style.qss has no rule for it yet)."""
    c = DARK if dark else LIGHT
    return (
        "QFrame#IdentifyOfferBar { border-radius: 6px; "
        f"background: {c['info_bg']}; border: 1px solid {c['accent']}; }}"
        f"QFrame#IdentifyOfferBar QLabel {{ color: {c['info_fg']}; background: transparent; }}"
        # Not the amber of warnings: next to the practice banner it would read as part of it.
        'QFrame#IdentifyOfferBar[kind="notice"] { '
        f"background: {c['error_bg']}; border: 1px solid {c['error_border']}; }}"
        'QFrame#IdentifyOfferBar[kind="notice"] QLabel { '
        f"color: {c['error_fg']}; }}"
    )


class IdentifyOfferBar(QFrame):
    """A sentence and up to two buttons. ``accepted`` when the clerk takes the suggestion,
    ``declined`` when they turn it down, dismiss a notice, or press Esc."""

    accepted = Signal()
    declined = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("IdentifyOfferBar")
        self.setAccessibleName(self.tr("Suggestion about the dropped files"))
        self.text_label = QLabel(self)
        self.text_label.setObjectName("IdentifyOfferText")
        # File and assessment names are shown as given, never read as HTML.
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accept_button = QPushButton(self)
        self.accept_button.setObjectName("IdentifyAccept")
        self.decline_button = QPushButton(self)
        self.decline_button.setObjectName("IdentifyDecline")
        # Their words come with each suggestion (_show); until then they still say what they are.
        self.accept_button.setAccessibleName(self.tr("Accept the suggestion"))
        self.decline_button.setAccessibleName(self.tr("Dismiss the suggestion"))
        for button in (self.accept_button, self.decline_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            # Not the page's default button: Enter in a field must not answer the question.
            button.setAutoDefault(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.accept_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.decline_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.accept_button.clicked.connect(self.on_accept)
        self.decline_button.clicked.connect(self.on_decline)
        # Esc anywhere in the window while the bar shows (a hidden widget's shortcut is off).
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self._escape.activated.connect(self.on_decline)
        self.setVisible(False)

    def text(self) -> str:
        return self.text_label.text()

    def show_offer(self, text: str, accept_text: str, decline_text: str) -> None:
        """Ask; both buttons carry their mnemonic ("&Use …" is Alt+U)."""
        self._show(text, "info", accept_text, decline_text)

    def show_notice(self, text: str, dismiss_text: str | None = None) -> None:
        """Say something that needs no decision; its one button (or Esc) closes the bar
        ("Dismiss" unless ``dismiss_text`` says otherwise)."""
        self._show(text, "notice", "", dismiss_text or self.tr("&Dismiss"))

    def dismiss(self) -> None:
        """Hide without answering (the question no longer applies)."""
        self.setVisible(False)

    def on_accept(self) -> None:
        if self.isVisible():
            self.setVisible(False)
            self.accepted.emit()

    def on_decline(self) -> None:
        if self.isVisible():
            self.setVisible(False)
            self.declined.emit()

    def _show(self, text: str, kind: str, accept_text: str, decline_text: str) -> None:
        app = QApplication.instance()
        # Recomputed each time: the system may have switched between light and dark meanwhile.
        self.setProperty("kind", kind)
        self.setStyleSheet(bar_style(isinstance(app, QApplication) and is_dark(app)))
        restyle(self)
        restyle(self.text_label)
        self.text_label.setText(text)
        self.setAccessibleDescription(text)
        self.accept_button.setText(accept_text)
        self.accept_button.setAccessibleName(accept_text.replace("&", ""))
        self.accept_button.setVisible(bool(accept_text))
        self.decline_button.setText(decline_text)
        self.decline_button.setAccessibleName(decline_text.replace("&", ""))
        self.setVisible(True)
        # Focus stays where the clerk is; a screen reader still hears the question at once.
        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
