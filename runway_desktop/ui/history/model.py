"""The History list's model: rows already filtered, sorted and derived in a worker thread
(``core.history_view``), handed to the view in pages so that 10,000 rows cost the Qt thread
no more than the ones on screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtCore import Signal as _Signal

from runway_desktop.core.history_view import COLUMNS, HistoryRow, Sorting
from runway_desktop.ui.widgets.plain_text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE = 200  # rows handed to the view at a time (fetchMore), as it scrolls


class HistoryTableModel(QAbstractTableModel):
    # The header asks for an order: the page sorts in its worker thread and sets the rows.
    sortRequested = _Signal(object)  # Sorting

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryRow] = []
        self._shown = 0  # rows the view has been given so far
        self._where: dict[int, int] = {}  # submission id -> row number
        self.sorting = Sorting()

    def set_rows(self, rows: Sequence[HistoryRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._where = {row.record.id: number for number, row in enumerate(self._rows)}
        self._shown = min(PAGE, len(self._rows))
        self.endResetModel()

    def rows(self) -> list[HistoryRow]:
        """Every row that passes the filter (given to the view or not yet)."""
        return list(self._rows)

    def total(self) -> int:
        return len(self._rows)

    def row_at(self, row: int) -> HistoryRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, submission_id: int) -> int:
        """The row number, fetching pages up to it so that the view can show it."""
        number = self._where.get(submission_id, -1)
        if number >= self._shown:
            self.beginInsertRows(QModelIndex(), self._shown, number)
            self._shown = number + 1
            self.endInsertRows()
        return number

    # -- lazy paging ------------------------------------------------------------------------
    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        more = min(PAGE, len(self._rows) - self._shown)
        if more > 0:
            self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
            self._shown += more
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sorting = Sorting(column, order == Qt.SortOrder.DescendingOrder)
        if sorting != self.sorting:
            self.sorting = sorting
            self.sortRequested.emit(sorting)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == RECORD_ROLE:
            return row.record
        if role == STATE_ROLE:
            return row.state
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.display(column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "Status":
                return plain_tooltip(row.derived.explanation)  # may quote Runway
            if column == "Assessment":
                return plain_tooltip("\n".join(f.path.name for f in row.record.files))
        if role == Qt.ItemDataRole.AccessibleTextRole and column == "Status":
            return f"{row.derived.label}. {row.derived.explanation}"
        return None
