"""The first rows of a chosen file, so a clerk can see at a glance it is the file she meant."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from runway_desktop.core.slot_wording import PREVIEW_COLUMNS, PREVIEW_ROWS

# Wide enough for a student ID or a name; longer cells are elided, the tooltip has the rest.
MAX_COLUMN_WIDTH = 150
MIN_COLUMN_WIDTH = 60


class FilePreviewTable(QTableWidget):
    """A compact, read-only table: at most 5 rows × the first 8 columns, header included."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._wanted_widths: list[int] = []
        self.setObjectName("SlotPreview")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        # The summary line says everything a keyboard user needs; the table is a visual check.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.setAccessibleName(self.tr("Preview of the first rows of the file"))

    def show_rows(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        columns = min(len(header), PREVIEW_COLUMNS)
        shown = list(rows[:PREVIEW_ROWS])
        self.clear()
        self.setColumnCount(columns)
        self.setRowCount(len(shown))
        for column in range(columns):
            name = header[column] or self.tr("(column {number})").format(number=column + 1)
            item = QTableWidgetItem(name)
            item.setToolTip(name)
            self.setHorizontalHeaderItem(column, item)
        for row, values in enumerate(shown):
            for column in range(columns):
                text = values[column] if column < len(values) else ""
                cell = QTableWidgetItem(text)
                if text:
                    cell.setToolTip(text)
                self.setItem(row, column, cell)
        self.resizeColumnsToContents()
        self._wanted_widths = [
            max(MIN_COLUMN_WIDTH, min(self.columnWidth(column), MAX_COLUMN_WIDTH))
            for column in range(columns)
        ]
        for column, width in enumerate(self._wanted_widths):
            self.setColumnWidth(column, width)
        self.resizeRowsToContents()
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()  # the horizontal scroll bar comes and goes with the width

    def _fit_height(self) -> None:
        # No vertical scrolling: five rows fit, and a scroll bar inside a scroll page is fiddly.
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(row) for row in range(self.rowCount()))
        if sum(self._wanted_widths) > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)
