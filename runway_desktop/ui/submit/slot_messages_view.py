"""What a slot says about its file: a status line, its errors in red and its notes in amber."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from runway_desktop.core.slot_wording import SlotMessages, message_text
from runway_desktop.ui.widgets.restyle import restyle


class SlotMessagesView(QWidget):
    """Three labels, each hidden while it has nothing to say. The status is green ("SlotOk")
    when the file is ready and amber ("SlotWarning") when the clerk should look first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status, self.errors, self.warnings = (QLabel(self) for _ in range(3))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for label, name in (
            (self.status, "SlotOk"),
            (self.errors, "SlotError"),
            (self.warnings, "SlotWarning"),
        ):
            label.setObjectName(name)
            # File names, column names and Runway's answers are shown as given, never as HTML.
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setVisible(False)
            layout.addWidget(label)

    def show_messages(self, said: SlotMessages) -> None:
        self._set(self.errors, message_text(said.errors, "✗ "))
        self._set(self.warnings, message_text(said.warnings, "⚠ "))
        self._set(self.status, said.status)
        name = "SlotWarning" if said.status_kind == "warning" else "SlotOk"
        if self.status.objectName() != name:
            self.status.setObjectName(name)
            restyle(self.status)

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))
