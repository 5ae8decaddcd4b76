"""A small red line under a field: what is wrong and what to do, in plain words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class FieldError(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FieldError")
        self.setTextFormat(Qt.TextFormat.PlainText)  # Runway's refusals, quoted
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


# Labels of every form on a screen share this width so their fields line up.
FORM_LABEL_WIDTH = 150


def with_error(field: QWidget, error: FieldError) -> QWidget:
    """The field with its error line right under it, as one form cell (no empty rows)."""
    cell = QWidget(field.parentWidget())
    layout = QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(field)
    layout.addWidget(error)
    return cell


def form_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setMinimumWidth(FORM_LABEL_WIDTH)
    label.setWordWrap(True)
    return label
