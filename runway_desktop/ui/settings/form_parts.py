"""Small pieces of the connection dialog: its style sheet, layout helpers, field names."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

STYLE = """
QLabel#FieldError { color: #b00020; }
QLabel#Hint { color: #5f6368; }
QToolButton#AdvancedToggle { border: none; }
QLabel#TestResult { padding: 8px; border-radius: 4px; border: 1px solid palette(mid); }
QLabel#TestResult[state="ok"] { background: #e8f5e9; border-color: #81c784; color: #1b3a1d; }
QLabel#TestResult[state="warning"] { background: #fff8e1; border-color: #ffca28; color: #3e2f00; }
QLabel#TestResult[state="error"] { background: #fdecea; border-color: #e57373; color: #4a0d0d; }
"""


def name_fields(names: Mapping[QWidget, tuple[str, str]]) -> None:
    """Give each field its screen-reader name and description."""
    for widget, (name, description) in names.items():
        widget.setAccessibleName(name)
        widget.setAccessibleDescription(description)


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets one under the other with no extra margins: a field with its notes below."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    for widget in widgets:
        column.addWidget(widget)
    return box


def add_row(form: QFormLayout, text: str, box: QWidget, field: QWidget) -> None:
    """A row whose label's Alt letter goes to ``field`` inside ``box`` (QFormLayout makes the
    box the buddy, and a label's letter never reaches a box that takes no focus)."""
    form.addRow(text, box)
    label = form.labelForField(box)
    if isinstance(label, QLabel):
        label.setBuddy(field)


def hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("Hint")
    label.setWordWrap(True)
    return label
