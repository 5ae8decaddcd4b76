"""The bar pinned under a screen whose content scrolls: why the screen's main action cannot
be taken yet, and its buttons, always in view.

On a 1280×720 laptop a Submit screen with three file slots is taller than the window; the
content scrolls above this bar, so Submit and the reason it is disabled never leave the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class ActionBar(QFrame):
    def __init__(
        self,
        reason: QLabel,
        buttons: Sequence[QPushButton],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ActionBar")  # style.qss: a line above it, apart from the content
        self.reason = reason
        reason.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 0, 0)
        layout.addWidget(reason, 1)
        for button in buttons:
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignBottom)
        self.set_reason(reason.text())

    def set_reason(self, text: str) -> None:
        self.reason.setText(text)
        # One line sits right next to the button it explains; a paragraph reads from the left.
        side = Qt.AlignmentFlag.AlignLeft if "\n" in text else Qt.AlignmentFlag.AlignRight
        self.reason.setAlignment(side | Qt.AlignmentFlag.AlignVCenter)
        # A reason a line longer or shorter changes the bar's height. Without this the page's
        # layout hears of it one change late (Qt does not pass a word-wrapped label's new
        # height for width on up by itself), leaving a gap or cutting the last line.
        self.updateGeometry()
