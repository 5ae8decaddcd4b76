"""The foot of the Output sets screen: what to do with the selected sets, and automatic
downloads.

The buttons act on the selection, so they sit under the list; automatic downloads are a
setting of their own, on a row of their own (a check box's text cannot wrap, and beside the
buttons a longer language would widen the window past 1280 px).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class OutputSetsActions(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OutputSetsActions")
        self.watch = QCheckBox(self.tr("Download new results a&utomatically"), self)
        self.watch.setToolTip(
            self.tr(
                "While the app is open it checks every minute for new results of every partner "
                "and downloads each one once, also after a restart."
            )
        )
        self.watch_note = QLabel(self)
        self.watch_note.setObjectName("MutedText")
        self.watch_note.setWordWrap(True)
        self.watch_note.setTextFormat(Qt.TextFormat.PlainText)
        self.download_button = QPushButton(self.tr("&Download selected"), self)
        self.download_button.setObjectName("PrimaryButton")
        self.csv_button = QPushButton(self.tr("Save as &CSV for Excel"), self)
        self.csv_button.setToolTip(
            self.tr(
                "Save each result file of the selected downloaded sets as a CSV file beside it, "
                "one column per field, ready to open in Excel"
            )
        )

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.download_button)
        watch_box = QVBoxLayout()
        watch_box.setSpacing(0)
        watch_box.addWidget(self.watch)
        watch_box.addWidget(self.watch_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(watch_box)

    def show_selected(self, count: int) -> None:
        """The download button names how many sets it would fetch."""
        self.download_button.setText(
            self.tr("&Download selected ({count})").format(count=count)
            if count
            else self.tr("&Download selected")
        )

    def show_watch_note(self, root: Path) -> None:
        """What automatic downloads do now; ``root``: the folder they save to."""
        self.watch_note.setText(
            self.tr("New results are saved to the folder below as they appear ({folder}).").format(
                folder=root
            )
            if self.watch.isChecked()
            else self.tr("Off: use Download selected, or click “Download” on a row.")
        )
