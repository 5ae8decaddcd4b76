"""The question Cancel asks once bytes are on their way: stop, or keep sending.

Inline rather than a dialog, so the progress stays in view while the clerk decides and the
keyboard reaches it like the rest of the panel. "Keep sending" is the default: a stray
Enter or a second click never stops an upload.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class StopSendingBar(QFrame):
    stopConfirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StopSendingBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.question = QLabel(self)
        self.question.setObjectName("StopSendingQuestion")
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.question.setWordWrap(True)
        self.stop_button = QPushButton(self.tr("&Stop sending"), self)
        self.keep_button = QPushButton(self.tr("&Keep sending"), self)
        self.keep_button.setDefault(True)
        self.stop_button.clicked.connect(self.on_stop)
        self.keep_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.question, 1)
        layout.addWidget(self.keep_button)
        layout.addWidget(self.stop_button)
        self.hide()

    def ask(self, question: str) -> None:
        self.question.setText(question)
        self.show()
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_stop(self) -> None:
        self.hide()
        self.stopConfirmed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()  # Esc answers "keep sending"
            return
        super().keyPressEvent(event)
