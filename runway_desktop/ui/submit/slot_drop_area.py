"""The dashed area of a file slot: "Drop the file here or Browse…" while it is empty; the
file's name, what its check found so far, "Choose another…" and "Remove" once one is chosen.

The slot decides (what is chosen, whether a drag may land, when it is locked); this area only
shows it, so the slot's file keeps to choosing and checking. It takes no drops itself: a drag
over it is the slot's, which lights it up with ``set_drag_active``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from runway_desktop.ui.widgets.elided_label import ElidedLabel
from runway_desktop.ui.widgets.restyle import restyle


class SlotDropArea(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SlotDropArea")  # the slot's style sheet draws it dashed
        self.setMinimumHeight(64)
        # Empty: the prompt and Browse side by side in the middle, so they read as one sentence.
        self.empty_row = QWidget(self)
        self.browse_button = QPushButton(self.tr("Browse…"), self.empty_row)
        empty = QHBoxLayout(self.empty_row)
        empty.setContentsMargins(0, 0, 0, 0)
        empty.addStretch(1)
        empty.addWidget(QLabel(self.tr("Drop the file here or"), self.empty_row))
        empty.addWidget(self.browse_button)
        empty.addStretch(1)
        # Chosen: what the file is on the left, what can be done with it on the right.
        self.file_row = QWidget(self)
        self.file_name = ElidedLabel(self.file_row)
        self.file_name.setObjectName("SlotFileName")
        self.details = QLabel(self.file_row)
        self.details.setObjectName("SlotHint")
        self.details.setWordWrap(True)
        self.replace_button = QPushButton(self.tr("Choose another…"), self.file_row)
        self.remove_button = QPushButton(self.tr("Remove"), self.file_row)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.file_name)
        text.addWidget(self.details)
        chosen = QHBoxLayout(self.file_row)
        chosen.setContentsMargins(0, 0, 0, 0)
        chosen.addLayout(text, 1)
        chosen.addWidget(self.replace_button, 0, Qt.AlignmentFlag.AlignVCenter)
        chosen.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignVCenter)
        area = QVBoxLayout(self)
        area.setContentsMargins(12, 8, 12, 8)
        area.addWidget(self.empty_row)
        area.addWidget(self.file_row)

    def show_file(self, path: Path | None, details: str, *, locked: bool) -> None:
        """The prompt when ``path`` is None, else the file with ``details`` (its check so far);
        ``locked``: the buttons are disabled while a submission is being sent."""
        self.empty_row.setVisible(path is None)
        self.file_row.setVisible(path is not None)
        self.file_name.set_full_text(path.name if path else "")
        self.file_name.setToolTip(str(path) if path else "")
        self.details.setText(details)
        for button in (self.browse_button, self.replace_button, self.remove_button):
            button.setEnabled(not locked)

    def set_drag_active(self, active: bool) -> None:
        if bool(self.property("dragActive")) == active:
            return
        self.setProperty("dragActive", active)
        restyle(self)
