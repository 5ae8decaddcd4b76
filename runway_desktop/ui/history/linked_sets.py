"""The output sets of one submission, in History's detail pane: one line per set Runway made
for the job (when, whether it went to the ODS, its id) with a Download button each.

The sets are the ones the History record has seen (linked by job uid); what a set holds and
where it is saved are the Output sets screen's business, so Download routes there."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from runway_desktop.core.outputs.linking import short_when
from runway_desktop.history.records import SeenOutputSet


class LinkedSets(QWidget):
    downloadClicked = Signal(str)  # set uid

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LinkedSets")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(12)
        self.buttons: dict[str, QPushButton] = {}  # set uid -> its Download button
        self.empty = QLabel(
            self.tr("No output set yet: Runway makes one when a run finishes."), self
        )
        self.empty.setObjectName("MutedText")
        self.empty.setWordWrap(True)  # longer in other languages than the pane is wide
        self.grid.addWidget(self.empty, 0, 0, 1, 3)

    def set_sets(self, sets: tuple[SeenOutputSet, ...]) -> None:
        if tuple(self.buttons) == tuple(s.set_uid for s in sets):
            return  # a refresh of the same record: keep the widgets (and keyboard focus)
        for widget in [*self.findChildren(QLabel), *self.findChildren(QPushButton)]:
            if widget is not self.empty:
                self.grid.removeWidget(widget)
                widget.hide()  # deleted later; hidden now so it never shows under the new rows
                widget.deleteLater()
        self.buttons = {}
        self.empty.setVisible(not sets)
        for row, seen in enumerate(sets, start=1):
            made = QLabel(self.tr("Made {when}").format(when=short_when(seen.created_at)), self)
            ods = self.tr("sent to the ODS") if seen.sent_to_ods else self.tr("not sent to the ODS")
            about = QLabel(f"{ods} · {seen.set_uid}", self)
            about.setObjectName("MutedText")
            about.setWordWrap(True)
            about.setTextFormat(Qt.TextFormat.PlainText)
            about.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            button = QPushButton(self.tr("Download"), self)
            button.setAccessibleName(self.tr("Download output set {set}").format(set=seen.set_uid))
            button.setToolTip(self.tr("Download this set's files on the Output sets screen."))
            button.clicked.connect(lambda _checked=False, uid=seen.set_uid: self.on_clicked(uid))
            self.buttons[seen.set_uid] = button
            for column, widget in enumerate((made, about, button)):
                self.grid.addWidget(widget, row, column)

    def on_clicked(self, set_uid: str) -> None:
        self.downloadClicked.emit(set_uid)
